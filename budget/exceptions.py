"""Why a booking, a claim, an order or a payout was refused: one family of exceptions.

Every refusal is a ``BookingError``. A subclass states its message once, as a lazy translatable
template (``text``), and which form field it belongs to (``field``); it is raised with the figures
the template names, as keyword arguments::

    raise CapExceeded(remaining=Decimal("200.00"), overshoot=Decimal("0.01"))

The figures stay on the exception as attributes (``exc.remaining``) and are formatted for the
message in the active language when the message is read (``str(exc)`` / ``exc.message``): euros
as ``1.234,56 €``, dates as ``24.11.2023``. A refusal whose wording depends on the situation (most
claim and payout refusals) is raised with its text: ``raise OwnClaim(_("…"))``.

Views turn a ``BookingError`` into an error on ``exc.field`` of their form, or into a message on
the page when ``field`` is ``None``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from budget.money import format_eur


class BookingError(Exception):
    """A change was refused; nothing was written. ``field``: the form field the message belongs
    to, or ``None`` for the page. ``text``: the message, a lazy template of the figures."""

    field: str | None = None
    text = _("Die Änderung wurde abgelehnt; es wurde nichts gespeichert.")

    def __init__(self, text=None, *, field: str | None = None, **figures):
        if text is not None:
            self.text = text
        if field is not None:
            self.field = field
        self.figures = figures
        for name, value in figures.items():
            setattr(self, name, value)
        if figures:
            super().__init__(*figures.values())
        else:
            super().__init__(self.text)

    def template(self):
        """The text to format; a subclass with two wordings chooses here."""
        return self.text

    def params(self) -> dict:
        """The figures as the message shows them; euros and dates are formatted here."""
        return {name: _display(value) for name, value in self.figures.items()}

    @property
    def message(self) -> str:
        text = str(self.template())
        return text % self.params() if "%(" in text else text

    def __str__(self) -> str:
        return self.message


def _display(value):
    if isinstance(value, Decimal):
        return format_eur(value)
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATE_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return value


# --- Input ---------------------------------------------------------------------------------------


class InvalidExpense(BookingError):
    """A value that cannot be booked (empty, malformed, too long); ``text`` says which."""

    def __init__(self, field: str | None, text):
        super().__init__(text, field=field)


class CategoryMismatch(BookingError):
    field = "category"
    text = _("Diese Kategorie gehört nicht zu diesem Budget.")


class OutsideBudgetPeriod(BookingError):
    field = "spent_on"
    text = _("Das Datum liegt außerhalb des Budgetzeitraums (%(start)s bis %(end)s).")

    def __init__(self, *, starts_on: datetime.date, ends_on: datetime.date | None):
        super().__init__(starts_on=starts_on, ends_on=ends_on)

    def template(self):
        if self.ends_on is None:
            return _("Das Datum liegt vor dem Beginn des Budgets (%(start)s).")
        return self.text

    def params(self) -> dict:
        return {"start": _display(self.starts_on), "end": _display(self.ends_on)}


# --- Caps ----------------------------------------------------------------------------------------


class CapExceeded(BookingError):
    """``remaining`` is what can still be promised: cap − spent − ``reserved``."""

    field = "amount"
    text = _(
        "Diese Ausgabe würde das Budget um %(overshoot)s überschreiten. "
        "Noch verfügbar: %(remaining)s."
    )
    text_with_reserved = _(
        "Das würde das Budget um %(overshoot)s überschreiten. Noch verfügbar: "
        "%(remaining)s (%(reserved)s sind für offene Erstattungen und Bestellungen "
        "vorgemerkt)."
    )

    def __init__(self, *, remaining: Decimal, overshoot: Decimal, reserved: Decimal = Decimal(0)):
        super().__init__(remaining=remaining, overshoot=overshoot, reserved=reserved)

    def template(self):
        return self.text_with_reserved if self.reserved else self.text


class PlanExceeded(BookingError):
    field = "amount"
    text = _(
        "Diese Ausgabe würde den Plan der Kategorie „%(category)s“ (%(planned)s) um "
        "%(overshoot)s überschreiten. Im Plan noch verfügbar: %(remaining)s."
    )

    def __init__(self, *, category: str, planned: Decimal, remaining: Decimal, overshoot: Decimal):
        super().__init__(
            category=category, planned=planned, remaining=remaining, overshoot=overshoot
        )

    def params(self) -> dict:
        return super().params() | {"remaining": format_eur(max(self.remaining, Decimal("0")))}


class QuantityCapExceeded(BookingError):
    field = "quantity"
    text = _(
        "Für „%(category)s“ sind höchstens %(cap)s %(unit)s erlaubt. "
        "Noch möglich: %(remaining)s %(unit)s."
    )
    text_with_reserved = _(
        "Für „%(category)s“ sind höchstens %(cap)s %(unit)s erlaubt. "
        "Noch möglich: %(remaining)s %(unit)s (%(reserved)s %(unit)s sind für offene "
        "Erstattungen und Bestellungen vorgemerkt)."
    )

    def __init__(
        self, *, category: str, quantity_cap: int, remaining: int, unit: str, reserved: int = 0
    ):
        super().__init__(
            category=category,
            quantity_cap=quantity_cap,
            remaining=remaining,
            unit=unit,
            reserved=reserved,
        )

    def template(self):
        return self.text_with_reserved if self.reserved else self.text

    def params(self) -> dict:
        return {
            "category": self.category,
            "cap": self.quantity_cap,
            "remaining": max(self.remaining, 0),
            "unit": self.unit,
            "reserved": self.reserved,
        }


# --- Once only -----------------------------------------------------------------------------------


class AlreadyBooked(BookingError):
    """The form was sent before and booked ``expense``; this send books nothing."""

    text = _("Dieser Beleg wurde bereits gebucht (Nr. %(number)s).")

    def __init__(self, *, expense):
        super().__init__(expense=expense)

    def params(self) -> dict:
        return {"number": self.expense.receipt_number}


class AlreadyReversed(BookingError):
    text = _("Beleg %(number)s ist bereits storniert; ein Beleg kann nur einmal storniert werden.")

    def __init__(self, *, receipt_number: int):
        super().__init__(receipt_number=receipt_number)

    def params(self) -> dict:
        return {"number": self.receipt_number}


class ReversalAlreadyBooked(AlreadyReversed):
    """The reversal form was sent before and reversed the expense; this send changes nothing."""

    text = _("Diese Stornierung wurde bereits gebucht (Beleg Nr. %(number)s).")


class ReceiptAlreadyPresent(BookingError):
    field = "receipt"
    text = _(
        "Zu Beleg %(number)s gibt es bereits eine Belegdatei; sie kann nur einmal "
        "nachgereicht werden."
    )

    def __init__(self, *, receipt_number: int):
        super().__init__(receipt_number=receipt_number)

    def params(self) -> dict:
        return {"number": self.receipt_number}


class AlreadyOrdered(BookingError):
    text = _("Diese Bestellung wurde bereits erfasst (%(reference)s).")

    def __init__(self, order):
        super().__init__(order=order)

    def params(self) -> dict:
        return {"reference": self.order.reference}


# --- The budget's state --------------------------------------------------------------------------


class BudgetClosed(BookingError):
    text = _("Das Budget „%(budget)s“ ist abgeschlossen; es nimmt keine Änderungen mehr an.")

    def __init__(self, *, budget: str):
        super().__init__(budget=budget)


class BudgetAlreadyClosed(BookingError):
    text = _("Das Budget „%(budget)s“ wurde bereits am %(when)s abgeschlossen.")

    def __init__(self, *, budget):
        super().__init__(budget=budget)

    def params(self) -> dict:
        closed_at = self.budget.closed_at
        return {"budget": self.budget.name, "when": _display(closed_at) if closed_at else "–"}


class BudgetStillOpen(BookingError):
    """Closing refused: money is still promised. The statement of use is final only when no
    claim is submitted or approved-but-unpaid (and not waived), no order is open and every payout
    batch is marked paid; the figures say what is left."""

    text = _(
        "Das Budget kann noch nicht abgeschlossen werden. Noch offen: %(items)s. Der "
        "Verwendungsnachweis ist erst endgültig, wenn keine Erstattung, keine Bestellung und "
        "keine Auszahlung mehr offen ist."
    )

    def __init__(
        self,
        *,
        claims: int,
        claims_amount: Decimal,
        orders: int,
        orders_amount: Decimal,
        batches: int,
    ):
        super().__init__(
            claims=claims,
            claims_amount=claims_amount,
            orders=orders,
            orders_amount=orders_amount,
            batches=batches,
        )

    def params(self) -> dict:
        items = []
        if self.claims:
            items.append(
                ngettext(
                    "%(count)s Erstattung (%(amount)s)",
                    "%(count)s Erstattungen (%(amount)s)",
                    self.claims,
                )
                % {"count": self.claims, "amount": format_eur(self.claims_amount)}
            )
        if self.orders:
            items.append(
                ngettext(
                    "%(count)s Bestellung (%(amount)s)",
                    "%(count)s Bestellungen (%(amount)s)",
                    self.orders,
                )
                % {"count": self.orders, "amount": format_eur(self.orders_amount)}
            )
        if self.batches:
            items.append(
                ngettext(
                    "%(count)s Auszahlung nicht als bezahlt markiert",
                    "%(count)s Auszahlungen nicht als bezahlt markiert",
                    self.batches,
                )
                % {"count": self.batches}
            )
        return {"items": ", ".join(items)}


class BudgetNotClosed(BookingError):
    text = _("Das Budget „%(budget)s“ ist nicht abgeschlossen.")

    def __init__(self, *, budget):
        super().__init__(budget=budget)

    def params(self) -> dict:
        return {"budget": self.budget.name}


# --- Files and totals ----------------------------------------------------------------------------


class ReceiptStorageFailed(BookingError):
    """The receipt file could not be written (disk full, read-only, no permission)."""

    text = _(
        "Die Belegdatei konnte nicht gespeichert werden; es wurde nichts gebucht. "
        "Ohne Datei buchen oder später erneut versuchen."
    )


class LedgerInconsistent(BookingError):
    text = _(
        "Die Buchung wurde nicht gespeichert: die Summen des Budgets stimmen nicht mit dem "
        "Journal überein. Bitte die Administration bitten, „manage.py verify_totals“ "
        "auszuführen."
    )


# --- Claims, orders, payouts: the wording depends on the situation, so it is raised with them ---


class ClaimError(BookingError):
    """A claim, order or payout step was refused; raised with its text (and ``field=``)."""

    def __init__(self, text, field: str | None = None):
        super().__init__(text, field=field)


class ClaimsNotAccepted(ClaimError):
    pass


class OwnClaim(ClaimError):
    pass


class SameApprover(ClaimError):
    pass


class WrongState(ClaimError):
    pass


class TreasurerDecidesFirst(ClaimError):
    """An approver without the treasurer's permission (the director) tried to decide a claim
    that is the treasurer's to decide: not a treasurer's own claim, and no first approval by
    somebody else on record. The director's part is the second approval."""

    text = _(
        "Die Erstattung %(reference)s genehmigt die Schatzmeisterei. Die Geschäftsführung "
        "genehmigt nur Erstattungen von Schatzmeister*innen und gibt die zweite Freigabe, wo "
        "eine nötig ist."
    )
    text_first_of_two = _(
        "Die erste Freigabe von %(reference)s gibt die Schatzmeisterei; danach können Sie die "
        "zweite Freigabe geben."
    )
    text_reject = _("Über die Erstattung %(reference)s entscheidet zuerst die Schatzmeisterei.")

    def __init__(self, *, claim, rejecting: bool = False):
        BookingError.__init__(self, claim=claim, rejecting=rejecting)

    def template(self):
        if self.rejecting:
            return self.text_reject
        return self.text_first_of_two if self.claim.needs_second_approval else self.text

    def params(self) -> dict:
        return {"reference": self.claim.reference}


class AlreadySubmitted(ClaimError):
    text = _("Diese Erstattung wurde bereits eingereicht (%(reference)s).")

    def __init__(self, claim):
        BookingError.__init__(self, claim=claim)

    def params(self) -> dict:
        return {"reference": self.claim.reference}


class NoPayoutAccount(ClaimError):
    pass


class NothingToPay(ClaimError):
    pass


class AlreadyBatched(ClaimError):
    text = _("Diese Auszahlung wurde bereits erstellt (%(reference)s).")

    def __init__(self, batch):
        BookingError.__init__(self, batch=batch)

    def params(self) -> dict:
        return {"reference": self.batch.reference}
