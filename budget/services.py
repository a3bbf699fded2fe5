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
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from . import receipts
from .models import Budget, Category, DailySpending, Expense, ReceiptAttachment, Reversal
from .money import ZERO, cents, format_eur
from .validators import FORBIDDEN_IN_TEXT, MAX_AMOUNT, has_forbidden_characters

logger = logging.getLogger(__name__)


class BookingError(Exception):
    """A booking or reversal was refused. ``field`` names the form field the message belongs to."""

    field: str | None = None

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""

    def __str__(self) -> str:
        return self.message


class InvalidExpense(BookingError):
    def __init__(self, field: str | None, text: str):
        super().__init__(text)
        self.field = field
        self.text = text

    @property
    def message(self) -> str:
        return self.text


class CapExceeded(BookingError):
    """``remaining`` is what can still be promised: cap − spent − ``reserved``."""

    field = "amount"

    def __init__(self, *, remaining: Decimal, overshoot: Decimal, reserved: Decimal = ZERO):
        super().__init__(remaining, overshoot)
        self.remaining = remaining
        self.overshoot = overshoot
        self.reserved = reserved

    @property
    def message(self) -> str:
        figures = {
            "overshoot": format_eur(self.overshoot),
            "remaining": format_eur(self.remaining),
            "reserved": format_eur(self.reserved),
        }
        if self.reserved:
            return (
                _(
                    "Das würde das Budget um %(overshoot)s überschreiten. Noch verfügbar: "
                    "%(remaining)s (%(reserved)s sind für offene Erstattungen und Bestellungen "
                    "vorgemerkt)."
                )
                % figures
            )
        return (
            _(
                "Diese Ausgabe würde das Budget um %(overshoot)s überschreiten. "
                "Noch verfügbar: %(remaining)s."
            )
            % figures
        )


class PlanExceeded(BookingError):
    field = "amount"

    def __init__(self, *, category: str, planned: Decimal, remaining: Decimal, overshoot: Decimal):
        super().__init__(category, remaining, overshoot)
        self.category = category
        self.planned = planned
        self.remaining = remaining
        self.overshoot = overshoot

    @property
    def message(self) -> str:
        return _(
            "Diese Ausgabe würde den Plan der Kategorie „%(category)s“ (%(planned)s) um "
            "%(overshoot)s überschreiten. Im Plan noch verfügbar: %(remaining)s."
        ) % {
            "category": self.category,
            "planned": format_eur(self.planned),
            "overshoot": format_eur(self.overshoot),
            "remaining": format_eur(max(self.remaining, Decimal("0"))),
        }


class QuantityCapExceeded(BookingError):
    field = "quantity"

    def __init__(
        self, *, category: str, quantity_cap: int, remaining: int, unit: str, reserved: int = 0
    ):
        super().__init__(category, quantity_cap, remaining)
        self.category = category
        self.quantity_cap = quantity_cap
        self.remaining = remaining
        self.unit = unit
        self.reserved = reserved

    @property
    def message(self) -> str:
        figures = {
            "category": self.category,
            "cap": self.quantity_cap,
            "remaining": max(self.remaining, 0),
            "unit": self.unit,
            "reserved": self.reserved,
        }
        if self.reserved:
            return (
                _(
                    "Für „%(category)s“ sind höchstens %(cap)s %(unit)s erlaubt. "
                    "Noch möglich: %(remaining)s %(unit)s (%(reserved)s %(unit)s sind für offene "
                    "Erstattungen und Bestellungen vorgemerkt)."
                )
                % figures
            )
        return (
            _(
                "Für „%(category)s“ sind höchstens %(cap)s %(unit)s erlaubt. "
                "Noch möglich: %(remaining)s %(unit)s."
            )
            % figures
        )


class BudgetClosed(BookingError):
    def __init__(self, *, budget: str):
        super().__init__(budget)
        self.budget = budget

    @property
    def message(self) -> str:
        return _(
            "Das Budget „%(budget)s“ ist abgeschlossen; es nimmt keine Änderungen mehr an."
        ) % {"budget": self.budget}


