"""The DATEV export: a "Buchungsstapel" in the DATEV format (EXTF) as DATEV describes it publicly.

* Header version 700, format category 21 ("Buchungsstapel"), format version 13 (125 columns).
* Line 1 is the header (31 fields: adviser and client number, start of the financial year,
  account length, date range, lock flag, chart of accounts …), line 2 the column headings, then
  one line per booking.
* Windows-1252, semicolons, CRLF; texts in double quotes (quotes inside doubled); amounts
  positive with a decimal comma and no thousands separator, the side in the Soll/Haben field;
  Belegdatum as DDMM (the year comes from the header, so a batch stays inside one financial and
  one calendar year); Buchungstext at most 60 characters, Bezeichnung at most 30.

What we write: one line per expense dated in the range (debit "S" on the category's ledger account,
against the payment account from the settings) and one line per reversal made in the range, the
opposite entry ("H") with the original receipt number in Belegfeld 1, so the two cancel out in the
books. KOST1 is the budget's cost centre. Amounts are gross; no tax key is set (a party is usually
not liable to VAT for this spending; the adviser can add keys in DATEV).

A character that Windows-1252 cannot hold never breaks the file: it is replaced by its base letter
where there is one (ő → o) or by "?".
"""

from __future__ import annotations

import datetime
import heapq
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from budget.models import Budget, Category, Expense, Reversal
from budget.models.datev import DatevSettings
from budget.money import german_decimal

ENCODING = "cp1252"
HEADER_VERSION = 700
FORMAT_CATEGORY = 21
FORMAT_NAME = "Buchungsstapel"
FORMAT_VERSION = 13
TEXT_LENGTH = 60  # Buchungstext
LABEL_LENGTH = 30  # Bezeichnung of the batch
EXPORTED_BY_LENGTH = 25
INFO_LENGTH = 210  # Zusatzinformation - Inhalt
MAX_BOOKINGS = 99_999  # per batch
APPLICATION = "Beschlusskasse"


def _column_headings() -> list[str]:
    headings = [
        "Umsatz (ohne Soll/Haben-Kz)",
        "Soll/Haben-Kennzeichen",
        "WKZ Umsatz",
        "Kurs",
        "Basis-Umsatz",
        "WKZ Basis-Umsatz",
        "Konto",
        "Gegenkonto (ohne BU-Schlüssel)",
        "BU-Schlüssel",
        "Belegdatum",
        "Belegfeld 1",
        "Belegfeld 2",
        "Skonto",
        "Buchungstext",
        "Postensperre",
        "Diverse Adressnummer",
        "Geschäftspartnerbank",
        "Sachverhalt",
        "Zinssperre",
        "Beleglink",
    ]
    for n in range(1, 9):
        headings += [f"Beleginfo - Art {n}", f"Beleginfo - Inhalt {n}"]
    headings += [
        "KOST1 - Kostenstelle",
        "KOST2 - Kostenstelle",
        "Kost-Menge",
        "EU-Land u. UStID (Bestimmung)",
        "EU-Steuersatz (Bestimmung)",
        "Abw. Versteuerungsart",
        "Sachverhalt L+L",
        "Funktionsergänzung L+L",
        "BU 49 Hauptfunktionstyp",
        "BU 49 Hauptfunktionsnummer",
        "BU 49 Funktionsergänzung",
    ]
    for n in range(1, 21):
        headings += [f"Zusatzinformation - Art {n}", f"Zusatzinformation - Inhalt {n}"]
    headings += [
        "Stück",
        "Gewicht",
        "Zahlweise",
        "Forderungsart",
        "Veranlagungsjahr",
        "Zugeordnete Fälligkeit",
        "Skontotyp",
        "Auftragsnummer",
        "Buchungstyp",
        "USt-Schlüssel (Anzahlungen)",
        "EU-Land (Anzahlungen)",
        "Sachverhalt L+L (Anzahlungen)",
        "EU-Steuersatz (Anzahlungen)",
        "Erlöskonto (Anzahlungen)",
        "Herkunft-Kz",
        "Buchungs GUID",
        "KOST-Datum",
        "SEPA-Mandatsreferenz",
        "Skontosperre",
        "Gesellschaftername",
        "Beteiligtennummer",
        "Identifikationsnummer",
        "Zeichnernummer",
        "Postensperre bis",
        "Bezeichnung SoBil-Sachverhalt",
        "Kennzeichen SoBil-Buchung",
        "Festschreibung",
        "Leistungsdatum",
        "Datum Zuord. Steuerperiode",
        "Fälligkeit",
        "Generalumkehr (GU)",
        "Steuersatz",
        "Land",
        "Abrechnungsreferenz",
        "BVV-Position",
        "EU-Land u. UStID (Ursprung)",
        "EU-Steuersatz (Ursprung)",
        "Abw. Skontokonto",
    ]
    return headings


