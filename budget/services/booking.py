"""The one way to change the ledger: ``record_expense`` and ``reverse_expense``.

Both run in one transaction that first locks the budget row (``select_for_update``; on SQLite the
IMMEDIATE transaction mode serialises writers instead). Under that lock they read the running
totals, check every rule that spans rows, write the line and the new totals, and raise a
``BookingError`` carrying the figures the user needs when a rule would break. Nothing is written
when they raise, and an uploaded receipt file is removed again.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from budget import receipts
from budget.exceptions import (
    AlreadyBooked,
    AlreadyReversed,
    BudgetClosed,
    CapExceeded,
    CategoryMismatch,
    InvalidExpense,
    LedgerInconsistent,
    OutsideBudgetPeriod,
    PlanExceeded,
    QuantityCapExceeded,
    ReceiptStorageFailed,
    ReversalAlreadyBooked,
)
from budget.models import Budget, Category, DailySpending, Expense, ReceiptAttachment, Reversal
from budget.money import cents, format_eur
from budget.validators import check_amount, check_date, check_quantity, check_text

logger = logging.getLogger(__name__)


@dataclass
class BookingResult:
    expense: Expense
    warnings: list[str] = field(default_factory=list)


def lock_budget(budget_id: int) -> Budget:
    """The budget row, locked until the transaction ends: every service takes this lock first,
    so the caps are checked against totals nobody else can change meanwhile."""
    return Budget.objects.select_for_update().get(pk=budget_id)


def refuse_if_closed(locked: Budget) -> None:
    """A closed budget takes no change at all: every service asks this under the lock."""
    if locked.is_closed:
        raise BudgetClosed(budget=locked.name)


def lock_with_budget(model, row, *related: str):
    """Lock the budget of ``row`` (a claim, an order, a payout batch, or its pk), then the row
    itself, always in this order, so that two operations on one budget never wait for each
    other crosswise. Returns both; the row's ``budget`` is the locked one."""
    pk = row.pk if isinstance(row, model) else row
    budget_id = model.objects.values_list("budget_id", flat=True).get(pk=pk)
    locked = lock_budget(budget_id)
    locked_row = model.objects.select_for_update().select_related(*related).get(pk=pk)
    locked_row.budget = locked
    return locked, locked_row


def category_of(locked: Budget, category_id: int) -> Category:
    """The category ``category_id`` of ``locked``; any other id is refused on the form's
    ``category`` field."""
    cat = Category.objects.filter(pk=category_id, budget=locked).first()
    if cat is None:
        raise CategoryMismatch()
    return cat


def next_number(model, locked: Budget) -> int:
    """The next number of a claim, an order or a payout batch in ``locked``: taken under the
    budget row lock, so two at the same moment never get the same one."""
    last = model.objects.filter(budget=locked).order_by("-number").values_list("number", flat=True)
    return (last.first() or 0) + 1


def check_room(locked: Budget, cat: Category, amount: Decimal, quantity: int) -> list[str]:
    """The one place every cap is checked: may ``amount`` and ``quantity`` more be spent or
    promised in ``cat`` of ``locked``? Call it under the budget row lock (``locked`` was read
    with ``select_for_update``); open claims and orders count as spent (``reserved``). Raises a
    ``BookingError`` with the figures, or returns warnings (a ``warn`` category over its plan)."""
    reserved = locked.reserved
    committed = cents(locked.spent + reserved + amount)
    if committed > locked.cap:
        raise CapExceeded(
            remaining=locked.available, overshoot=committed - locked.cap, reserved=reserved
        )
    if cat.quantity_cap is not None:
        taken = cat.quantity + cat.reserved_quantity
        if taken + quantity > cat.quantity_cap:
            raise QuantityCapExceeded(
                category=cat.name,
                quantity_cap=cat.quantity_cap,
                remaining=cat.quantity_cap - taken,
                unit=cat.quantity_unit,
                reserved=cat.reserved_quantity,
            )
    warnings = []
    category_committed = cents(cat.spent + cat.reserved + amount)
    if cat.planned is not None and category_committed > cat.planned:
        if cat.over_plan == Category.OverPlan.STOP:
            raise PlanExceeded(
                category=cat.name,
                planned=cat.planned,
                remaining=cat.available_plan,
                overshoot=category_committed - cat.planned,
            )
        warnings.append(
            _("Die Kategorie „%(category)s“ liegt damit %(over)s über ihrem Plan von %(planned)s.")
            % {
                "category": cat.name,
                "over": format_eur(category_committed - cat.planned),
                "planned": format_eur(cat.planned),
            }
        )
    return warnings