class OutsideBudgetPeriod(BookingError):
    field = "spent_on"

    def __init__(self, *, starts_on: datetime.date, ends_on: datetime.date | None):
        super().__init__(starts_on, ends_on)
        self.starts_on = starts_on
        self.ends_on = ends_on

    @property
    def message(self) -> str:
        start = formats.date_format(self.starts_on, "SHORT_DATE_FORMAT")
        if self.ends_on is None:
            return _("Das Datum liegt vor dem Beginn des Budgets (%(start)s).") % {"start": start}
        return _("Das Datum liegt außerhalb des Budgetzeitraums (%(start)s bis %(end)s).") % {
            "start": start,
            "end": formats.date_format(self.ends_on, "SHORT_DATE_FORMAT"),
        }


class CategoryMismatch(BookingError):
    field = "category"

    @property
    def message(self) -> str:
        return _("Diese Kategorie gehört nicht zu diesem Budget.")


class AlreadyReversed(BookingError):
    def __init__(self, *, receipt_number: int):
        super().__init__(receipt_number)
        self.receipt_number = receipt_number

    @property
    def message(self) -> str:
        return _(
            "Beleg %(number)s ist bereits storniert; ein Beleg kann nur einmal storniert werden."
        ) % {"number": self.receipt_number}


class ReceiptStorageFailed(BookingError):
    """The receipt file could not be written (disk full, read-only, no permission)."""

    @property
    def message(self) -> str:
        return _(
            "Die Belegdatei konnte nicht gespeichert werden; es wurde nichts gebucht. "
            "Ohne Datei buchen oder später erneut versuchen."
        )


class AlreadyBooked(BookingError):
    """The form was sent before and booked ``expense``; this send books nothing."""

    def __init__(self, *, expense: Expense):
        super().__init__(expense.receipt_number)
        self.expense = expense

    @property
    def message(self) -> str:
        return _("Dieser Beleg wurde bereits gebucht (Nr. %(number)s).") % {
            "number": self.expense.receipt_number
        }


class ReversalAlreadyBooked(AlreadyReversed):
    """The reversal form was sent before and reversed the expense; this send changes nothing."""

    @property
    def message(self) -> str:
        return _("Diese Stornierung wurde bereits gebucht (Beleg Nr. %(number)s).") % {
            "number": self.receipt_number
        }


class LedgerInconsistent(BookingError):
    @property
    def message(self) -> str:
        return _(
            "Die Buchung wurde nicht gespeichert: die Summen des Budgets stimmen nicht mit dem "
            "Journal überein. Bitte die Administration bitten, „manage.py verify_totals“ "
            "auszuführen."
        )


@dataclass
class BookingResult:
    expense: Expense
    warnings: list[str] = field(default_factory=list)


def _check_amount(amount) -> Decimal:
    if not isinstance(amount, Decimal):
        raise InvalidExpense("amount", _("Bitte einen Betrag in Euro angeben."))
    if not amount.is_finite():
        raise InvalidExpense("amount", _("Bitte einen gültigen Betrag angeben."))
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidExpense("amount", _("Der Betrag darf höchstens zwei Nachkommastellen haben."))
    if amount <= 0:
        raise InvalidExpense("amount", _("Der Betrag muss größer als 0 sein."))
    if amount > MAX_AMOUNT:
        raise InvalidExpense("amount", _("Der Betrag ist zu groß."))
    return cents(amount)


# Control, bidi and zero-width characters have no place on a receipt (budget.validators).
CONTROL_CHARACTERS = FORBIDDEN_IN_TEXT