COLUMNS = _column_headings()
assert len(COLUMNS) == 125  # noqa: S101 - the format version fixes the column count
FIELD = {name: index for index, name in enumerate(COLUMNS)}


# --- text and numbers ---------------------------------------------------------------------------


def fit_cp1252(value: str) -> str:
    """``value`` as Windows-1252 can hold it, on one line: umlauts, €, „“ and – stay; a letter
    with a mark Windows-1252 lacks loses the mark (ő → o), anything else becomes "?"; control
    and format characters go, runs of white space become one space."""
    out = []
    for char in unicodedata.normalize("NFC", value or ""):
        category = unicodedata.category(char)
        if category == "Cc" or char.isspace():
            out.append(" ")
            continue
        if category == "Cf":
            continue  # zero-width and bidi marks
        try:
            char.encode(ENCODING)
        except UnicodeEncodeError:
            base = "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            )
            try:
                base.encode(ENCODING)
            except UnicodeEncodeError:
                base = ""
            out.append(base or "?")
        else:
            out.append(char)
    return " ".join("".join(out).split())


def text(value: str, length: int | None = None) -> str:
    """A quoted text field, cut to ``length`` characters (one byte each in Windows-1252)."""
    fitted = fit_cp1252(value)
    if length is not None:
        fitted = fitted[:length].rstrip()
    return '"' + fitted.replace('"', '""') + '"'


def amount(value: Decimal) -> str:
    """DATEV's Umsatz: always positive; the sign is the Soll/Haben flag."""
    return german_decimal(abs(value))


# --- the batch ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Batch:
    budget: Budget
    settings: DatevSettings
    start: datetime.date
    end: datetime.date

    @property
    def fiscal_year_start(self) -> datetime.date:
        return self.settings.fiscal_year(self.start)[0]

    @property
    def filename(self) -> str:
        slug = slugify(self.budget.name) or f"budget-{self.budget.pk}"
        return f"EXTF_Buchungsstapel_{slug}_{self.start.isoformat()}_{self.end.isoformat()}.csv"


def header_line(batch: Batch, exported_by: str, created: datetime.datetime) -> str:
    settings = batch.settings
    fields = [
        text("EXTF"),
        str(HEADER_VERSION),
        str(FORMAT_CATEGORY),
        text(FORMAT_NAME),
        str(FORMAT_VERSION),
        created.strftime("%Y%m%d%H%M%S") + f"{created.microsecond // 1000:03d}",
        "",  # imported: set by DATEV
        text("RE"),  # origin
        text(exported_by, EXPORTED_BY_LENGTH),
        text(""),  # imported by: set by DATEV
        str(settings.adviser_number),
        str(settings.client_number),
        batch.fiscal_year_start.strftime("%Y%m%d"),
        str(settings.account_length),
        batch.start.strftime("%Y%m%d"),
        batch.end.strftime("%Y%m%d"),
        text(batch.budget.name, LABEL_LENGTH),
        text(""),  # dictation initials
        "1",  # booking type: financial accounting
        "0",  # accounting purpose: independent
        "1" if settings.lock_batch else "0",
        text(batch.budget.currency),
        "",
        text(""),  # derivative flag
        "",
        "",
        text(settings.chart_of_accounts),
        "",  # industry solution
        "",
        text(""),
        text(APPLICATION),
    ]
    assert len(fields) == 31  # noqa: S101
    return ";".join(fields)


