"""The admin: resolution records, budgets and categories, users and their roles (``ledger``);
claims, orders and payouts to look up, never to change (``claims``).

No business operation happens inside ``django.contrib.admin``: expenses are added through
``budget.services.record_expense`` and are read-only once booked; reversal is an admin action that
asks for a reason and calls ``reverse_expense``.
"""

from budget.admin import claims, ledger  # noqa: F401  (registers the model admins)