def _check_text(field_name: str, value: str, max_length: int, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidExpense(field_name, _("%(label)s fehlt.") % {"label": label})
    if has_forbidden_characters(value):
        raise InvalidExpense(
            field_name, _("%(label)s enthält unzulässige Steuerzeichen.") % {"label": label}
        )
    if len(value) > max_length:
        raise InvalidExpense(
            field_name,
            _("%(label)s ist zu lang (höchstens %(max)s Zeichen).")
            % {"label": label, "max": max_length},
        )
    return value


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
                remaining=cents(cat.planned - cat.spent - cat.reserved),
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

    ``booking_key`` is the one-time key of the form (``budget.one_time_keys``): if an expense of
    this budget was booked with it, nothing is booked and ``AlreadyBooked`` names that expense.
    Every form passes its key; ``None`` is for callers without a form (seed data, imports).
    """
    amount = _check_amount(amount)
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise InvalidExpense("quantity", _("Die Menge muss eine ganze Zahl ab 1 sein."))
    if not isinstance(spent_on, datetime.date) or isinstance(spent_on, datetime.datetime):
        raise InvalidExpense("spent_on", _("Bitte ein gültiges Datum angeben."))
    if spent_on > timezone.localdate():
        # A booked line can never be removed, so a typo like 2204 would stay on the books.
        raise InvalidExpense("spent_on", _("Das Datum liegt in der Zukunft."))
    payee = _check_text("payee", payee, Expense._meta.get_field("payee").max_length, _("Empfänger"))
    description = _check_text(
        "description",
        description,
        Expense._meta.get_field("description").max_length,
        _("Beschreibung"),
    )
    kind = None
    if receipt:
        try:
            kind = receipts.inspect(receipt)
        except receipts.InvalidReceipt as exc:
            raise InvalidExpense("receipt", exc.message) from exc

    budget_id = budget.pk if isinstance(budget, Budget) else budget
    category_id = category.pk if isinstance(category, Category) else category
    stored = None
    try:
        with transaction.atomic():
            locked = Budget.objects.select_for_update().get(pk=budget_id)
            # Under the lock, so a second send waits for the first and then finds its row.
            _refuse_a_second_send(locked, booking_key)
            try:
                cat = Category.objects.get(pk=category_id)
            except Category.DoesNotExist:
                raise CategoryMismatch() from None
            if cat.budget_id != locked.pk:
                raise CategoryMismatch()
            if locked.is_closed:
                raise BudgetClosed(budget=locked.name)
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
                stored = _store_receipt(receipt, budget_id=locked.pk, kind=kind)
                expense.receipt = stored.name
                expense.receipt_original_name = _original_name(receipt)
                expense.receipt_content_type = kind.content_type
                expense.receipt_sha256 = stored.sha256
                expense.receipt_size = stored.size
            try:
                with transaction.atomic():
                    expense.save()
            except IntegrityError:
                # The unique key is the database's backstop against a second send; otherwise
                # only a ledger whose running totals drifted gets here (receipt number taken).
                _refuse_a_second_send(locked, booking_key)
                logger.exception("Booking refused by the database for budget %s", locked.pk)
                raise LedgerInconsistent() from None
            Budget.objects.filter(pk=locked.pk).update(
                spent=new_spent,
                last_receipt_number=receipt_number,
                active_expense_count=F("active_expense_count") + 1,
                missing_receipt_count=F("missing_receipt_count") + (0 if receipt else 1),
            )
            _add_to_day(locked, spent_on, amount)
            Category.objects.filter(pk=cat.pk).update(
                spent=new_category_spent, quantity=new_quantity
            )
    except BaseException:
        # Whatever failed after the file was written (a rule, the database, the commit itself),
        # the file goes again: by the generated name it was stored under.
        if stored is not None:
            receipts.discard(stored.name)
        raise
    return BookingResult(expense=expense, warnings=warnings)


def _store_receipt(upload, *, budget_id: int, kind) -> receipts.StoredReceipt:
    try:
        return receipts.store(upload, budget_id=budget_id, kind=kind)
    except receipts.ReceiptNotStored as exc:
        logger.error("Booking refused for budget %s: receipt not stored (%s)", budget_id, exc)
        raise ReceiptStorageFailed() from exc


def _refuse_a_second_send(budget: Budget, booking_key) -> None:
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
    reason = _check_text(
        "reason", reason, Reversal._meta.get_field("reason").max_length, _("Grund")
    )
    expense_id = expense.pk if isinstance(expense, Expense) else expense
    budget_id = Expense.objects.values_list("budget_id", flat=True).get(pk=expense_id)
    try:
        with transaction.atomic():
            locked = Budget.objects.select_for_update().get(pk=budget_id)
            original = Expense.objects.select_related("category").get(pk=expense_id)
            _refuse_a_second_reversal(original, booking_key)
            if locked.is_closed:
                raise BudgetClosed(budget=locked.name)
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
            )
            _add_to_day(locked, original.spent_on, -original.amount)
            Category.objects.filter(pk=cat.pk).update(
                spent=cents(cat.spent - original.amount), quantity=cat.quantity - original.quantity
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


def _add_to_day(budget: Budget, day: datetime.date, amount: Decimal) -> None:
    # Runs under the budget lock, so read-modify-write of the day's row cannot race.
    row, created = DailySpending.objects.get_or_create(
        budget=budget, day=day, defaults={"spent": cents(amount)}
    )
    if not created:
        DailySpending.objects.filter(pk=row.pk).update(spent=cents(row.spent + amount))


def _original_name(upload) -> str:
    name = getattr(upload, "name", "") or ""
    return name.replace("\\", "/").rsplit("/", 1)[-1][:255]
