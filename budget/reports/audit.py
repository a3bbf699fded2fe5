"""Reading the audit trail: who changed what when, old → new, in German.

The history itself is written by django-simple-history (see ``budget.history``). This module turns
historical rows into lines a treasurer or an auditor can read: for the admin's "Verlauf" and for
the history page of a budget, which shows the budget, its categories and its resolution together.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.utils import formats
from django.utils.translation import gettext as _

from budget.models import Budget, Category, Resolution
from budget.money import format_eur

KIND_LABELS = {"+": "angelegt", "~": "geändert", "-": "gelöscht"}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    when: datetime.datetime
    who: str
    subject: str
    kind: str
    changes: list[Change] = field(default_factory=list)


def display(model_field: models.Field, value) -> str:
    """A stored value as the pages show it: 1.234,56 €, 24.11.2023, ja/nein, choice labels."""
    if value is None or value == "":
        return "–"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if isinstance(value, Decimal):
        return format_eur(value)
    if isinstance(value, datetime.datetime):
        return formats.date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def changes_between(previous, record) -> list[Change]:
    """What differs between two historical rows of one object, in field order."""
    if previous is None:
        return []
    changes = []
    for model_field in record.tracked_fields:
        if isinstance(model_field, models.DateTimeField) and model_field.auto_now:
            continue  # "geändert am" changes on every save and says nothing
        old = getattr(previous, model_field.attname)
        new = getattr(record, model_field.attname)
        if old != new:
            changes.append(
                Change(
                    label=str(model_field.verbose_name),
                    old=display(model_field, old),
                    new=display(model_field, new),
                )
            )
    return changes


def _who(record) -> str:
    user = record.history_user
    if user is None:
        return _("System")
    return user.get_full_name() or user.get_username()


def _entries(records, subject) -> list[Entry]:
    entries = []
    previous_by_object = {}
    for record in records:
        previous = previous_by_object.get(record.id)
        entries.append(
            Entry(
                when=record.history_date,
                who=_who(record),
                subject=subject(record),
                kind=_(KIND_LABELS.get(record.history_type, record.history_type)),
                changes=changes_between(previous, record),
            )
        )
        previous_by_object[record.id] = record
    # A save that changed nothing worth showing (only "geändert am") is no line of its own.
    return [e for e in entries if e.changes or e.kind != _(KIND_LABELS["~"])]


def budget_history(budget: Budget) -> list[Entry]:
    """Every recorded change of the budget, its categories and its resolution, newest first.
    Three queries, whatever the length of the ledger (bookings are not part of it)."""
    ordered = ("history_date", "history_id")
    budget_rows = Budget.history.filter(id=budget.pk).select_related("history_user")
    category_rows = Category.history.filter(budget_id=budget.pk).select_related("history_user")
    resolution_rows = Resolution.history.filter(id=budget.resolution_id).select_related(
        "history_user"
    )
    entries = [
        *_entries(
            budget_rows.order_by(*ordered), lambda r: _("Budget „%(name)s“") % {"name": r.name}
        ),
        *_entries(
            category_rows.order_by(*ordered),
            lambda r: _("Kategorie „%(name)s“") % {"name": r.name},
        ),
        *_entries(
            resolution_rows.order_by(*ordered),
            lambda r: _("Beschluss %(reference)s") % {"reference": f"{r.number}/{r.year}"},
        ),
    ]
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries


def record_summary(record) -> str:
    """One line for the admin's "Verlauf": "Obergrenze: 2.500,00 € → 3.000,00 €; …"."""
    previous = record.prev_record
    if previous is None:
        return _("angelegt")
    return "; ".join(
        f"{change.label}: {change.old} → {change.new}"
        for change in changes_between(previous, record)
    )
