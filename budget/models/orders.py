"""Orders (Bestellungen): money committed before the invoice arrives."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from budget.models.claims import LifeEvent
from budget.money import MONEY


class OrderQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=[Order.State.AWAITING_APPROVAL, Order.State.OPEN])


class Order(models.Model):
    class State(models.TextChoices):
        AWAITING_APPROVAL = "awaiting", _("wartet auf zweite Freigabe")
        OPEN = "open", _("bestellt")
        BOOKED = "booked", _("abgerechnet")
        CANCELLED = "cancelled", _("storniert")

    TRANSITIONS = {
        State.AWAITING_APPROVAL: {State.OPEN, State.CANCELLED},
        State.OPEN: {State.BOOKED, State.CANCELLED},
        State.BOOKED: set(),
        State.CANCELLED: set(),
    }

    budget = models.ForeignKey(
        "budget.Budget", on_delete=models.PROTECT, related_name="orders", verbose_name=_("Budget")
    )
    number = models.PositiveIntegerField(_("Nummer"), editable=False)
    category = models.ForeignKey(
        "budget.Category",
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("Kategorie"),
    )
    state = models.CharField(_("Stand"), max_length=10, choices=State.choices)
    supplier = models.CharField(_("Lieferant"), max_length=200)
    description = models.CharField(_("Beschreibung"), max_length=500)
    amount = models.DecimalField(
        _("erwarteter Betrag"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    quantity = models.PositiveIntegerField(_("Menge"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("bestellt von"),
    )
    created_at = models.DateTimeField(_("bestellt am"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("zweite Freigabe von"),
    )
    reason = models.CharField(_("Grund der Stornierung"), max_length=500, blank=True)
    expense = models.OneToOneField(
        "budget.Expense",
        on_delete=models.PROTECT,
        related_name="order",
        null=True,
        blank=True,
        verbose_name=_("Buchung"),
    )
    submission_key = models.UUIDField(_("Einmalschlüssel"), null=True, blank=True, editable=False)

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("Bestellung")
        verbose_name_plural = _("Bestellungen")
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="order_amount_positive"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_quantity_positive"),
            models.UniqueConstraint(fields=["budget", "number"], name="order_number_unique"),
            models.UniqueConstraint(
                fields=["budget", "submission_key"], name="order_submission_key_unique"
            ),
            models.CheckConstraint(
                condition=~Q(state="booked") | Q(expense__isnull=False),
                name="order_booked_has_expense",
            ),
        ]
        permissions = [("approve_order", _("Kann Bestellungen als zweite Person freigeben"))]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        return f"B-{self.budget_id}-{self.number}"

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.AWAITING_APPROVAL, self.State.OPEN)


class OrderEvent(LifeEvent):
    class Action(models.TextChoices):
        ORDERED = "ordered", _("bestellt")
        APPROVED = "approved", _("zweite Freigabe")
        BOOKED = "booked", _("Rechnung gebucht")
        CANCELLED = "cancelled", _("storniert")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("Schritt"), max_length=20, choices=Action.choices)

    class Meta(LifeEvent.Meta):
        verbose_name = _("Schritt einer Bestellung")
        verbose_name_plural = _("Schritte von Bestellungen")

    def __str__(self):
        return f"{self.order_id} {self.action}"
