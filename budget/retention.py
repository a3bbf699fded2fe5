"""How long a budget's receipts and records are kept.

PartG § 24 Abs. 2 (with HGB § 257 / AO § 147): ten years after the end of the calendar year of
the budget's last booking: an expense, a reversal or a receipt handed in later. The number of
years is ``settings.RECEIPT_RETENTION_YEARS`` (at least 10). The app deletes no receipt at all;
this date only tells the treasurer from when on the paper and the files may go.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from budget.models import Budget, Expense, ReceiptAttachment, Reversal


def last_booking(budget: Budget) -> datetime.datetime | None:
    """When the budget's ledger last gained an entry, recomputed from the ledger (one query).

    Its reversals and late receipts are found only through the budget's expenses, so this grows
    with the ledger: pages read ``Budget.last_booked_at``, which the booking services keep, and
    ``verify_totals`` compares the two."""
    newest = Expense.objects.filter(budget=OuterRef("pk")).order_by("-receipt_number")
    reversal = Reversal.objects.filter(expense__budget=OuterRef("pk")).order_by("-created_at")
    attached = ReceiptAttachment.objects.filter(expense__budget=OuterRef("pk")).order_by(
        "-created_at"
    )
    row = (
        Budget.objects.filter(pk=budget.pk)
        .annotate(
            last_expense=Subquery(newest.values("created_at")[:1]),
            last_reversal=Subquery(reversal.values("created_at")[:1]),
            last_attachment=Subquery(attached.values("created_at")[:1]),
        )
        .values_list("last_expense", "last_reversal", "last_attachment")
        .first()
    )
    moments = [moment for moment in (row or ()) if moment is not None]
    return max(moments) if moments else None


def kept_until(budget: Budget, *, last: datetime.datetime | None = None) -> datetime.date | None:
    """The last day the receipts must be kept, or ``None`` while nothing is booked."""
    last = last if last is not None else budget.last_booked_at
    if last is None:
        return None
    year = timezone.localtime(last).year + settings.RECEIPT_RETENTION_YEARS
    return datetime.date(year, 12, 31)
