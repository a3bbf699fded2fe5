"""Budgets and their categories, with the running totals the booking service keeps."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Max, Min, Q
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from budget.models.datev import ACCOUNT_NUMBER
from budget.models.resolutions import Resolution
from budget.money import MONEY, ZERO, cents, format_eur, share_of
from budget.positions import ExpensePosition

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
        "last_booked_at",
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
    # Closing and reopening (budget.services.closing): who, when, why; written only there.
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
    # Running totals: written only by budget.services.booking inside the locked booking transaction.
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
    # The newest entry of the ledger (expense, reversal or late receipt): the retention date
    # counts from its year (budget.retention).
    last_booked_at = models.DateTimeField(
        _("letzte Buchung"), null=True, blank=True, editable=False
    )
    # Claims and orders (budget.models): what is promised but not yet spent.
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
    RUNNING_TOTALS = (
        "spent",
        "quantity",
        "active_expense_count",
        "reversal_count",
        "reserved",
        "reserved_quantity",
    )

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
    # Counted like the budget's, so the list filtered to this category needs no COUNT(*).
    active_expense_count = models.PositiveIntegerField(
        _("gültige Ausgaben"), default=0, editable=False
    )
    reversal_count = models.PositiveIntegerField(_("Stornierungen"), default=0, editable=False)
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
    def available_plan(self) -> Decimal | None:
        """What can still be booked or promised within the plan: plan − spent − reserved, the
        figure ``check_room`` refuses (``stop``) or warns (``warn``) beyond."""
        return None if self.planned is None else cents(self.planned - self.spent - self.reserved)

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
