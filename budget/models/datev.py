"""The DATEV settings of the party's bookkeeping: kept once (a single row), edited in the admin,
every change recorded (django-simple-history)."""

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# A ledger account (Sachkonto) as DATEV numbers them: 4 to 8 digits.
ACCOUNT_NUMBER = RegexValidator(
    r"^[0-9]{4,8}$", _("Ein Sachkonto hat 4 bis 8 Ziffern, z. B. 4660.")
)


class DatevSettings(models.Model):
    class Chart(models.TextChoices):
        SKR03 = "03", _("SKR03")
        SKR04 = "04", _("SKR04")

    # Always 1: the unique constraint on it keeps the table at one row.
    singleton = models.PositiveSmallIntegerField(default=1, editable=False)
    adviser_number = models.PositiveIntegerField(
        _("Beraternummer"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1001), MaxValueValidator(9999999)],
        help_text=_("Die Nummer der Steuerberatung bei DATEV (1001 bis 9999999)."),
    )
    client_number = models.PositiveIntegerField(
        _("Mandantennummer"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(99999)],
        help_text=_("Die Nummer der Partei als Mandantin (1 bis 99999)."),
    )
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("Beginn des Wirtschaftsjahres"),
        choices=list(MONTHS.items()),
        default=1,
        help_text=_("Bei Parteien ist das Rechnungsjahr das Kalenderjahr (Januar)."),
    )
    account_length = models.PositiveSmallIntegerField(
        _("Sachkontenlänge"),
        default=4,
        validators=[MinValueValidator(4), MaxValueValidator(8)],
        help_text=_("Stellen eines Sachkontos in der Buchhaltung (4 bis 8)."),
    )
    chart_of_accounts = models.CharField(
        _("Kontenrahmen"), max_length=2, choices=Chart.choices, default=Chart.SKR03
    )
    contra_account = models.CharField(
        _("Gegenkonto für Zahlungen"),
        max_length=8,
        blank=True,
        validators=[ACCOUNT_NUMBER],
        help_text=_("Das Geldkonto, von dem die Ausgaben bezahlt werden, z. B. 1200 (SKR03)."),
    )
    lock_batch = models.BooleanField(
        _("Buchungsstapel beim Import festschreiben"),
        default=False,
        help_text=_("Meist bleibt das aus, damit die Buchhaltung den Stapel vorher prüfen kann."),
    )
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    history = HistoricalRecords()

    REQUIRED = ("adviser_number", "client_number", "contra_account")

    class Meta:
        verbose_name = _("DATEV-Einstellungen")
        verbose_name_plural = _("DATEV-Einstellungen")
        constraints = [
            models.UniqueConstraint(fields=["singleton"], name="datev_settings_one_row"),
            models.CheckConstraint(condition=Q(singleton=1), name="datev_settings_singleton"),
            models.CheckConstraint(
                condition=Q(account_length__gte=4, account_length__lte=8),
                name="datev_settings_account_length",
            ),
            models.CheckConstraint(
                condition=Q(fiscal_year_start_month__gte=1, fiscal_year_start_month__lte=12),
                name="datev_settings_fiscal_year_month",
            ),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)

    def save(self, *args, **kwargs):
        self.singleton = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "DatevSettings | None":
        return cls.objects.first()

    def missing(self) -> list[str]:
        """Labels of the settings a Buchungsstapel cannot do without that are still empty."""
        return [
            str(self._meta.get_field(name).verbose_name)
            for name in self.REQUIRED
            if getattr(self, name) in (None, "")
        ]

    def fiscal_year(self, day: datetime.date) -> tuple[datetime.date, datetime.date]:
        """First and last day of the financial year that contains ``day``."""
        month = self.fiscal_year_start_month
        year = day.year if day.month >= month else day.year - 1
        start = datetime.date(year, month, 1)
        end = datetime.date(year + 1, month, 1) - datetime.timedelta(days=1)
        return start, end
