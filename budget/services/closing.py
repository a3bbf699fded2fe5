"""Closing a budget after its statement of use, and — for admins, with a reason — reopening it.

A budget closes only when its statement of use is final: no claim submitted or approved but
neither paid nor waived, no open order, no payout batch that is not marked paid
(``open_items``). Otherwise closing is refused with those figures (``BudgetStillOpen``), checked
under the budget row lock that every claim, order and payout takes too.

A closed budget refuses bookings, reversals and every later kind of entry — claims, orders,
approvals, payout batches, marking a batch paid: each service checks ``Budget.is_closed`` under
the same budget row lock these functions take, so nothing slips in between. Who closed or
reopened it, when and why, is kept on the budget row and written with ``save()``, so the audit
trail (django-simple-history on ``Budget``) records each change.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from budget.exceptions import BudgetAlreadyClosed, BudgetNotClosed, BudgetStillOpen
from budget.models import Budget, Claim, Order, PayoutBatch
from budget.money import cents
from budget.services.booking import lock_budget
from budget.validators import check_text

NOTE_MAX_LENGTH = 2000


@dataclass(frozen=True)
class OpenItems:
    """What a budget still owes or has promised; nothing open means it may close."""

    claims: int = 0
    claims_amount: Decimal = Decimal("0.00")
    orders: int = 0
    orders_amount: Decimal = Decimal("0.00")
    batches: int = 0

    def __bool__(self) -> bool:
        return bool(self.claims or self.orders or self.batches)

    def refusal(self) -> BudgetStillOpen:
        return BudgetStillOpen(**asdict(self))


def open_items(budget: Budget | int) -> OpenItems:
    """Claims submitted, or approved and in no batch yet (neither paid nor waived); open orders
    (awaiting their second approval or not yet booked); batches not marked paid. A claim in an
    unpaid batch counts with its batch, not twice. Three queries."""
    budget_id = budget.pk if isinstance(budget, Budget) else budget
    claims = Claim.objects.filter(
        Q(state=Claim.State.SUBMITTED) | Q(state=Claim.State.APPROVED, payout_batch__isnull=True),
        budget_id=budget_id,
    ).aggregate(count=Count("pk"), total=Sum("amount"))
    orders = (
        Order.objects.open()
        .filter(budget_id=budget_id)
        .aggregate(count=Count("pk"), total=Sum("amount"))
    )
    batches = PayoutBatch.objects.filter(budget_id=budget_id, paid_on__isnull=True).count()
    return OpenItems(
        claims=claims["count"],
        claims_amount=cents(claims["total"]),
        orders=orders["count"],
        orders_amount=cents(orders["total"]),
        batches=batches,
    )


def close_budget(*, budget: Budget | int, closed_by, note: str) -> Budget:
    """Close ``budget`` with ``note``; raise ``BudgetAlreadyClosed`` if it is closed already and
    ``BudgetStillOpen`` (with the figures) while anything is still open (``open_items``)."""
    note = check_text("note", note, NOTE_MAX_LENGTH, _("Abschlussvermerk"))
    budget_id = budget.pk if isinstance(budget, Budget) else budget
    with transaction.atomic():
        locked = lock_budget(budget_id)
        if locked.is_closed:
            raise BudgetAlreadyClosed(budget=locked)
        still_open = open_items(locked)
        if still_open:
            raise still_open.refusal()
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
