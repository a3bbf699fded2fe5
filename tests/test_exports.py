import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from budget.services import reverse_expense
from tests.helpers import assert_login_required

EXPORTS = ["budget:budget_export_csv", "budget:budget_export_xlsx"]
TRICKY_PAYEE = 'Müller; "Der Bäcker"\nFiliale Erfurt'


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def csv_rows(response) -> list[list[str]]:
    raw = body(response)
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, so Excel picks the right encoding
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))


@pytest.fixture
def ledger(budget, category, headsets, book, treasurer):
    """Three receipts, the second one reversed, one payee that needs quoting."""
    first = book(
        category, "1234.56", payee=TRICKY_PAYEE, spent_on=datetime.date(2024, 1, 15)
    ).expense
    second = book(headsets, "49.90", quantity=2, spent_on=datetime.date(2024, 1, 16)).expense
    third = book(category, "10.00", payee='=HYPERLINK("http://x")', description="+49 123").expense
    reverse_expense(expense=second, reason="falsche Kategorie", created_by=treasurer)
    return first, second, third


# --- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", EXPORTS)
@pytest.mark.parametrize("role", ["treasurer", "director", "superuser"])
def test_roles_can_export(client, budget, role, name, request):
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse(name, args=[budget.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("name", EXPORTS)
def test_user_without_role_is_refused(client, budget, outsider, name):
    client.force_login(outsider)
    assert client.get(reverse(name, args=[budget.pk])).status_code == 403


@pytest.mark.parametrize("name", EXPORTS)
def test_anonymous_is_sent_to_login(client, budget, name):
    assert_login_required(client.get(reverse(name, args=[budget.pk])))


@pytest.mark.parametrize("name", EXPORTS)
def test_unknown_budget_is_404(client, director, name):
    client.force_login(director)
    assert client.get(reverse(name, args=[999999])).status_code == 404


# --- CSV ------------------------------------------------------------------------------------


def test_csv_is_streamed_with_a_german_filename(client, budget, ledger, director):
    client.force_login(director)
    response = client.get(reverse("budget:budget_export_csv", args=[budget.pk]))
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="telefonaktion-2024-ausgaben.csv"'
    )


def test_csv_opens_in_german_excel(client, budget, ledger, director):
    client.force_login(director)
    response = client.get(reverse("budget:budget_export_csv", args=[budget.pk]))
    raw = body(response).decode("utf-8-sig")
    rows = csv_rows(client.get(reverse("budget:budget_export_csv", args=[budget.pk])))

    header = rows[0]
    assert header[:8] == [
        "Beleg-Nr.",
        "Art",
        "Datum",
        "Empfänger",
        "Beschreibung",
        "Kategorie",
        "Menge",
        "Betrag (EUR)",
    ]
    assert raw.splitlines()[0].count(";") == len(header) - 1
    first = dict(zip(header, rows[1], strict=True))
    assert first["Beleg-Nr."] == "1"
    assert first["Datum"] == "15.01.2024"
    assert first["Betrag (EUR)"] == "1234,56"  # decimal comma, no thousands dot
    assert first["Empfänger"] == TRICKY_PAYEE  # survives the round trip
    assert first["Belegdatei"] == "nein"
    assert first["gebucht von"] == "schatzmeisterin"
    # The field with ; " and a line break is quoted, and its quotes are doubled.
    assert '"Müller; ""Der Bäcker""\nFiliale Erfurt"' in raw


def test_csv_has_a_negative_row_for_each_reversal(client, budget, ledger, director):
    client.force_login(director)
    rows = csv_rows(client.get(reverse("budget:budget_export_csv", args=[budget.pk])))
    header, lines = rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [line["Art"] for line in lines] == ["Ausgabe", "Ausgabe", "Storno", "Ausgabe"]
    reversed_, storno = lines[1], lines[2]
    assert reversed_["Betrag (EUR)"] == "49,90"
    assert reversed_["storniert am"] != ""
    assert storno["Betrag (EUR)"] == "-49,90"
    assert storno["Menge"] == "-2"
    assert storno["Storno zu Beleg"] == "2"
    assert storno["Beschreibung"].startswith("Storno zu Beleg 2: falsche Kategorie")
    total = sum(Decimal(line["Betrag (EUR)"].replace(",", ".")) for line in lines)
    budget.refresh_from_db()
    assert total == budget.spent == Decimal("1244.56")
    assert "Storno zu Beleg" in header


def test_csv_defuses_formulas_but_not_negative_amounts(client, budget, ledger, director):
    client.force_login(director)
    rows = csv_rows(client.get(reverse("budget:budget_export_csv", args=[budget.pk])))
    lines = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    third = lines[3]
    assert third["Empfänger"] == '\'=HYPERLINK("http://x")'
    assert third["Beschreibung"] == "'+49 123"
    assert lines[2]["Betrag (EUR)"].startswith("-")


def test_csv_of_an_empty_budget_is_just_the_header(client, budget, director):
    client.force_login(director)
    rows = csv_rows(client.get(reverse("budget:budget_export_csv", args=[budget.pk])))
    assert len(rows) == 1 and rows[0][0] == "Beleg-Nr."


def test_csv_reads_the_ledger_in_one_query(
    client, budget, category, book, treasurer, django_assert_num_queries
):
    for n in range(30):
        expense = book(category, "1.00").expense
        if n % 3 == 0:
            reverse_expense(expense=expense, reason="Test", created_by=treasurer)
    client.force_login(treasurer)
    # session, user, 2 × permissions, budget, then one query for all expenses with reversals,
    # one for the claims and one for the orders
    with django_assert_num_queries(8):
        rows = csv_rows(client.get(reverse("budget:budget_export_csv", args=[budget.pk])))
    assert len(rows) == 1 + 30 + 10


# --- Excel ----------------------------------------------------------------------------------


def workbook(client, budget):
    response = client.get(reverse("budget:budget_export_xlsx", args=[budget.pk]))
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="telefonaktion-2024-ausgaben.xlsx"'
    )
    return openpyxl.load_workbook(io.BytesIO(body(response)))


