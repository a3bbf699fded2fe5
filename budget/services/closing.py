"""Closing a budget after its statement of use, and — for admins, with a reason — reopening it.

A closed budget refuses bookings, reversals and every later kind of entry: each booking service
checks ``Budget.is_closed`` under the same budget row lock these functions take, so nothing slips
in between. Who closed or reopened it, when and why, is kept on the budget row and written with
``save()``, so the audit trail (django-simple-history on ``Budget``) records each change.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from budget.exceptions import BudgetAlreadyClosed, BudgetNotClosed
from budget.models import Budget
from budget.services.booking import lock_budget
from budget.validators import check_text

NOTE_MAX_LENGTH = 2000


def close_budget(*, budget: Budget | int, closed_by, note: str) -> Budget:
    """Close ``budget`` with ``note``; raise ``BudgetAlreadyClosed`` if it is closed already."""
    note = check_text("note", note, NOTE_MAX_LENGTH, _("Abschlussvermerk"))
    budget_id = budget.pk if isinstance(budget, Budget) else budget
    with transaction.atomic():
        locked = lock_budget(budget_id)
        if locked.is_closed:
            raise BudgetAlreadyClosed(budget=locked)
        locked.is_closed = True
        locked.closed_at = timezone.now()
        locked.closed_by = closed_by
        locked.close_note = note
        locked.save(update_fields=["is_closed", "closed_at", "closed_by", "close_note"])
    return locked


def reopen_budget(*, budget: Budget | int, reopened_by, reason: str) -> Budget:
    """Reopen a closed ``budget`` (admins only; the views check) with ``reason``."""
    reason = check_text("reason", reason, NOTE_MAX_LENGTH, _("Grund"))
    budget_id = budget.pk if isinstance(budget, Budget) else budget
    with transaction.atomic():
        locked = lock_budget(budget_id)
        if not locked.is_closed:
            raise BudgetNotClosed(budget=locked)
        locked.is_closed = False
        locked.reopened_at = timezone.now()
        locked.reopened_by = reopened_by
        locked.reopen_reason = reason
        locked.save(update_fields=["is_closed", "reopened_at", "reopened_by", "reopen_reason"])
    return locked
