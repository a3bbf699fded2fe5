"""Resolutions of the Landesvorstand: the decision, its vote and its attached documents."""

from __future__ import annotations

from pathlib import Path

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from budget.models.files import attachment_upload_to, private_storage


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
