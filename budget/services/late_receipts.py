"""Handing in a receipt after the booking ("Beleg nachreichen").

The paper receipt often arrives days after the money was spent. The booked expense stays exactly as
it was; the file becomes its own append-only ``ReceiptAttachment`` row (who, when, SHA-256, size),
once per expense. Like every change to the ledger it runs under the budget row lock, and the
dashboard's running count of expenses without a receipt falls in the same transaction.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from budget import receipts
from budget.exceptions import InvalidExpense, ReceiptAlreadyPresent
from budget.models import Budget, Expense, ReceiptAttachment
from budget.services.booking import (
    inspect_receipt,
    latest,
    lock_budget,
    original_name,
    refuse_if_closed,
    store_receipt,
)

logger = logging.getLogger(__name__)


def attach_receipt(*, expense: Expense | int, receipt, created_by) -> ReceiptAttachment:
    """Record ``receipt`` as the file of an expense booked without one, or raise a
    ``BookingError`` and keep nothing (no row, no file)."""
    if not receipt:
        raise InvalidExpense("receipt", _("Bitte eine Belegdatei auswählen."))
    kind = inspect_receipt(receipt)
    expense_id = expense.pk if isinstance(expense, Expense) else expense
    budget_id = Expense.objects.values_list("budget_id", flat=True).get(pk=expense_id)
    stored = None
    try:
        with transaction.atomic():
            locked = lock_budget(budget_id)
            original = Expense.objects.select_related("reversal").get(pk=expense_id)
            if original.receipt or ReceiptAttachment.objects.filter(expense=original).exists():
                raise ReceiptAlreadyPresent(receipt_number=original.receipt_number)
            refuse_if_closed(locked)
            stored = store_receipt(receipt, budget_id=locked.pk, kind=kind)
            attachment = ReceiptAttachment.objects.create(
                expense=original,
                file=stored.name,
                original_name=original_name(receipt),
                content_type=kind.content_type,
                sha256=stored.sha256,
                size=stored.size,
                created_by=created_by,
            )
            # A reversed expense no longer counts as missing its receipt.
            Budget.objects.filter(pk=locked.pk).update(
                missing_receipt_count=F("missing_receipt_count")
                - (0 if original.is_reversed else 1),
                last_booked_at=latest(locked.last_booked_at, attachment.created_at),
            )
    except IntegrityError:
        if stored is not None:
            receipts.discard(stored.name)
        # The one-to-one constraint is the backstop against two hand-ins at the same moment.
        if ReceiptAttachment.objects.filter(expense_id=expense_id).exists():
            number = Expense.objects.values_list("receipt_number", flat=True).get(pk=expense_id)
            raise ReceiptAlreadyPresent(receipt_number=number) from None
        raise
    except BaseException:
        if stored is not None:
            receipts.discard(stored.name)
        raise
    return attachment
