"""Every change of money goes through a function in this package, in one transaction that locks
the budget row first: ``booking`` (expenses, reversals, the cap check ``check_room``), ``claims``,
``orders``, ``payouts``, ``closing`` and ``late_receipts``; ``mail`` tells people afterwards.
Views, the admin and the management commands call these and nothing else changes the ledger.

The booking functions are importable from here, as ``budget.services.record_expense``.
"""

from budget.services.booking import (
    BookingResult,
    check_room,
    lock_budget,
    record_expense,
    reverse_expense,
)

__all__ = ["BookingResult", "check_room", "lock_budget", "record_expense", "reverse_expense"]
