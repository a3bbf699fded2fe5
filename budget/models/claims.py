"""Money promised before it is spent: claims (Auslagen, Fahrtkosten), orders, payouts.

Rules on top of the ledger's (see ``budget.models``):

* A submitted claim and a recorded order **reserve** their amount and pieces at once, in the
  transaction that locks the budget row and checks the caps
  (``budget.services.booking.check_room``).
  What can still be promised or booked is ``cap − spent − reserved``; ``Budget.reserved_claims``,
  ``reserved_orders`` and ``Category.reserved`` / ``reserved_quantity`` are running totals kept by
  ``budget.services.claims`` / ``budget.services.orders`` under that lock, and ``verify_totals``
  recomputes them.
* A claim moves only along ``Claim.TRANSITIONS``. Rejection and withdrawal release the
  reservation; approval books the claim through ``record_expense`` in the same transaction and so
  turns the reservation into spending; the OneToOne ``Claim.expense`` makes a second booking of
  the same claim impossible in the database too.
* Nobody approves their own claim; above ``Budget.second_approval_above`` a claim or order needs a
  second approval by a different person before it counts as approved. Whoever may book (the
  treasurer) decides claims; the director only the claim of someone who may book, and second
  approvals (``budget.services.claims.check_approver``).
* A budget closes only when no claim is submitted or approved-but-unpaid (and not waived), no
  order is open and every payout batch is paid (``budget.services.closing.open_items``).
* Every step is a ``ClaimEvent`` / ``OrderEvent`` row, written in the same transaction;
  those tables are append-only (triggers, see ``budget/migrations/_append_only.py``).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from budget.models.files import _private_storage, claim_receipt_upload_to
from budget.money import MONEY


def mask_iban(iban: str) -> str:
    """``DE89 **** **** 3000``: the country and check digits and the last four, nothing else."""
    compact = (iban or "").replace(" ", "").upper()
    if len(compact) < 8:
        return "****" if compact else ""
    return f"{compact[:4]} **** **** {compact[-4:]}"


def format_iban(iban: str) -> str:
    compact = (iban or "").replace(" ", "").upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


class ClaimQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=Claim.State.SUBMITTED)

    def payable(self):
        """Approved, not paid, not waived, in no batch yet."""
        return self.filter(state=Claim.State.APPROVED, payout_batch__isnull=True)

    def for_listing(self):
        return self.select_related("category", "submitted_by", "budget")


class Claim(models.Model):
    class Kind(models.TextChoices):
        EXPENSE = "expense", _("Auslage")
        TRAVEL = "travel", _("Fahrtkosten")

    class Vehicle(models.TextChoices):
        CAR = "car", _("Pkw")
        OTHER = "other", _("anderes Kraftfahrzeug (Motorrad, Moped)")

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("eingereicht")
        APPROVED = "approved", _("genehmigt")
        PAID = "paid", _("ausgezahlt")
        WAIVED = "waived", _("verzichtet")
        REJECTED = "rejected", _("abgelehnt")
        WITHDRAWN = "withdrawn", _("zurückgezogen")

    # The arrows a claim may move along; everything else is refused.
    TRANSITIONS = {
        State.SUBMITTED: {State.APPROVED, State.REJECTED, State.WITHDRAWN},
        State.APPROVED: {State.PAID, State.WAIVED},
        State.PAID: set(),
        State.WAIVED: set(),
        State.REJECTED: set(),
        State.WITHDRAWN: set(),
    }
    RESERVING = {State.SUBMITTED}

    budget = models.ForeignKey(
        "budget.Budget", on_delete=models.PROTECT, related_name="claims", verbose_name=_("Budget")
    )
    number = models.PositiveIntegerField(_("Nummer"), editable=False)
    category = models.ForeignKey(
        "budget.Category",
        on_delete=models.PROTECT,
        related_name="claims",
        verbose_name=_("Kategorie"),
    )
    kind = models.CharField(_("Art"), max_length=10, choices=Kind.choices, default=Kind.EXPENSE)
    state = models.CharField(
        _("Stand"), max_length=10, choices=State.choices, default=State.SUBMITTED
    )
    spent_on = models.DateField(_("Datum"))
    payee = models.CharField(_("Empfänger"), max_length=200)
    description = models.CharField(_("Beschreibung"), max_length=500)
    amount = models.DecimalField(
        _("Betrag"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    quantity = models.PositiveIntegerField(_("Menge"), default=1)
    # Travel by car or other motor vehicle: amount = km × the budget's rate, rounded to cents.
    travel_from = models.CharField(_("von"), max_length=200, blank=True)
    travel_to = models.CharField(_("nach"), max_length=200, blank=True)
    purpose = models.CharField(_("Zweck der Fahrt"), max_length=300, blank=True)
    km = models.DecimalField(_("Kilometer"), max_digits=7, decimal_places=1, null=True, blank=True)
    vehicle = models.CharField(_("Fahrzeug"), max_length=5, choices=Vehicle.choices, blank=True)
    km_rate = models.DecimalField(
        _("Satz je km"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    receipt = models.FileField(
        _("Beleg"),
        upload_to=claim_receipt_upload_to,
        storage=_private_storage,
        blank=True,
        max_length=200,
    )
    receipt_original_name = models.CharField(
        _("ursprünglicher Dateiname"), max_length=255, blank=True
    )
    receipt_content_type = models.CharField(_("Dateityp"), max_length=100, blank=True)
    # Recorded when the file is stored, so ``verify_receipts`` checks claim receipts too.
    receipt_sha256 = models.CharField(_("SHA-256 der Belegdatei"), max_length=64, blank=True)
    receipt_size = models.PositiveBigIntegerField(_("Größe der Belegdatei"), null=True, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    account_holder = models.CharField(_("Kontoinhaber*in"), max_length=70)

    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="claims",
        verbose_name=_("eingereicht von"),
    )
    submitted_at = models.DateTimeField(_("eingereicht am"), auto_now_add=True)
    first_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("erste Freigabe von"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("genehmigt von"),
    )
    approved_at = models.DateTimeField(_("genehmigt am"), null=True, blank=True)
    reason = models.CharField(_("Grund der Ablehnung"), max_length=500, blank=True)
    expense = models.OneToOneField(
        "budget.Expense",
        on_delete=models.PROTECT,
        related_name="claim",
        null=True,
        blank=True,
        verbose_name=_("Buchung"),
    )
    payout_batch = models.ForeignKey(
        "budget.PayoutBatch",
        on_delete=models.PROTECT,
        related_name="claims",
        null=True,
        blank=True,
        verbose_name=_("Auszahlung"),
    )
    paid_on = models.DateField(_("ausgezahlt am"), null=True, blank=True)
    waived_at = models.DateTimeField(_("verzichtet am"), null=True, blank=True)
    submission_key = models.UUIDField(_("Einmalschlüssel"), null=True, blank=True, editable=False)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("Erstattung")
        verbose_name_plural = _("Erstattungen")
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="claim_amount_positive"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="claim_quantity_positive"),
            models.UniqueConstraint(fields=["budget", "number"], name="claim_number_unique"),
            models.UniqueConstraint(
                fields=["budget", "submission_key"], name="claim_submission_key_unique"
            ),
            models.CheckConstraint(
                condition=~Q(state="rejected") | ~Q(reason=""), name="claim_rejection_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["submitted", "rejected", "withdrawn"])
                | Q(expense__isnull=False),
                name="claim_approved_is_booked",
            ),
            models.CheckConstraint(
                condition=~Q(kind="travel") | (Q(km__gt=0) & Q(km_rate__gt=0)),
                name="claim_travel_has_km",
            ),
        ]
        indexes = [models.Index(fields=["budget", "state"], name="claim_budget_state")]
        permissions = [("approve_claim", _("Kann Erstattungen genehmigen oder ablehnen"))]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        return f"E-{self.budget_id}-{self.number}"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.SUBMITTED

    @property
    def needs_second_approval(self) -> bool:
        limit = self.budget.second_approval_above
        return limit is not None and self.amount > limit

    @property
    def masked_iban(self) -> str:
        return mask_iban(self.iban)

    @property
    def formatted_iban(self) -> str:
        return format_iban(self.iban)

    @property
    def receipt_is_image(self) -> bool:
        return self.receipt_content_type.startswith("image/")

    @property
    def receipt_download_name(self) -> str:
        stem = Path(self.receipt_original_name).stem or f"beleg-{self.reference}"
        return f"{stem}{Path(self.receipt.name).suffix}"

    def can_move_to(self, state) -> bool:
        return state in self.TRANSITIONS[self.State(self.state)]


class LifeEvent(models.Model):
    """One step in the life of a claim or an order: who did what when. Append-only (triggers)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("von")
    )
    at = models.DateTimeField(_("am"), auto_now_add=True)
    note = models.CharField(_("Notiz"), max_length=500, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError(f"{type(self).__name__} rows are never changed.")
        super().save(*args, **kwargs)


class ClaimEvent(LifeEvent):
    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("eingereicht")
        FIRST_APPROVAL = "first_approval", _("erste Freigabe")
        APPROVED = "approved", _("genehmigt und gebucht")
        REJECTED = "rejected", _("abgelehnt")
        WITHDRAWN = "withdrawn", _("zurückgezogen")
        WAIVED = "waived", _("auf Auszahlung verzichtet")
        IN_BATCH = "in_batch", _("zur Auszahlung vorgesehen")
        PAID = "paid", _("ausgezahlt")

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("Schritt"), max_length=20, choices=Action.choices)

    class Meta(LifeEvent.Meta):
        verbose_name = _("Schritt einer Erstattung")
        verbose_name_plural = _("Schritte von Erstattungen")

    def __str__(self):
        return f"{self.claim_id} {self.action}"
