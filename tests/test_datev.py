"""The DATEV Buchungsstapel: header, columns, rows, encoding, reversals, the settings."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from budget.models import Category
from budget.models.datev import DatevSettings
from budget.reports import datev
from budget.services import reverse_expense
from tests.factories import BudgetFactory, CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def settings_row(db):
    return DatevSettings.objects.create(
        adviser_number=29098,
        client_number=55003,
        fiscal_year_start_month=1,
        account_length=4,
        chart_of_accounts="03",
        contra_account="1200",
    )


@pytest.fixture
def accounts(budget):
    for name, account in [
        ("Reisekosten", "4660"),
        ("Vor- und Nachbereitung", "4930"),
        ("Headsets", "4985"),
        ("Verpflegung", "4650"),
    ]:
        Category.objects.filter(budget=budget, name=name).update(position="2b", account=account)
    budget.cost_centre = "TA2024"
    budget.save()
    return budget


def export_url(budget, start="2024-01-01", end="2024-12-31"):
    query = "&".join(f"{k}={v}" for k, v in (("from", start), ("to", end)) if v is not None)
    return reverse("budget:budget_export_datev", args=[budget.pk]) + "?" + query


def download(client, budget, **kwargs):
    response = client.get(export_url(budget, **kwargs))
    assert response.status_code == 200, response.content.decode()[:2000]
    return response, b"".join(response.streaming_content)


def parse(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("cp1252"), newline=""), delimiter=";"))


def extf_findings(content: bytes) -> list[str]:
    """An independent reading of the public format description (DATEV-Format, EXTF 700,
    Buchungsstapel 13): what DATEV's import would refuse. Written against the description, not
    against budget.reports.datev, so the two can disagree."""
    findings = []
    try:
        decoded = content.decode("cp1252")
    except UnicodeDecodeError:
        return ["not Windows-1252"]
    if decoded.startswith("\ufeff"):
        findings.append("BOM")
    if re.search(r"(?<!\r)\n", decoded) or not decoded.endswith("\r\n"):
        findings.append("line ends are not CRLF")
    lines = decoded.split("\r\n")[:-1]
    rows = list(csv.reader(lines, delimiter=";"))
    header, headings, bookings = rows[0], rows[1], rows[2:]
    if len(header) != 31:
        findings.append(f"header has {len(header)} fields")
    if header[:5] != ["EXTF", "700", "21", "Buchungsstapel", "13"]:
        findings.append(f"header starts {header[:5]}")
    if not re.fullmatch(r"20\d{15}", header[5]):
        findings.append("created stamp")
    if not (re.fullmatch(r"\d{4,7}", header[10]) and int(header[10]) >= 1001):
        findings.append("Beraternummer")
    if not (re.fullmatch(r"\d{1,5}", header[11]) and int(header[11]) >= 1):
        findings.append("Mandantennummer")
    wj, skl, start, end = header[12], header[13], header[14], header[15]
    for name, value in (("WJ-Beginn", wj), ("Datum vom", start), ("Datum bis", end)):
        try:
            datetime.datetime.strptime(value, "%Y%m%d")
        except ValueError:
            findings.append(name)
    if not re.fullmatch(r"[4-8]", skl):
        findings.append("Sachkontenlänge")
    if start[:4] != end[:4] or start > end or start < wj:
        findings.append("period")
    if len(header[16]) > 30:
        findings.append("Bezeichnung")
    if header[20] not in ("", "0", "1"):
        findings.append("Festschreibung")
    if header[26] not in ("", "03", "04"):
        findings.append("SKR")
    if len(headings) != 125 or headings[0] != "Umsatz (ohne Soll/Haben-Kz)":
        findings.append("column headings")
    for number, row in enumerate(bookings, start=3):
        if len(row) != 125:
            findings.append(f"line {number}: {len(row)} fields")
            continue
        if not re.fullmatch(r"\d{1,10},\d{2}", row[0]) or row[0] == "0,00":
            findings.append(f"line {number}: amount {row[0]}")
        if row[1] not in ("S", "H"):
            findings.append(f"line {number}: Soll/Haben")
        for field in (6, 7):
            if not (row[field].isdigit() and len(row[field]) <= int(skl) + 1):
                findings.append(f"line {number}: account {row[field]}")
        try:
            day = datetime.datetime.strptime(row[9] + start[:4], "%d%m%Y").date()
        except ValueError:
            findings.append(f"line {number}: Belegdatum {row[9]}")
        else:
            if not (start <= day.strftime("%Y%m%d") <= end):
                findings.append(f"line {number}: Belegdatum outside the batch")
        if not re.fullmatch(r"[A-Za-z0-9$&%*+\-/]{0,36}", row[10]):
            findings.append(f"line {number}: Belegfeld 1")
        if len(row[13]) > 60:
            findings.append(f"line {number}: Buchungstext")
        if len(row[36]) > 36 or re.search(r"[^\w ]", row[36]):
            findings.append(f"line {number}: KOST1")
        if row[113] not in ("", "0", "1"):
            findings.append(f"line {number}: Festschreibung")
    # Text fields stand in quotes.
    for number, line in enumerate(lines[2:], start=3):
        if not re.match(r'^\d+,\d{2};"[SH]";"EUR";', line):
            findings.append(f"line {number}: quoting")
    return findings


# --- the file ---------------------------------------------------------------------------------


def test_header_columns_and_rows(client, accounts, settings_row, book, treasurer):
    categories = {c.name: c for c in accounts.categories.all()}
    book(categories["Headsets"], "342.93", quantity=7, spent_on=datetime.date(2024, 1, 8))
    book(categories["Verpflegung"], "86.45", spent_on=datetime.date(2024, 1, 15))
    client.force_login(treasurer)
    response, content = download(client, accounts)
    assert response["Content-Type"] == "text/csv; charset=windows-1252"
    assert response["Content-Disposition"] == (
        'attachment; filename="EXTF_Buchungsstapel_telefonaktion-2024_2024-01-01_2024-12-31.csv"'
    )
    rows = parse(content)
    header = rows[0]
    assert header[:5] == ["EXTF", "700", "21", "Buchungsstapel", "13"]
    assert header[10:16] == ["29098", "55003", "20240101", "4", "20240101", "20241231"]
    assert header[16] == "Telefonaktion 2024"
    assert (header[20], header[21], header[26]) == ("0", "EUR", "03")
    assert header[8] == "schatzmeisterin"
    assert len(rows[1]) == 125 and rows[1][13] == "Buchungstext" and rows[1][36].startswith("KOST1")
    assert [row[:11] for row in rows[2:]] == [
        ["342,93", "S", "EUR", "", "", "", "4985", "1200", "", "0801", "1"],
        ["86,45", "S", "EUR", "", "", "", "4650", "1200", "", "1501", "2"],
    ]
    assert rows[2][13] == "Bäckerei Roth, Verpflegung Telefonabend"
    assert rows[2][36] == "TA2024"
    assert extf_findings(content) == []


def test_encoding_is_windows_1252_with_crlf_and_no_bom(
    client, accounts, settings_row, book, treasurer
):
    book(accounts.categories.get(name="Verpflegung"), "12.50", payee="Bäckerei Größe")
    client.force_login(treasurer)
    _response, content = download(client, accounts)
    assert not content.startswith(b"\xef\xbb\xbf")
    assert "Bäckerei Größe".encode("cp1252") in content
    assert content.count(b"\r\n") == 3 and b"\n" not in content.replace(b"\r\n", b"")


def test_semicolons_quotes_and_umlauts_survive(client, accounts, settings_row, book, treasurer):
    book(
        accounts.categories.get(name="Verpflegung"),
        "20.00",
        payee='Café "Zur Börse"; Erfurt',
        description="Brötchen – 12 Stück",
    )
    client.force_login(treasurer)
    _response, content = download(client, accounts)
    assert parse(content)[2][13] == 'Café "Zur Börse"; Erfurt, Brötchen – 12 Stück'
    assert b'"Caf\xe9 ""Zur B\xf6rse""; Erfurt, Br\xf6tchen \x96 12 St\xfcck"' in content
    assert extf_findings(content) == []


def test_characters_outside_windows_1252_do_not_break_the_file(
    client, accounts, settings_row, book, treasurer
):
    book(
        accounts.categories.get(name="Verpflegung"),
        "20.00",
        payee="Kovács Ödön Gergő 🍕",
        description="Пицца für alle",
    )
    client.force_login(treasurer)
    _response, content = download(client, accounts)
    assert parse(content)[2][13] == "Kovács Ödön Gergo ?, ????? für alle"
    assert extf_findings(content) == []


def test_the_booking_text_is_cut_to_60_characters(client, accounts, settings_row, book, treasurer):
    book(accounts.categories.get(name="Verpflegung"), "20.00", payee="P" * 40, description="D" * 40)
    client.force_login(treasurer)
    text = parse(download(client, accounts)[1])[2][13]
    assert text == "P" * 40 + ", " + "D" * 18 and len(text) == 60


def test_amounts_have_a_decimal_comma_and_no_thousands_separator(
    client, accounts, settings_row, book, treasurer
):
    book(accounts.categories.get(name="Reisekosten"), "1234.50")
    client.force_login(treasurer)
    assert parse(download(client, accounts)[1])[2][0] == "1234,50"


def test_a_reversal_is_the_opposite_entry_with_the_original_receipt_number(
    client, accounts, settings_row, book, treasurer
):
    food = accounts.categories.get(name="Verpflegung")
    book(food, "10.00", spent_on=datetime.date(2024, 1, 10))
    expense = book(food, "86.45", spent_on=datetime.date(2024, 1, 15)).expense
    with timezone.override("Europe/Berlin"):
        reverse_expense(
            expense=expense, reason="doppelt gebucht; Quittung „A“", created_by=treasurer
        )
    reversed_on = timezone.localdate(expense.reversal.created_at)
    client.force_login(treasurer)
    rows = parse(
        download(client, accounts, start=f"{reversed_on.year}-01-01", end=reversed_on.isoformat())[
            1
        ]
    )
    storno = [row for row in rows[2:] if row[1] == "H"]
    assert len(storno) == 1
    row = storno[0]
    assert row[0] == "86,45" and row[6] == "4650" and row[7] == "1200"
    assert row[9] == reversed_on.strftime("%d%m") and row[10] == "2"
    assert row[13] == "Storno: Bäckerei Roth, Verpflegung Telefonabend"
    assert (row[47], row[48]) == ("Storno-Grund", "doppelt gebucht; Quittung „A“")


def test_one_row_per_expense_and_per_reversal_in_the_range(
    client, accounts, settings_row, book, treasurer
):
    food = accounts.categories.get(name="Verpflegung")
    today = timezone.localdate()
    inside = book(food, "10.00", spent_on=today.replace(month=1, day=2)).expense
    book(food, "11.00", spent_on=today.replace(month=1, day=3))
    reverse_expense(expense=inside, reason="Irrtum", created_by=treasurer)  # reversed today
    other = BudgetFactory(cap=Decimal("100.00"))
    book(
        CategoryFactory(budget=other, account="4650"),
        "5.00",
        budget=other.pk,
        spent_on=today.replace(month=1, day=2),
    )
    client.force_login(treasurer)
    january = parse(
        download(client, accounts, start=f"{today.year}-01-01", end=f"{today.year}-01-31")[1]
    )
    assert [(r[0], r[1]) for r in january[2:]] == [
        ("10,00", "S"),
        ("11,00", "S"),
    ] or today.month == 1
    whole_year = parse(
        download(client, accounts, start=f"{today.year}-01-01", end=f"{today.year}-12-31")[1]
    )
    assert sorted((r[0], r[1]) for r in whole_year[2:]) == [
        ("10,00", "H"),
        ("10,00", "S"),
        ("11,00", "S"),
    ]


def test_an_empty_range_is_a_valid_empty_batch(client, accounts, settings_row, treasurer):
    client.force_login(treasurer)
    rows = parse(download(client, accounts, start="2025-03-01", end="2025-03-31")[1])
    assert len(rows) == 2


def test_the_lock_flag_and_chart_come_from_the_settings(
    client, accounts, settings_row, book, treasurer
):
    settings_row.lock_batch = True
    settings_row.chart_of_accounts = "04"
    settings_row.fiscal_year_start_month = 7
    settings_row.save()
    Category.objects.filter(budget=accounts, name="Verpflegung").update(account="6640")
    book(accounts.categories.get(name="Verpflegung"), "5.00", spent_on=datetime.date(2024, 8, 1))
    client.force_login(treasurer)
    content = download(client, accounts, start="2024-07-01", end="2024-12-31")[1]
    header, row = parse(content)[0], parse(content)[2]
    assert (header[12], header[20], header[26]) == ("20240701", "1", "04")
    assert row[113] == "1"
    assert extf_findings(content) == []


def test_query_count_does_not_grow_with_the_bookings(
    client, accounts, settings_row, book, treasurer, django_assert_num_queries
):
    food = accounts.categories.get(name="Verpflegung")
    client.force_login(treasurer)

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            download(client, accounts)
        return len(captured)

    book(food, "1.00", spent_on=datetime.date(2024, 2, 1))
    few = count()
    for day in range(2, 14):
        book(food, "1.00", spent_on=datetime.date(2024, 2, day))
    assert count() == few


# --- refusals ---------------------------------------------------------------------------------


def test_without_settings_the_page_says_so_and_sends_no_file(client, accounts, director):
    client.force_login(director)
    response = client.get(export_url(accounts))
    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/html")
    assert "Es gibt noch keine DATEV-Einstellungen" in response.content.decode()


def test_a_missing_setting_is_named(client, accounts, settings_row, director):
    settings_row.client_number = None
    settings_row.contra_account = ""
    settings_row.save()
    client.force_login(director)
    response = client.get(export_url(accounts))
    assert response.status_code == 409
    assert (
        "In den DATEV-Einstellungen fehlt: Mandantennummer, Gegenkonto für Zahlungen."
        in response.content.decode()
    )


def test_a_category_without_account_is_named(
    client, budget, settings_row, book, category, treasurer
):
    book(category, "5.00", spent_on=datetime.date(2024, 3, 1))
    client.force_login(treasurer)
    response = client.get(export_url(budget))
    assert response.status_code == 409
    assert "Die Kategorie „Verpflegung“ hat noch kein Sachkonto." in response.content.decode()


def test_an_account_longer_than_the_account_length_is_named(
    client, accounts, settings_row, book, treasurer
):
    Category.objects.filter(budget=accounts, name="Verpflegung").update(account="465000")
    book(accounts.categories.get(name="Verpflegung"), "5.00", spent_on=datetime.date(2024, 3, 1))
    client.force_login(treasurer)
    response = client.get(export_url(accounts))
    assert response.status_code == 409
    assert (
        "Das Sachkonto 465000 der Kategorie „Verpflegung“ ist länger" in response.content.decode()
    )


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2024-01-01", None, "Dieses Feld ist zwingend erforderlich."),
        ("2024-02-30", "2024-03-01", "Bitte ein gültiges Datum eingeben."),
        ("2024-03-01", "2024-02-29", "Das Ende darf nicht vor dem Beginn liegen."),
        ("2024-12-01", "2025-01-31", "Ein DATEV-Stapel reicht nicht über ein Kalenderjahr hinaus"),
        ("x", "y", "Bitte ein gültiges Datum eingeben."),
    ],
)
def test_a_bad_range_gives_the_page_with_the_reason(
    client, accounts, settings_row, treasurer, start, end, message
):
    client.force_login(treasurer)
    response = client.get(export_url(accounts, start=start, end=end))
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_range_stays_in_one_financial_year(client, accounts, settings_row, treasurer):
    settings_row.fiscal_year_start_month = 7
    settings_row.save()
    client.force_login(treasurer)
    response = client.get(export_url(accounts, start="2024-03-01", end="2024-08-31"))
    assert response.status_code == 400
    assert "dieses endet am 30.06.2024" in response.content.decode()


def test_without_a_range_the_export_page_proposes_one(client, accounts, settings_row, treasurer):
    client.force_login(treasurer)
    response = client.get(reverse("budget:budget_export_datev", args=[accounts.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("budget:budget_datev", args=[accounts.pk])


def test_german_dates_are_understood(client, accounts, settings_row, treasurer):
    client.force_login(treasurer)
    response = client.get(export_url(accounts, start="01.01.2024", end="31.01.2024"))
    assert response.status_code == 200


# --- the export page and the dashboard --------------------------------------------------------


def test_the_export_page_shows_settings_accounts_and_a_ready_form(
    client, accounts, settings_row, book, auditor
):
    book(accounts.categories.get(name="Verpflegung"), "5.00", spent_on=datetime.date(2024, 3, 1))
    client.force_login(auditor)
    response = client.get(reverse("budget:budget_datev", args=[accounts.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "29098" in page and "55003" in page and "SKR03" in page and "TA2024" in page
    assert 'value="2024-01-01"' in page and 'value="2024-12-31"' in page
    assert 'id="datev-problems"' not in page


def test_the_export_page_warns_before_the_download(client, accounts, auditor):
    client.force_login(auditor)
    page = client.get(reverse("budget:budget_datev", args=[accounts.pk])).content.decode()
    assert "Es gibt noch keine DATEV-Einstellungen" in page


def test_the_dashboard_links_to_the_export_page(client, accounts, director):
    client.force_login(director)
    page = client.get(reverse("budget:budget_dashboard", args=[accounts.pk])).content.decode()
    assert reverse("budget:budget_datev", args=[accounts.pk]) in page


# --- the settings -----------------------------------------------------------------------------


def test_the_settings_are_kept_once(settings_row):
    with transaction.atomic(), pytest.raises(IntegrityError, match="datev_settings_one_row|UNIQUE"):
        DatevSettings.objects.bulk_create([DatevSettings(adviser_number=1001)])


def test_the_database_refuses_a_bad_account_length(settings_row):
    with transaction.atomic(), pytest.raises(IntegrityError, match="datev_settings_account_length"):
        DatevSettings.objects.update(account_length=9)


def test_every_change_of_the_settings_is_recorded(admin_client, settings_row):
    url = reverse("admin:budget_datevsettings_change", args=[settings_row.pk])
    data = {
        "adviser_number": "29098",
        "client_number": "55004",
        "fiscal_year_start_month": "1",
        "account_length": "4",
        "chart_of_accounts": "03",
        "contra_account": "1800",
    }
    assert admin_client.post(url, data).status_code == 302
    history = list(settings_row.history.order_by("history_date"))
    assert [(h.client_number, h.contra_account) for h in history] == [
        (55003, "1200"),
        (55004, "1800"),
    ]
    assert history[-1].history_user.username == "admin"
    history_url = reverse("admin:budget_datevsettings_history", args=[settings_row.pk])
    assert admin_client.get(history_url).status_code == 200


def test_the_admin_offers_no_second_row_and_no_delete(admin_client, settings_row):
    assert admin_client.get(reverse("admin:budget_datevsettings_add")).status_code == 403
    assert (
        admin_client.post(
            reverse("admin:budget_datevsettings_delete", args=[settings_row.pk])
        ).status_code
        == 403
    )
    response = admin_client.get(reverse("admin:budget_datevsettings_changelist"))
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:budget_datevsettings_change", args=[settings_row.pk]
    )


def test_the_auditor_cannot_change_the_settings(client, settings_row):
    from tests.factories import UserFactory

    auditor = UserFactory(username="revision", role="auditor", is_staff=True)
    client.force_login(auditor)
    url = reverse("admin:budget_datevsettings_change", args=[settings_row.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"adviser_number": "1001"}).status_code == 403
    assert DatevSettings.load().adviser_number == 29098


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Bäckerei – „Roth“ €", "Bäckerei – „Roth“ €"),
        ("Gergő", "Gergo"),
        ("a\tb\nc\r\nd", "a b c d"),
        ("Pizza 🍕", "Pizza ?"),
        ("\u202eevil", "evil"),
        ("", ""),
    ],
)
def test_fit_cp1252(value, expected):
    assert datev.fit_cp1252(value) == expected
    datev.fit_cp1252(value).encode("cp1252")


# --- the seed ---------------------------------------------------------------------------------


def test_the_demo_seed_exports_a_clean_batch(client, monkeypatch):
    from django.core.management import call_command

    from budget.models import Budget

    monkeypatch.setenv("DEMO_PASSWORD", "demo-passwort-123")
    call_command("seed_telefonaktion", "--demo", stdout=io.StringIO())
    budget = Budget.objects.get(name="Telefonaktion 2024")
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="pruefer"))
    _response, content = download(client, budget)
    rows = parse(content)
    assert [row[6] for row in rows[2:]] == ["4985", "4930", "4660", "4650", "4650"]
    assert {row[7] for row in rows[2:]} == {"1200"}
    assert extf_findings(content) == []


def test_the_seed_takes_skr04_accounts_when_the_settings_name_that_chart(db):
    from django.core.management import call_command

    DatevSettings.objects.create(chart_of_accounts="04", contra_account="1800")
    call_command("seed_telefonaktion", stdout=io.StringIO())
    assert sorted(Category.objects.values_list("account", flat=True)) == [
        "6640",
        "6650",
        "6815",
        "6845",
    ]
