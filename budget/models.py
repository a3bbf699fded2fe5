"""The resolution → budget → category → expense ledger.

Money rules this app guarantees:

* Money is ``Decimal`` with two places (``DecimalField(max_digits=12, decimal_places=2)``), never
  float. Amounts are gross euros; every rounding goes through ``budget.money.cents`` (half up).
* A budget never spends more than its cap, a category never holds more pieces than its quantity
  cap, and a ``stop`` category never exceeds its planned amount. These rules span rows, so they are
  enforced in exactly one place, ``budget.services.record_expense``, inside one transaction that
  locks the budget row. The admin, every view and every command book through it.
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
* ``Budget.active_expense_count``, ``missing_receipt_count``, ``reversal_count`` and the
  ``DailySpending`` rows are kept the same way, for the dashboard.
* A form that books (an expense, a reversal) carries a one-time key issued when it is rendered;
  the key is stored with the row under a unique constraint, so a form sent twice books once.
* Receipt numbers are handed out per budget from ``Budget.last_receipt_number``, sequentially, and
  never reused (expenses are never deleted).
"""

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils import formats
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import history as _history
from .datev_settings import ACCOUNT_NUMBER, DatevSettings  # noqa: F401 - a model of this app
from .money import ZERO, cents, format_eur, share_of
from .positions import ExpensePosition


class PrivateStorage(FileSystemStorage):
    """Files under MEDIA_ROOT that have no public URL; views stream them after an access check."""

    def url(self, name):
        raise ValueError("Private files have no public URL; use the receipt view.")


private_storage = PrivateStorage()


def receipt_upload_to(instance, filename):
    # The stored name is generated; the original name is kept as data on the expense.
    suffix = Path(filename).suffix.lower()
    return f"receipts/{instance.budget_id}/{uuid.uuid4().hex}{suffix}"


def pending_receipt_upload_to(instance, filename):
    suffix = Path(filename).suffix.lower()
    return f"pending/{instance.owner_id}/{uuid.uuid4().hex}{suffix}"


def attachment_upload_to(instance, filename):
    suffix = Path(filename).suffix.lower()
    return f"resolutions/{instance.resolution_id}/{uuid.uuid4().hex}{suffix}"


MONEY = {"max_digits": 12, "decimal_places": 2}

COST_CENTRE = RegexValidator(
    r"^[A-Za-z0-9]{1,8}$", _("Eine Kostenstelle hat bis zu 8 Buchstaben oder Ziffern.")
)


class KeepsRunningTotals(models.Model):
    """Running totals belong to the booking service. A plain ``save()`` of an existing row (the
    admin editing a budget's name or a category's plan) writes every other column but never
    these, so it cannot put back a value a booking has changed in the meantime."""

    RUNNING_TOTALS: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in self.RUNNING_TOTALS
            ]
        super().save(*args, **kwargs)