def record_expense(
    *,
    budget: Budget | int,
    category: Category | int,
    spent_on: datetime.date,
    payee: str,
    description: str,
    amount: Decimal,
    created_by,
    quantity: int = 1,
    receipt=None,
    booking_key: uuid.UUID | None = None,
) -> BookingResult:
    """Book one receipt line, or raise a ``BookingError`` and write nothing.

    ``booking_key`` is the one-time key of the form (``budget.forms.one_time_keys``): if an
    expense of this budget was booked with it, nothing is booked and ``AlreadyBooked`` names that
    expense. Every form passes its key; ``None`` is for callers without a form (seed data,
    imports).
    """
    amount = check_amount(amount)
    check_quantity(quantity)
    check_date("spent_on", spent_on)
    payee = check_text("payee", payee, Expense._meta.get_field("payee").max_length, _("Empfänger"))
    description = check_text(
        "description",
        description,
        Expense._meta.get_field("description").max_length,
        _("Beschreibung"),
    )
    kind = inspect_receipt(receipt)

    budget_id = budget.pk if isinstance(budget, Budget) else budget
    category_id = category.pk if isinstance(category, Category) else category
    stored = None
    try:
        with transaction.atomic():
            locked = lock_budget(budget_id)
            # Under the lock, so a second send waits for the first and then finds its row.
            refuse_a_second_send(locked, booking_key)
            cat = category_of(locked, category_id)
            refuse_if_closed(locked)
            if not locked.covers(spent_on):
                raise OutsideBudgetPeriod(starts_on=locked.starts_on, ends_on=locked.ends_on)

            warnings = check_room(locked, cat, amount, quantity)
            new_spent = cents(locked.spent + amount)
            new_quantity = cat.quantity + quantity
            new_category_spent = cents(cat.spent + amount)

            receipt_number = locked.last_receipt_number + 1
            expense = Expense(
                budget=locked,
                category=cat,
                receipt_number=receipt_number,
                spent_on=spent_on,
                payee=payee,
                description=description,
                amount=amount,
                quantity=quantity,
                created_by=created_by,
                booking_key=booking_key,
            )
            if receipt:
                stored = store_receipt(receipt, budget_id=locked.pk, kind=kind)
                expense.receipt = stored.name
                expense.receipt_original_name = original_name(receipt)
                expense.receipt_content_type = kind.content_type
                expense.receipt_sha256 = stored.sha256
                expense.receipt_size = stored.size
            try:
                with transaction.atomic():
                    expense.save()
            except IntegrityError:
                # The unique key is the database's backstop against a second send; otherwise
                # only a ledger whose running totals drifted gets here (receipt number taken).
                refuse_a_second_send(locked, booking_key)
                logger.exception("Booking refused by the database for budget %s", locked.pk)
                raise LedgerInconsistent() from None
            Budget.objects.filter(pk=locked.pk).update(
                spent=new_spent,
                last_receipt_number=receipt_number,
                active_expense_count=F("active_expense_count") + 1,
                missing_receipt_count=F("missing_receipt_count") + (0 if receipt else 1),
                last_booked_at=latest(locked.last_booked_at, expense.created_at),
            )
            _add_to_day(locked, spent_on, amount)
            Category.objects.filter(pk=cat.pk).update(
                spent=new_category_spent,
                quantity=new_quantity,
                active_expense_count=F("active_expense_count") + 1,
            )
    except BaseException:
        # Whatever failed after the file was written (a rule, the database, the commit itself),
        # the file goes again: by the generated name it was stored under.
        if stored is not None:
            receipts.discard(stored.name)
        raise
    return BookingResult(expense=expense, warnings=warnings)


def inspect_receipt(upload) -> receipts.ReceiptKind | None:
    """What the uploaded receipt is (by its content), ``None`` without one; a file that is no
    receipt is refused on the form's ``receipt`` field. Checked before the lock is taken."""
    if not upload:
        return None
    try:
        return receipts.inspect(upload)
    except receipts.InvalidReceipt as exc:
        raise InvalidExpense("receipt", exc.message) from exc


