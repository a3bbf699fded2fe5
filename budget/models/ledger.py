"""The ledger: expenses, their reversals and receipt records. Append-only (triggers)."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Count, Q, Sum
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from budget.models.budgets import Budget, Category
from budget.models.files import pending_receipt_upload_to, private_storage, receipt_upload_to
from budget.money import MONEY, cents


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
    def attached_receipt(self) -> ReceiptAttachment | None:
        try:
            return self.late_receipt
        except ReceiptAttachment.DoesNotExist:
            return None

    @property
    def receipt_file(self) -> ReceiptFile | None:
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