class Resolution(models.Model):
    class Outcome(models.TextChoices):
        PASSED = "passed", _("beschlossen")
        PASSED_WITH_ADDENDUM = "passed_addendum", _("mit Zusatz beschlossen")
        PASSED_AMENDED = "passed_amended", _("mit Änderungen beschlossen")
        REJECTED = "rejected", _("abgelehnt")
        POSTPONED = "postponed", _("vertagt")
        WITHDRAWN = "withdrawn", _("zurückgezogen")

    number = models.PositiveIntegerField(_("Nummer"))
    year = models.PositiveIntegerField(_("Jahr"))
    title = models.CharField(_("Titel"), max_length=200)
    organisation = models.CharField(_("Gliederung"), max_length=200, blank=True)
    body = models.CharField(_("beschließendes Gremium"), max_length=100, default="Landesvorstand")
    decided_on = models.DateField(_("Beschlussdatum"))
    outcome = models.CharField(_("Abstimmung"), max_length=20, choices=Outcome.choices)
    addendum = models.TextField(_("Zusatz"), blank=True)
    votes_for = models.PositiveIntegerField(_("dafür"), default=0)
    votes_against = models.PositiveIntegerField(_("dagegen"), default=0)
    votes_abstained = models.PositiveIntegerField(_("Enthaltungen"), default=0)
    text = models.TextField(_("Beschlusstext"))
    rationale = models.TextField(_("Begründung"), blank=True)
    responsible = models.CharField(_("verantwortlich für den Landesvorstand"), max_length=100)
    political_message = models.TextField(_("politische Botschaft"), blank=True)
    pr_measures = models.TextField(_("Maßnahmen der Öffentlichkeitsarbeit"), blank=True)
    further_measures = models.TextField(_("weitere Maßnahmen"), blank=True)
    finance_note = models.TextField(_("Finanzen"), blank=True)
    coordinated_with = models.TextField(_("Die Vorlage wurde abgestimmt mit"), blank=True)
    recipients = models.TextField(_("Den Beschluss sollen erhalten"), blank=True)
    attachments_note = models.TextField(_("Anlagen (laut Beschluss)"), blank=True)
    is_signed = models.BooleanField(_("unterschrieben"), default=False)
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    history = HistoricalRecords(verbose_name=_("Beschluss (Verlauf)"))

    class Meta:
        verbose_name = _("Beschluss")
        verbose_name_plural = _("Beschlüsse")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["number", "year"], name="resolution_number_year_unique"
            ),
            models.CheckConstraint(
                condition=Q(votes_for__gte=0) & Q(votes_against__gte=0) & Q(votes_abstained__gte=0),
                name="resolution_votes_non_negative",
            ),
        ]

    def __str__(self):
        return f"{self.reference} – {self.title}"

    @property
    def reference(self) -> str:
        return f"{self.number}/{self.year}"

    @property
    def vote_tally(self) -> str:
        return f"{self.votes_for} / {self.votes_against} / {self.votes_abstained}"


