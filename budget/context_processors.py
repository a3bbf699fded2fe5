"""``can`` in every template: what the user may do, asked of ``budget.access`` (never
``perms.budget.…`` directly, so that a rule changes in one place)."""

from budget.access import Abilities


def abilities(request) -> dict:
    return {"can": Abilities(request.user)}
