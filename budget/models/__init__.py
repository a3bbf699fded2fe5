"""The resolution → budget → category → expense ledger.

Money rules this app guarantees:

* Money is ``Decimal`` with two places (``DecimalField(max_digits=12, decimal_places=2)``), never
  float. Amounts are gross euros; every rounding goes through ``budget.money.cents`` (half up).
* A budget never spends more than its cap, a category never holds more pieces than its quantity
  cap, and a ``stop`` category never exceeds its planned amount. These rules span rows, so they are
  enforced in exactly one place, ``budget.services.booking.check_room`` (called by
  ``record_expense`` and the claim and order services), inside one transaction that
  locks the budget row. The admin, every view and every command book through it.
* Open claims and orders **reserve** their amount and pieces in the same locked transaction:
  what can still be promised or booked is ``cap − spent − reserved`` (``budget.models.claims``).
* Rules on one row (amount > 0, quantity ≥ 1, receipt number unique per budget, votes ≥ 0,
  spent ≤ cap, a category's quantity ≤ its quantity cap, a ``stop`` category's spent ≤ its plan)
  are CHECK/UNIQUE constraints in the database, mirrored in ``clean()``.
* A booked expense is never edited or deleted. A correction is a ``Reversal`` that references the
  expense, releases its amount and quantity, and can happen only once per expense. The database
  enforces this too: triggers named ``append_only_<table>_no_update`` / ``_no_delete`` refuse any
  UPDATE or DELETE of an ``Expense`` or ``Reversal`` row (``budget/migrations/_append_only.py``).
* ``Budget.spent``, ``Category.spent`` and ``Category.quantity`` are running totals, written in the
  same locked transaction as each booking so reading them costs nothing however long the history;
  ``manage.py verify_totals`` recomputes them from the ledger and reports any difference.
* ``Budget.active_expense_count``, ``missing_receipt_count``, ``reversal_count``,
  ``last_booked_at`` (the newest expense, reversal or late receipt, for the retention date), the
  ``DailySpending`` rows and ``Category.active_expense_count`` / ``reversal_count`` are kept the
  same way, for the dashboard and the expense list.
* A form that books (an expense, a reversal) carries a one-time key issued when it is rendered;
  the key is stored with the row under a unique constraint, so a form sent twice books once.
* Receipt numbers are handed out per budget from ``Budget.last_receipt_number``, sequentially, and
  never reused (expenses are never deleted).
"""

# The models live by concept in the modules of this package; everything is importable from
# ``budget.models`` as before (migrations refer to the storage and file-name helpers here).
from budget import history as _history
from budget.models.budgets import (
    COST_CENTRE,
    Budget,
    BudgetQuerySet,
    Category,
    DailySpending,
    KeepsRunningTotals,
)
from budget.models.claims import (
    Claim,
    ClaimEvent,
    ClaimQuerySet,
    LifeEvent,
    format_iban,
    mask_iban,
)
from budget.models.datev import ACCOUNT_NUMBER, DatevSettings
from budget.models.files import (
    PrivateStorage,
    _private_storage,
    attachment_upload_to,
    claim_receipt_upload_to,
    pending_receipt_upload_to,
    private_storage,
    receipt_upload_to,
)
from budget.models.ledger import (
    Expense,
    ExpenseQuerySet,
    PendingReceipt,
    PendingReceiptQuerySet,
    ReceiptAttachment,
    ReceiptFile,
    Reversal,
)
from budget.models.orders import Order, OrderEvent, OrderQuerySet
from budget.models.payouts import PayoutAccount, PayoutBatch
from budget.models.resolutions import Resolution, ResolutionAttachment
from budget.money import MONEY

__all__ = [
    "ACCOUNT_NUMBER",
    "COST_CENTRE",
    "MONEY",
    "Budget",
    "BudgetQuerySet",
    "Category",
    "Claim",
    "ClaimEvent",
    "ClaimQuerySet",
    "DailySpending",
    "DatevSettings",
    "Expense",
    "ExpenseQuerySet",
    "KeepsRunningTotals",
    "LifeEvent",
    "Order",
    "OrderEvent",
    "OrderQuerySet",
    "PayoutAccount",
    "PayoutBatch",
    "PendingReceipt",
    "PendingReceiptQuerySet",
    "PrivateStorage",
    "ReceiptAttachment",
    "ReceiptFile",
    "Resolution",
    "ResolutionAttachment",
    "Reversal",
    "_private_storage",
    "attachment_upload_to",
    "claim_receipt_upload_to",
    "format_iban",
    "mask_iban",
    "pending_receipt_upload_to",
    "private_storage",
    "receipt_upload_to",
]

# Role changes are part of the audit trail too (see budget/history.py).
_history.track_users()