def store_receipt(upload, *, budget_id: int, kind) -> receipts.StoredReceipt:
    try:
        return receipts.store(upload, budget_id=budget_id, kind=kind)
    except receipts.ReceiptNotStored as exc:
        logger.error("Booking refused for budget %s: receipt not stored (%s)", budget_id, exc)
        raise ReceiptStorageFailed() from exc


def refuse_a_second_send(budget: Budget, booking_key) -> None:
    if booking_key is None:
        return
    booked = Expense.objects.filter(budget=budget, booking_key=booking_key).first()
    if booked is not None:
        raise AlreadyBooked(expense=booked)


def reverse_expense(
    *, expense: Expense | int, reason: str, created_by, booking_key: uuid.UUID | None = None
) -> Reversal:
    """Cancel one expense completely (Storno), releasing its amount and quantity.

    A second send of the same reversal form (same ``booking_key``) raises
    ``ReversalAlreadyBooked``; any other attempt on a reversed expense ``AlreadyReversed``."""
    reason = check_text("reason", reason, Reversal._meta.get_field("reason").max_length, _("Grund"))
    expense_id = expense.pk if isinstance(expense, Expense) else expense
    budget_id = Expense.objects.values_list("budget_id", flat=True).get(pk=expense_id)
    try:
        with transaction.atomic():
            locked = lock_budget(budget_id)
            original = Expense.objects.select_related("category").get(pk=expense_id)
            _refuse_a_second_reversal(original, booking_key)
            refuse_if_closed(locked)
            reversal = Reversal.objects.create(
                expense=original, reason=reason, created_by=created_by, booking_key=booking_key
            )
            cat = original.category
            Budget.objects.filter(pk=locked.pk).update(
                spent=cents(locked.spent - original.amount),
                active_expense_count=F("active_expense_count") - 1,
                missing_receipt_count=F("missing_receipt_count")
                - (0 if original.receipt or _has_late_receipt(original) else 1),
                reversal_count=F("reversal_count") + 1,
                last_booked_at=latest(locked.last_booked_at, reversal.created_at),
            )
            _add_to_day(locked, original.spent_on, -original.amount)
            Category.objects.filter(pk=cat.pk).update(
                spent=cents(cat.spent - original.amount),
                quantity=cat.quantity - original.quantity,
                active_expense_count=F("active_expense_count") - 1,
                reversal_count=F("reversal_count") + 1,
            )
    except IntegrityError:
        # The one-to-one constraint is the database's backstop against a second reversal;
        # anything else means the running totals drifted from the ledger.
        _refuse_a_second_reversal(original, booking_key)
        logger.exception("Reversal refused by the database for expense %s", expense_id)
        raise LedgerInconsistent() from None
    return reversal


def _has_late_receipt(expense: Expense) -> bool:
    return ReceiptAttachment.objects.filter(expense_id=expense.pk).exists()


def _refuse_a_second_reversal(expense: Expense, booking_key) -> None:
    done = Reversal.objects.filter(expense_id=expense.pk).values_list("booking_key", flat=True)
    for key in done:
        if booking_key is not None and key == booking_key:
            raise ReversalAlreadyBooked(receipt_number=expense.receipt_number)
        raise AlreadyReversed(receipt_number=expense.receipt_number)


def latest(last_booked_at: datetime.datetime | None, moment: datetime.datetime):
    """``Budget.last_booked_at`` after a new ledger entry made at ``moment``: the newest entry's
    time, as ``verify_totals`` recomputes it, even if the clock was set back in between."""
    return moment if last_booked_at is None else max(last_booked_at, moment)


def _add_to_day(budget: Budget, day: datetime.date, amount: Decimal) -> None:
    # Runs under the budget lock, so read-modify-write of the day's row cannot race.
    row, created = DailySpending.objects.get_or_create(
        budget=budget, day=day, defaults={"spent": cents(amount)}
    )
    if not created:
        DailySpending.objects.filter(pk=row.pk).update(spent=cents(row.spent + amount))


def original_name(upload) -> str:
    name = getattr(upload, "name", "") or ""
    return name.replace("\\", "/").rsplit("/", 1)[-1][:255]