class ResolutionAttachment(models.Model):
    resolution = models.ForeignKey(
        Resolution,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("Beschluss"),
    )
    file = models.FileField(_("Datei"), upload_to=attachment_upload_to, storage=private_storage)
    original_name = models.CharField(_("ursprünglicher Dateiname"), max_length=255, blank=True)
    description = models.CharField(_("Beschreibung"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(_("hochgeladen am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Anlage")
        verbose_name_plural = _("Anlagen")
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.description or self.original_name or Path(self.file.name).name


class BudgetQuerySet(models.QuerySet):
    def with_resolution(self):
        return self.select_related("resolution", "closed_by", "reopened_by")


class Budget(KeepsRunningTotals):
    RUNNING_TOTALS = (
        "spent",
        "last_receipt_number",
        "active_expense_count",
        "missing_receipt_count",
        "reversal_count",
        "reserved_claims",
        "reserved_orders",
    )

    class Currency(models.TextChoices):
        EUR = "EUR", _("Euro")

    resolution = models.ForeignKey(
        Resolution, on_delete=models.PROTECT, related_name="budgets", verbose_name=_("Beschluss")
    )
    name = models.CharField(_("Name"), max_length=200)
    cap = models.DecimalField(
        _("Obergrenze"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    currency = models.CharField(
        _("Währung"), max_length=3, choices=Currency.choices, default=Currency.EUR
    )
    starts_on = models.DateField(_("gültig ab"))
    ends_on = models.DateField(_("gültig bis"), null=True, blank=True)
    is_closed = models.BooleanField(
        _("abgeschlossen"),
        default=False,
        editable=False,
        help_text=_("Ein abgeschlossenes Budget nimmt keine Buchungen mehr an."),
    )
    cost_centre = models.CharField(
        _("Kostenstelle (KOST1)"),
        max_length=8,
        blank=True,
        validators=[COST_CENTRE],
        help_text=_("Wird im DATEV-Export als KOST1 jeder Buchung dieses Budgets übergeben."),
    )
    # Closing and reopening (budget.closing): who, when, why; written only by those functions.
    closed_at = models.DateTimeField(_("abgeschlossen am"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("abgeschlossen von"),
    )
    close_note = models.TextField(_("Abschlussvermerk"), blank=True, editable=False)
    reopened_at = models.DateTimeField(
        _("wieder geöffnet am"), null=True, blank=True, editable=False
    )
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("wieder geöffnet von"),
    )
    reopen_reason = models.TextField(_("Grund der Wiedereröffnung"), blank=True, editable=False)
    # Running totals: written only by budget.services inside the locked booking transaction.
    spent = models.DecimalField(_("ausgegeben"), **MONEY, default=ZERO, editable=False)
    last_receipt_number = models.PositiveIntegerField(
        _("letzte Belegnummer"), default=0, editable=False
    )
    active_expense_count = models.PositiveIntegerField(
        _("gültige Ausgaben"), default=0, editable=False
    )
    missing_receipt_count = models.PositiveIntegerField(
        _("gültige Ausgaben ohne Belegdatei"), default=0, editable=False
    )
    reversal_count = models.PositiveIntegerField(_("Stornierungen"), default=0, editable=False)
    # Claims and orders (budget.claims_models): what is promised but not yet spent.
    accepts_claims = models.BooleanField(
        _("nimmt Erstattungsanträge an"),
        default=False,
        help_text=_("Helfer*innen können für dieses Budget Auslagen und Fahrtkosten einreichen."),
    )
    second_approval_above = models.DecimalField(
        _("zweite Freigabe über"),
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_(
            "Erstattungen und Bestellungen über diesem Betrag brauchen eine zweite Freigabe "
            "durch eine andere Person."
        ),
    )
    km_rate_car = models.DecimalField(
        _("Kilometersatz Pkw"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.30"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    km_rate_other = models.DecimalField(
        _("Kilometersatz andere Kraftfahrzeuge"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.20"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    reserved_claims = models.DecimalField(
        _("vorgemerkt für Erstattungen"), **MONEY, default=ZERO, editable=False
    )
    reserved_orders = models.DecimalField(
        _("vorgemerkt für Bestellungen"), **MONEY, default=ZERO, editable=False
    )

    objects = BudgetQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=list(RUNNING_TOTALS), verbose_name=_("Budget (Verlauf)")
    )

    class Meta:
        verbose_name = _("Budget")
        verbose_name_plural = _("Budgets")
        ordering = ["-starts_on", "name"]
        permissions = [
            ("export_budget", _("Kann Budgets auswerten und exportieren")),
            ("close_budget", _("Kann Budgets abschließen")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(cap__gt=0), name="budget_cap_positive"),
            models.CheckConstraint(condition=Q(spent__gte=0), name="budget_spent_non_negative"),
            # What is spent plus what open claims and orders reserve stays within the cap.
            models.CheckConstraint(
                condition=Q(spent__lte=F("cap") - F("reserved_claims") - F("reserved_orders")),
                name="budget_spent_within_cap",
            ),
            models.CheckConstraint(
                condition=Q(reserved_claims__gte=0) & Q(reserved_orders__gte=0),
                name="budget_reserved_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="budget_period_ordered",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.cap is not None and self.cap <= 0:
            errors["cap"] = _("Die Obergrenze muss größer als 0 sein.")
        elif (
            self.cap is not None
            and self.pk
            and self.reserved
            and self.cap < self.spent + self.reserved
        ):
            errors["cap"] = _(
                "Die Obergrenze darf nicht unter dem ausgegebenen und vorgemerkten Betrag "
                "(%(committed)s) liegen."
            ) % {"committed": format_eur(self.spent + self.reserved)}
        if "cap" not in errors and self.cap is not None and self.pk and self.cap < self.spent:
            errors["cap"] = _(
                "Die Obergrenze darf nicht unter den bereits ausgegebenen Betrag "
                "(%(spent)s) sinken."
            ) % {"spent": format_eur(self.spent)}
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("Das Ende darf nicht vor dem Beginn liegen.")
        elif self.pk and self.starts_on:
            # The period may not shut out expenses already booked in it.
            span = self.expenses.filter(reversal__isnull=True).aggregate(
                first=Min("spent_on"), last=Max("spent_on")
            )
            if span["first"] and span["first"] < self.starts_on:
                errors["starts_on"] = _(
                    "Es gibt bereits Ausgaben vom %(date)s; der Beginn darf nicht später liegen."
                ) % {"date": formats.date_format(span["first"], "SHORT_DATE_FORMAT")}
            if span["last"] and self.ends_on and span["last"] > self.ends_on:
                errors["ends_on"] = _(
                    "Es gibt bereits Ausgaben vom %(date)s; das Ende darf nicht früher liegen."
                ) % {"date": formats.date_format(span["last"], "SHORT_DATE_FORMAT")}
        if errors:
            raise ValidationError(errors)

    @property
    def remaining(self) -> Decimal:
        return cents(self.cap - self.spent)

    @property
    def reserved(self) -> Decimal:
        """Promised by open claims and orders, not yet spent."""
        return cents(self.reserved_claims + self.reserved_orders)

    @property
    def available(self) -> Decimal:
        """What can still be promised or spent: cap − spent − reserved."""
        return cents(self.cap - self.spent - self.reserved)

    @property
    def share_used(self) -> Decimal:
        """Share of the cap already spent, in percent, cut to one decimal."""
        return share_of(self.spent, self.cap)

    def covers(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class Category(KeepsRunningTotals):
    RUNNING_TOTALS = ("spent", "quantity", "reserved", "reserved_quantity")

    class OverPlan(models.TextChoices):
        WARN = "warn", _("warnen, aber buchen")
        STOP = "stop", _("Buchung ablehnen")

    budget = models.ForeignKey(
        Budget, on_delete=models.CASCADE, related_name="categories", verbose_name=_("Budget")
    )
    name = models.CharField(_("Name"), max_length=100)
    order = models.PositiveIntegerField(_("Reihenfolge"), default=0)
    planned = models.DecimalField(
        _("Planbetrag"),
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    over_plan = models.CharField(
        _("bei Überschreitung des Plans"),
        max_length=4,
        choices=OverPlan.choices,
        default=OverPlan.WARN,
    )
    quantity_cap = models.PositiveIntegerField(
        _("Höchstmenge"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    quantity_unit = models.CharField(_("Einheit"), max_length=20, blank=True, default="Stück")
    position = models.CharField(
        _("Position im Rechenschaftsbericht"),
        max_length=2,
        choices=ExpensePosition.choices,
        blank=True,
        help_text=_("Ausgabeposition nach § 24 Abs. 5 PartG."),
    )
    account = models.CharField(
        _("Sachkonto"),
        max_length=8,
        blank=True,
        validators=[ACCOUNT_NUMBER],
        help_text=_("Aufwandskonto für den DATEV-Export, z. B. 4660 (SKR03)."),
    )
    # Running totals, written only inside the locked booking transaction.
    spent = models.DecimalField(_("ausgegeben"), **MONEY, default=ZERO, editable=False)
    quantity = models.PositiveIntegerField(_("Menge gebucht"), default=0, editable=False)
    reserved = models.DecimalField(_("vorgemerkt"), **MONEY, default=ZERO, editable=False)
    reserved_quantity = models.PositiveIntegerField(
        _("Menge vorgemerkt"), default=0, editable=False
    )

    history = HistoricalRecords(
        excluded_fields=list(RUNNING_TOTALS), verbose_name=_("Kategorie (Verlauf)")
    )

    class Meta:
        verbose_name = _("Kategorie")
        verbose_name_plural = _("Kategorien")
        ordering = ["budget", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "name"], name="category_name_unique_per_budget"
            ),
            models.CheckConstraint(
                condition=Q(planned__isnull=True) | Q(planned__gt=0),
                name="category_planned_positive",
            ),
            models.CheckConstraint(
                condition=Q(quantity_cap__isnull=True) | Q(quantity_cap__gte=1),
                name="category_quantity_cap_positive",
            ),
            models.CheckConstraint(condition=Q(spent__gte=0), name="category_spent_non_negative"),
            # Booked plus reserved pieces (open claims and orders) stay within the cap.
            models.CheckConstraint(
                condition=Q(quantity_cap__isnull=True)
                | Q(quantity__lte=F("quantity_cap") - F("reserved_quantity")),
                name="category_quantity_within_cap",
            ),
            models.CheckConstraint(
                condition=~Q(over_plan="stop")
                | Q(planned__isnull=True)
                | Q(spent__lte=F("planned")),
                name="category_stop_within_plan",
            ),
            models.CheckConstraint(
                condition=Q(position="") | Q(position__in=ExpensePosition.values),
                name="category_position_known",
            ),
            models.CheckConstraint(
                condition=Q(reserved__gte=0), name="category_reserved_non_negative"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        # The readable side of category_quantity_within_cap and category_stop_within_plan.
        errors = {}
        if (
            self.quantity_cap is not None
            and self.quantity_cap < self.quantity + self.reserved_quantity
        ):
            errors["quantity_cap"] = _(
                "Es sind bereits %(quantity)s %(unit)s gebucht oder vorgemerkt; die Höchstmenge "
                "darf nicht darunter liegen."
            ) % {"quantity": self.quantity + self.reserved_quantity, "unit": self.quantity_unit}
        if (
            "quantity_cap" not in errors
            and self.quantity_cap is not None
            and self.quantity_cap < self.quantity
        ):
            errors["quantity_cap"] = _(
                "Es sind bereits %(quantity)s %(unit)s gebucht; die Höchstmenge darf "
                "nicht darunter liegen."
            ) % {"quantity": self.quantity, "unit": self.quantity_unit}
        if (
            self.over_plan == self.OverPlan.STOP
            and self.planned is not None
            and self.planned < self.spent
        ):
            errors["planned"] = _(
                "Es sind bereits %(spent)s ausgegeben; bei „Buchung ablehnen“ darf der Plan "
                "nicht darunter liegen."
            ) % {"spent": format_eur(self.spent)}
        if errors:
            raise ValidationError(errors)

    @property
    def remaining_plan(self) -> Decimal | None:
        return None if self.planned is None else cents(self.planned - self.spent)

    @property
    def remaining_quantity(self) -> int | None:
        """Pieces that can still be booked or promised (reserved pieces count)."""
        if self.quantity_cap is None:
            return None
        return self.quantity_cap - self.quantity - self.reserved_quantity

    @property
    def is_over_plan(self) -> bool:
        return self.planned is not None and self.spent > self.planned


class DailySpending(models.Model):
    """Net spending of one budget on one day (by the expense's date), kept by the booking service
    so the spending chart costs one small query however many expenses there are."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="daily_spending")
    day = models.DateField()
    spent = models.DecimalField(**MONEY, default=ZERO)

    class Meta:
        verbose_name = _("Tagessumme")
        verbose_name_plural = _("Tagessummen")
        ordering = ["budget", "day"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "day"], name="daily_spending_unique_day"),
        ]

    def __str__(self):
        return f"{self.budget_id} {self.day}: {self.spent}"


class ExpenseQuerySet(models.QuerySet):
    def active(self):
        """Expenses that count: not reversed."""
        return self.filter(reversal__isnull=True)

    def for_listing(self):
        return self.select_related(
            "category",
            "created_by",
            "reversal",
            "reversal__created_by",
            "late_receipt",
            "late_receipt__created_by",
        )

    def without_receipt(self):
        """Expenses with no file at all: none booked with them and none handed in later."""
        return self.filter(receipt="", late_receipt__isnull=True)

    def listing_totals(self) -> dict:
        """Valid (not reversed) expenses and their sum, and the reversed ones: one aggregate,
        counted the way the dashboard counts them."""
        valid = Q(reversal__isnull=True)
        totals = self.order_by().aggregate(
            count=Count("pk", filter=valid),
            total=Sum("amount", filter=valid),
            reversed=Count("pk", filter=~valid),
        )
        totals["total"] = cents(totals["total"])
        return totals


class Expense(models.Model):
    budget = models.ForeignKey(
        Budget, on_delete=models.PROTECT, related_name="expenses", verbose_name=_("Budget")
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="expenses", verbose_name=_("Kategorie")
    )
    receipt_number = models.PositiveIntegerField(_("Belegnummer"), editable=False)
    spent_on = models.DateField(_("Datum"))
    payee = models.CharField(_("Empfänger"), max_length=200)
    description = models.CharField(_("Beschreibung"), max_length=500)
    amount = models.DecimalField(
        _("Betrag (brutto)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    quantity = models.PositiveIntegerField(_("Menge"), default=1, validators=[MinValueValidator(1)])
    receipt = models.FileField(
        _("Beleg"), upload_to=receipt_upload_to, storage=private_storage, blank=True, max_length=200
    )
    receipt_original_name = models.CharField(
        _("ursprünglicher Dateiname"), max_length=255, blank=True
    )
    receipt_content_type = models.CharField(_("Dateityp"), max_length=100, blank=True)
    # Fingerprint of the file as uploaded; ``manage.py verify_receipts`` checks it.
    receipt_sha256 = models.CharField(_("SHA-256 der Belegdatei"), max_length=64, blank=True)
    receipt_size = models.PositiveBigIntegerField(_("Größe der Belegdatei"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("gebucht von"),
    )
    created_at = models.DateTimeField(_("gebucht am"), auto_now_add=True)
    # The one-time key of the form that booked it: a form sent twice books once.
    booking_key = models.UUIDField(_("Einmalschlüssel"), null=True, blank=True, editable=False)

    objects = ExpenseQuerySet.as_manager()

    class Meta:
        verbose_name = _("Ausgabe")
        verbose_name_plural = _("Ausgaben")
        ordering = ["-receipt_number"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="expense_amount_positive"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="expense_quantity_positive"),
            models.UniqueConstraint(
                fields=["budget", "receipt_number"], name="expense_receipt_number_unique"
            ),
            models.UniqueConstraint(
                fields=["budget", "booking_key"], name="expense_booking_key_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["budget", "spent_on"], name="expense_budget_spent_on"),
            models.Index(fields=["category", "receipt_number"], name="expense_category_receipt"),
        ]

    def __str__(self):
        return _("Beleg %(number)s") % {"number": self.receipt_number}

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("A booked expense is never changed; reverse it instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A booked expense is never deleted; reverse it instead.")

    def clean(self):
        errors = {}
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = _("Der Betrag muss größer als 0 sein.")
        if self.quantity is not None and self.quantity < 1:
            errors["quantity"] = _("Die Menge muss mindestens 1 sein.")
        if self.category_id and self.budget_id and self.category.budget_id != self.budget_id:
            errors["category"] = _("Die Kategorie gehört nicht zu diesem Budget.")
        if errors:
            raise ValidationError(errors)

    @cached_property
    def is_reversed(self) -> bool:
        try:
            return self.reversal is not None
        except Reversal.DoesNotExist:
            return False

    @cached_property
    def attached_receipt(self) -> "ReceiptAttachment | None":
        try:
            return self.late_receipt
        except ReceiptAttachment.DoesNotExist:
            return None

    @property
    def receipt_file(self) -> "ReceiptFile | None":
        """The receipt, whether booked with the expense or handed in later."""
        if self.receipt:
            return ReceiptFile(
                file=self.receipt,
                original_name=self.receipt_original_name,
                content_type=self.receipt_content_type,
                sha256=self.receipt_sha256,
                size=self.receipt_size,
                receipt_number=self.receipt_number,
            )
        if self.attached_receipt is not None:
            return self.attached_receipt.as_receipt_file(self.receipt_number)
        return None

    @property
    def has_receipt(self) -> bool:
        return self.receipt_file is not None

    @property
    def receipt_is_image(self) -> bool:
        receipt = self.receipt_file
        return receipt is not None and receipt.is_image

    @property
    def receipt_is_pdf(self) -> bool:
        receipt = self.receipt_file
        return receipt is not None and receipt.is_pdf

    @property
    def receipt_download_name(self) -> str:
        receipt = self.receipt_file
        return receipt.download_name if receipt else ""


@dataclass(frozen=True)
class ReceiptFile:
    """What the pages need to know about a receipt file, wherever it is recorded."""

    file: models.fields.files.FieldFile
    original_name: str
    content_type: str
    sha256: str
    size: int | None
    receipt_number: int
    attached_at: datetime.datetime | None = None
    attached_by: object = None

    @property
    def download_name(self) -> str:
        """The name the file was uploaded with, but with the extension its content has."""
        stem = Path(self.original_name).stem or f"beleg-{self.receipt_number}"
        return f"{stem}{Path(self.file.name).suffix}"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"


class Reversal(models.Model):
    """A Storno: cancels one expense completely, releasing its amount and quantity."""

    expense = models.OneToOneField(
        Expense, on_delete=models.PROTECT, related_name="reversal", verbose_name=_("Ausgabe")
    )
    reason = models.CharField(_("Grund"), max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("storniert von"),
    )
    created_at = models.DateTimeField(_("storniert am"), auto_now_add=True)
    booking_key = models.UUIDField(_("Einmalschlüssel"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("Stornierung")
        verbose_name_plural = _("Stornierungen")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="reversal_reason_required"),
            models.UniqueConstraint(fields=["booking_key"], name="reversal_booking_key_unique"),
        ]

    def __str__(self):
        return _("Storno zu Beleg %(number)s") % {"number": self.expense.receipt_number}

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("A reversal is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A reversal is never deleted.")


class PendingReceiptQuerySet(models.QuerySet):
    def unexpired(self, now=None):
        from django.utils import timezone

        return self.filter(expires_at__gt=now or timezone.now())


class PendingReceipt(models.Model):
    """A receipt file uploaded with a booking that was refused, kept so the corrected booking can
    carry it. It belongs to the user who uploaded it and to one budget, is never public (private
    storage, streamed only to its owner) and expires; ``budget.uploads`` creates, claims and
    purges these rows."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(
        upload_to=pending_receipt_upload_to, storage=private_storage, max_length=200
    )
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    objects = PendingReceiptQuerySet.as_manager()

    class Meta:
        verbose_name = _("vorläufiger Beleg")
        verbose_name_plural = _("vorläufige Belege")

    def __str__(self):
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class ReceiptAttachment(models.Model):
    """A receipt handed in after the expense was booked without one ("Beleg nachreichen").

    Append-only like the expense itself: one per expense, never changed or deleted, and the
    expense row stays exactly as it was booked.
    """

    expense = models.OneToOneField(
        Expense, on_delete=models.PROTECT, related_name="late_receipt", verbose_name=_("Ausgabe")
    )
    file = models.FileField(
        _("Beleg"), upload_to=receipt_upload_to, storage=private_storage, max_length=200
    )
    original_name = models.CharField(_("ursprünglicher Dateiname"), max_length=255, blank=True)
    content_type = models.CharField(_("Dateityp"), max_length=100)
    sha256 = models.CharField(_("SHA-256 der Belegdatei"), max_length=64)
    size = models.PositiveBigIntegerField(_("Größe der Belegdatei"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("nachgereicht von"),
    )
    created_at = models.DateTimeField(_("nachgereicht am"), auto_now_add=True)

    class Meta:
        verbose_name = _("nachgereichter Beleg")
        verbose_name_plural = _("nachgereichte Belege")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(file=""), name="receiptattachment_file_required"),
            models.CheckConstraint(condition=Q(size__gt=0), name="receiptattachment_size_positive"),
        ]

    def __str__(self):
        return _("Nachgereichter Beleg zu Beleg %(number)s") % {
            "number": self.expense.receipt_number
        }

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("A receipt handed in later is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A receipt handed in later is never deleted.")

    def as_receipt_file(self, receipt_number: int) -> ReceiptFile:
        return ReceiptFile(
            file=self.file,
            original_name=self.original_name,
            content_type=self.content_type,
            sha256=self.sha256,
            size=self.size,
            receipt_number=receipt_number,
            attached_at=self.created_at,
            attached_by=self.created_by,
        )


# Claims, orders and payouts live in their own module; imported here so Django registers them.
from .claims_models import (  # noqa: E402, F401
    Claim,
    ClaimEvent,
    Order,
    OrderEvent,
    PayoutAccount,
    PayoutBatch,
)

# Role changes are part of the audit trail too (see budget/history.py).
_history.track_users()