@dataclass(frozen=True)
class Booking:
    day: datetime.date
    order: int  # expenses before reversals on the same day
    receipt_number: int
    value: Decimal
    side: str  # "S" (debit the expense account) or "H" (the opposite entry)
    account: str
    booking_text: str
    note_kind: str = ""
    note: str = ""


def _booking_text(payee: str, description: str) -> str:
    return f"{payee}, {description}" if description else payee


def bookings(batch: Batch) -> Iterator[Booking]:
    """Expenses dated in the range and reversals made in it, by date: two queries, read in
    chunks, merged as they come."""
    expenses = (
        Expense.objects.filter(budget=batch.budget, spent_on__range=(batch.start, batch.end))
        .order_by("spent_on", "receipt_number")
        .values_list(
            "spent_on", "receipt_number", "payee", "description", "amount", "category__account"
        )
        .iterator(chunk_size=2000)
    )
    zone = timezone.get_current_timezone()
    start, end = _aware_range(batch)
    reversals = (
        Reversal.objects.filter(
            expense__budget=batch.budget, created_at__gte=start, created_at__lt=end
        )
        .order_by("created_at", "pk")
        .values_list(
            "created_at",
            "expense__receipt_number",
            "expense__payee",
            "expense__description",
            "expense__amount",
            "expense__category__account",
            "reason",
        )
        .iterator(chunk_size=2000)
    )
    storno = _("Storno")
    reason_kind = _("Storno-Grund")
    expense_lines = (
        Booking(day, 0, number, value, "S", account, _booking_text(payee, description))
        for day, number, payee, description, value, account in expenses
    )
    reversal_lines = (
        Booking(
            at.astimezone(zone).date(),
            1,
            number,
            value,
            "H",
            account,
            f"{storno}: {_booking_text(payee, description)}",
            reason_kind,
            reason,
        )
        for at, number, payee, description, value, account, reason in reversals
    )
    yield from heapq.merge(
        expense_lines, reversal_lines, key=lambda b: (b.day, b.order, b.receipt_number)
    )


