"""The audit trail for records that may be edited: resolutions, budgets, categories and the roles
of users (django-simple-history).

Each ``save()`` writes a historical row with who (from ``HistoryRequestMiddleware``), when and
the values, so the admin's "Verlauf" and the budget's history page can show old → new. Bookings,
reversals and late receipts need no history: they are append-only and are their own record.

Running totals (``Budget.spent``, ``Category.quantity`` …) are excluded from the history: the
booking service writes them with ``QuerySet.update()``, which bypasses ``save()`` and so adds no
history row, and a plain ``save()`` (``KeepsRunningTotals``) never writes them.

A user's roles are group memberships, an m2m relation. The users' history tracks it with
simple-history's ``m2m_fields``: every ``user.groups.add/remove/set/clear`` (the admin's user form
uses ``set``) writes a new historical user with the groups as they are then. Changes made from
the group's side (``group.user_set.add(user)``) are turned into the same per-user rows.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from simple_history import register
from simple_history.models import HistoricalRecords

USER_FIELDS_NOT_KEPT = ["password", "last_login"]  # secrets and noise, not roles


class RoleHistory(HistoricalRecords):
    """Historical users whose group memberships are recorded from both sides of the relation."""

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if not reverse:
            return super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)
        # ``instance`` is a group; ``pk_set`` names the users whose roles changed.
        users = get_user_model()._default_manager
        if action == "pre_clear":
            instance._history_cleared_users = list(instance.user_set.all())
            return None
        if action == "post_clear":
            affected = getattr(instance, "_history_cleared_users", [])
        elif action in ("post_add", "post_remove") and pk_set:
            affected = list(users.filter(pk__in=pk_set))
        else:
            return None
        for user in affected:
            super().m2m_changed(user, action, attr, None, False, **kwargs)
        return None


def track_users() -> None:
    """Give ``auth.User`` a history that lives in this app (``budget.HistoricalUser``)."""
    from django.contrib.auth.models import User

    register(
        User,
        app="budget",
        records_class=RoleHistory,
        m2m_fields=["groups"],
        excluded_fields=USER_FIELDS_NOT_KEPT,
        table_name="budget_historicaluser",
    )