def test_xlsx_has_real_numbers_dates_and_a_total(client, budget, ledger, director):
    client.force_login(director)
    book = workbook(client, budget)
    assert book.sheetnames == ["Ausgaben", "Kategorien"]
    rows = list(book["Ausgaben"].iter_rows())
    header = [cell.value for cell in rows[0]]
    assert header[0] == "Beleg-Nr." and header[7] == "Betrag (EUR)"
    first = rows[1]
    assert first[0].value == 1
    assert first[2].value == datetime.datetime(2024, 1, 15)
    assert first[2].number_format == "DD.MM.YYYY"
    assert first[7].value == pytest.approx(1234.56)
    assert first[7].number_format == '#,##0.00 "€"'
    assert first[3].value == TRICKY_PAYEE
    storno = rows[3]
    assert storno[1].value == "Storno"
    assert storno[7].value == pytest.approx(-49.90)
    assert storno[11].value == 2
    # A payee that looks like a formula stays text.
    assert rows[4][3].value == '=HYPERLINK("http://x")' and rows[4][3].data_type == "s"
    total = rows[-1]
    assert total[0].value == "Summe (netto)"
    assert total[7].value == pytest.approx(1244.56)
    assert total[7].number_format == '#,##0.00 "€"'
    assert total[6].value == 2  # 1 + 2 − 2 + 1 pieces


def test_xlsx_category_sheet_summarises(client, budget, ledger, director):
    client.force_login(director)
    sheet = workbook(client, budget)["Kategorien"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["Kategorie", "Plan", "ausgegeben"]
    by_name = {row[0]: row for row in rows[1:5]}
    assert by_name["Verpflegung"][2] == pytest.approx(1244.56)
    assert by_name["Headsets"][2] == 0 and by_name["Headsets"][6] == 15
    figures = {row[0]: row[1] for row in rows[6:] if row and row[0]}
    assert figures["Obergrenze"] == 2500
    assert figures["verbleibend"] == pytest.approx(1255.44)