def _aware_range(batch: Batch) -> tuple[datetime.datetime, datetime.datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(batch.start, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        batch.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return start, end


def booking_line(booking: Booking, batch: Batch) -> str:
    fields = [""] * len(COLUMNS)
    fields[FIELD["Umsatz (ohne Soll/Haben-Kz)"]] = amount(booking.value)
    fields[FIELD["Soll/Haben-Kennzeichen"]] = text(booking.side)
    fields[FIELD["WKZ Umsatz"]] = text(batch.budget.currency)
    fields[FIELD["Konto"]] = booking.account
    fields[FIELD["Gegenkonto (ohne BU-Schlüssel)"]] = batch.settings.contra_account
    fields[FIELD["Belegdatum"]] = booking.day.strftime("%d%m")
    fields[FIELD["Belegfeld 1"]] = text(str(booking.receipt_number))
    fields[FIELD["Buchungstext"]] = text(booking.booking_text, TEXT_LENGTH)
    if batch.budget.cost_centre:
        fields[FIELD["KOST1 - Kostenstelle"]] = text(batch.budget.cost_centre)
    if booking.note:
        fields[FIELD["Zusatzinformation - Art 1"]] = text(booking.note_kind, 20)
        fields[FIELD["Zusatzinformation - Inhalt 1"]] = text(booking.note, INFO_LENGTH)
    fields[FIELD["Festschreibung"]] = "1" if batch.settings.lock_batch else "0"
    return ";".join(fields)


def file_chunks(
    batch: Batch, exported_by: str, created: datetime.datetime | None = None
) -> Iterator[bytes]:
    """The file, encoded, in chunks of a few hundred lines."""
    created = timezone.localtime(created or timezone.now())
    lines = [header_line(batch, exported_by, created), ";".join(text(c) for c in COLUMNS)]
    for booking in bookings(batch):
        lines.append(booking_line(booking, batch))
        if len(lines) >= 500:
            yield _encode(lines)
            lines = []
    yield _encode(lines)


def _encode(lines: list[str]) -> bytes:
    # Every text went through fit_cp1252; "replace" only guards against a slip.
    return "".join(line + "\r\n" for line in lines).encode(ENCODING, errors="replace")


# --- what stands in the way ---------------------------------------------------------------------


def problems(batch: Batch) -> list[str]:
    """Everything that would make DATEV refuse the batch, in words the treasurer can act on."""
    found = []
    settings, budget = batch.settings, batch.budget
    missing = settings.missing()
    if missing:
        found.append(
            _("In den DATEV-Einstellungen fehlt: %(fields)s.") % {"fields": ", ".join(missing)}
        )
    length = settings.account_length
    if settings.contra_account and len(settings.contra_account) > length:
        found.append(
            _("Das Gegenkonto %(account)s ist länger als die Sachkontenlänge (%(length)s Stellen).")
            % {"account": settings.contra_account, "length": length}
        )
    start, end = _aware_range(batch)
    in_range = Q(expenses__spent_on__range=(batch.start, batch.end)) | Q(
        expenses__reversal__created_at__gte=start, expenses__reversal__created_at__lt=end
    )
    booked = Category.objects.filter(in_range, budget=budget).distinct().order_by("order", "name")
    for category in booked:
        if not category.account:
            found.append(
                _("Die Kategorie „%(name)s“ hat noch kein Sachkonto.") % {"name": category.name}
            )
        elif len(category.account) > length:
            found.append(
                _(
                    "Das Sachkonto %(account)s der Kategorie „%(name)s“ ist länger als die "
                    "Sachkontenlänge (%(length)s Stellen)."
                )
                % {"account": category.account, "name": category.name, "length": length}
            )
    count = (
        Expense.objects.filter(budget=budget, spent_on__range=(batch.start, batch.end)).count()
        + Reversal.objects.filter(
            expense__budget=budget, created_at__gte=start, created_at__lt=end
        ).count()
    )
    if count > MAX_BOOKINGS:
        found.append(
            _(
                "Der Zeitraum enthält %(count)s Buchungen, ein DATEV-Stapel höchstens "
                "%(max)s. Bitte den Zeitraum teilen."
            )
            % {"count": count, "max": MAX_BOOKINGS}
        )
    return found


def default_range(budget: Budget, settings: DatevSettings | None, today: datetime.date):
    """The financial year of the budget's latest booking day (or of today, if that is earlier
    or nothing is booked), as the form's starting values."""
    latest = budget.daily_spending.order_by("-day").values_list("day", flat=True).first()
    day = min(latest or today, today) if latest else today
    if settings is None:
        return datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31)
    return settings.fiscal_year(day)


# --- the form -----------------------------------------------------------------------------------

DATE_INPUT = ["%Y-%m-%d", "%d.%m.%Y"]


class DatevRangeForm(forms.Form):
    """``?from=YYYY-MM-DD&to=YYYY-MM-DD`` (German dates work too)."""

    def __init__(self, *args, settings: DatevSettings | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.settings = settings
        for name, label in (("from", gettext_lazy("von")), ("to", gettext_lazy("bis"))):
            self.fields[name] = forms.DateField(
                label=label,
                input_formats=DATE_INPUT,
                widget=forms.DateInput(
                    attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"
                ),
            )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if not (start and end):
            return cleaned
        if end < start:
            self.add_error("to", _("Das Ende darf nicht vor dem Beginn liegen."))
        elif start.year != end.year:
            self.add_error(
                "to",
                _(
                    "Ein DATEV-Stapel reicht nicht über ein Kalenderjahr hinaus, weil das "
                    "Belegdatum ohne Jahr übergeben wird."
                ),
            )
        elif self.settings is not None and self.settings.fiscal_year(start)[1] < end:
            self.add_error(
                "to",
                _("Ein DATEV-Stapel liegt in einem Wirtschaftsjahr; dieses endet am %(end)s.")
                % {"end": self.settings.fiscal_year(start)[1].strftime("%d.%m.%Y")},
            )
        return cleaned
