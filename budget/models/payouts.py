"""Payouts: the paying account and batches of approved claims (SEPA credit transfer)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from budget.models.claims import format_iban, mask_iban
from budget.money import MONEY, ZERO


class PayoutAccount(models.Model):
    """The account a budget pays from. Edited rarely, and every change is kept (history)."""

    budget = models.OneToOneField(
        "budget.Budget",
        on_delete=models.CASCADE,
        related_name="payout_account",
        verbose_name=_("Budget"),
    )
    account_holder = models.CharField(_("Kontoinhaber*in"), max_length=70)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("geändert von"),
    )
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)
    # Who changed the paying account when, and from what to what (django-simple-history).
    history = HistoricalRecords(verbose_name=_("Auszahlungskonto (Verlauf)"))

    class Meta:
        verbose_name = _("Auszahlungskonto")
        verbose_name_plural = _("Auszahlungskonten")

    def __str__(self):
        return f"{self.account_holder} {mask_iban(self.iban)}"

    @property
    def masked_iban(self) -> str:
        return mask_iban(self.iban)

    @property
    def formatted_iban(self) -> str:
        return format_iban(self.iban)


class PayoutBatch(models.Model):
    budget = models.ForeignKey(
        "budget.Budget",
        on_delete=models.PROTECT,
        related_name="payout_batches",
        verbose_name=_("Budget"),
    )
    number = models.PositiveIntegerField(_("Nummer"), editable=False)
    total = models.DecimalField(_("Summe"), **MONEY, default=ZERO)
    claim_count = models.PositiveIntegerField(_("Erstattungen"), default=0)
    # The paying account as it was when the batch was made: the file never changes afterwards.
    debtor_name = models.CharField(_("Kontoinhaber*in"), max_length=70)
    debtor_iban = models.CharField(_("IBAN"), max_length=34)
    debtor_bic = models.CharField(_("BIC"), max_length=11)
    message_id = models.CharField(_("Nachrichten-ID"), max_length=35, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("erstellt von"),
    )
    created_at = models.DateTimeField(_("erstellt am"), auto_now_add=True)
    paid_on = models.DateField(_("bezahlt am"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("als bezahlt markiert von"),
    )
    submission_key = models.UUIDField(_("Einmalschlüssel"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("Auszahlung")
        verbose_name_plural = _("Auszahlungen")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "number"], name="payout_batch_number_unique"),
            models.UniqueConstraint(
                fields=["budget", "submission_key"], name="payout_batch_submission_key_unique"
            ),
            models.CheckConstraint(condition=Q(total__gt=0), name="payout_batch_total_positive"),
        ]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        return f"A-{self.budget_id}-{self.number}"
