"""The yearly overview: which budgets count, the totals per position, downloads, query count."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from budget.models import Budget, Category
from budget.services import reverse_expense
from tests.factories import BudgetFactory, CategoryFactory, ResolutionFactory

pytestmark = pytest.mark.django_db


def url(year, name="yearly_report"):
    return reverse(f"budget:{name}", args=[year])


@pytest.fixture
def year_2024(budget, book, treasurer):
    """The Telefonaktion (decided 2023, spent 2024) and a second resolution decided in 2024."""
    Category.objects.filter(budget=budget).update(position="2b", account="4650")
    categories = {c.name: c for c in budget.categories.all()}
    book(categories["Headsets"], "342.93", quantity=7, spent_on=datetime.date(2024, 1, 8))
    food = book(categories["Verpflegung"], "86.45", spent_on=datetime.date(2024, 1, 15)).expense
    book(categories["Reisekosten"], "119.80", spent_on=datetime.date(2023, 12, 12))
    reverse_expense(expense=food, reason="doppelt", created_by=treasurer)

    campaign = BudgetFactory(
        resolution=ResolutionFactory(
            number=3, year=2024, title="Plakate Landtagswahl", decided_on=datetime.date(2024, 3, 2)
        ),
        name="Plakate",
        cap=Decimal("1000.00"),
        starts_on=datetime.date(2024, 3, 2),
        ends_on=datetime.date(2024, 9, 30),
    )
    posters = CategoryFactory(budget=campaign, name="Druck", position="2c", account="4600")
    unassigned = CategoryFactory(budget=campaign, name="Sonstiges")
    book(posters, "600.00", budget=campaign.pk, spent_on=datetime.date(2024, 4, 1))
    book(unassigned, "15.00", budget=campaign.pk, spent_on=datetime.date(2024, 4, 2))
    Budget.objects.filter(pk=campaign.pk).update(is_closed=True)
    campaign.refresh_from_db()
    # Closed before 2024 and not spent in it: not in the overview.
    BudgetFactory(
        resolution=ResolutionFactory(number=9, year=2022, decided_on=datetime.date(2022, 5, 1)),
        name="Alt",
        starts_on=datetime.date(2022, 5, 1),
        ends_on=datetime.date(2022, 12, 31),
        is_closed=True,
    )
    return budget, campaign


def test_the_year_lists_decided_and_active_budgets_with_totals(client, year_2024, director):
    client.force_login(director)
    response = client.get(url(2024))
    overview = response.context["overview"]
    assert [line.budget.name for line in overview.budgets] == ["Telefonaktion 2024", "Plakate"]
    assert [line.spent_in_year for line in overview.budgets] == [
        Decimal("342.93"),
        Decimal("615.00"),
    ]
    assert overview.cap == Decimal("3500.00")
    assert overview.spent == Decimal("1077.73")  # 462.73 + 615.00, the reversal netted out
    assert overview.reserved == Decimal("0.00")
    assert overview.available == Decimal("2422.27")
    assert overview.share == Decimal("30.7")
    page = response.content.decode()
    assert "3.500,00" in page and "1.077,73" in page and "2.422,27" in page
    assert "abgeschlossen" in page and "offen" in page


def test_totals_per_position_drill_down_to_budgets_and_categories(client, year_2024, auditor):
    client.force_login(auditor)
    overview = client.get(url(2024)).context["overview"]
    by_code = {p.code: p for p in overview.positions}
    assert list(by_code) == ["1", "2a", "2b", "2c", "2d", "2e", "2f", "2g", "3", ""]
    assert (by_code["2b"].spent_in_year, by_code["2b"].spent) == (
        Decimal("342.93"),
        Decimal("462.73"),
    )
    assert by_code["2c"].spent_in_year == Decimal("600.00")
    assert by_code[""].label == "ohne Position" and by_code[""].spent == Decimal("15.00")
    assert by_code["1"].categories == []
    assert [line.category.name for line in by_code["2b"].categories] == [
        "Reisekosten",
        "Vor- und Nachbereitung",
        "Headsets",
        "Verpflegung",
    ]
    assert overview.positions_spent == overview.spent
    assert overview.positions_spent_in_year == overview.spent_in_year


def test_a_year_without_resolutions_says_so(client, budget, director):
    Budget.objects.filter(pk=budget.pk).update(is_closed=True)
    client.force_login(director)
    page = client.get(url(2030)).content.decode()
    assert "2030 wurde kein Beschluss mit Geld gefasst, und keiner lief." in page


def test_an_open_budget_runs_on_into_later_years(client, budget, director):
    client.force_login(director)
    overview = client.get(url(2026)).context["overview"]
    assert [line.budget for line in overview.budgets] == [budget]


@pytest.mark.parametrize("year", [1999, 2101])
def test_a_year_out_of_range_is_404(client, director, year):
    client.force_login(director)
    assert client.get(url(year)).status_code == 404


def test_reports_redirects_to_this_year(client, director):
    client.force_login(director)
    response = client.get(reverse("budget:yearly_report_current"))
    assert response.status_code == 302
    assert response["Location"] == url(datetime.date.today().year)


def test_the_budgets_csv(client, year_2024, treasurer):
    client.force_login(treasurer)
    response = client.get(url(2024, "yearly_report_budgets_csv"))
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="jahresuebersicht-2024-beschluesse.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Beschluss-Nr.", "Beschlussdatum", "Titel", "Budget"]
    assert rows[2] == [
        "3/2024",
        "02.03.2024",
        "Plakate Landtagswahl",
        "Plakate",
        "1000,00",
        "615,00",
        "615,00",
        "0,00",
        "385,00",
        "61,5",
        "abgeschlossen",
    ]
    assert rows[-1][0] == "Summe"
    assert rows[-1][4:9] == ["3500,00", "1077,73", "957,93", "0,00", "2422,27"]


def test_the_positions_csv(client, year_2024, treasurer):
    client.force_login(treasurer)
    response = client.get(url(2024, "yearly_report_positions_csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [
        "2c",
        "2c Sachausgaben für Wahlkämpfe",
        "3/2024",
        "Plakate",
        "Druck",
        "4600",
        "600,00",
        "600,00",
    ] in rows
    assert [
        "2b",
        "Summe 2b Sachausgaben für allgemeine politische Arbeit",
        "",
        "",
        "",
        "",
        "342,93",
        "462,73",
    ] in rows
    assert rows[-1] == ["", "Gesamtausgaben", "", "", "", "", "957,93", "1077,73"]


def test_the_workbook_has_both_tables(client, year_2024, treasurer):
    client.force_login(treasurer)
    response = client.get(url(2024, "yearly_report_xlsx"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["Beschlüsse 2024", "Positionen 2024"]
    budgets = list(workbook["Beschlüsse 2024"].values)
    assert budgets[2][:6] == (
        "3/2024",
        datetime.datetime(2024, 3, 2),
        "Plakate Landtagswahl",
        "Plakate",
        1000,
        615,
    )
    assert budgets[-1][0] == "Summe" and budgets[-1][5] == pytest.approx(1077.73)
    positions = list(workbook["Positionen 2024"].values)
    assert positions[-1][1] == "Gesamtausgaben" and positions[-1][6] == pytest.approx(957.93)


def test_a_fixed_number_of_queries_however_many_budgets(
    client, director, book, django_assert_num_queries
):
    client.force_login(director)

    def add_budget(n):
        budget = BudgetFactory(
            resolution=ResolutionFactory(year=2024, decided_on=datetime.date(2024, 2, 1)),
            starts_on=datetime.date(2024, 2, 1),
        )
        for _category in range(3):
            category = CategoryFactory(budget=budget, position="2b")
            for _ in range(n):
                book(category, "1.00", budget=budget.pk, spent_on=datetime.date(2024, 2, 2))

    add_budget(1)
    # session, user, two for the permission check, then four: daily sums, budgets, category
    # sums, categories
    with django_assert_num_queries(8):
        client.get(url(2024))
    for _ in range(5):
        add_budget(4)
    with django_assert_num_queries(8):
        response = client.get(url(2024))
    assert len(response.context["overview"].budgets) == 6


def test_the_menu_links_to_the_yearly_overview(client, budget, auditor):
    client.force_login(auditor)
    assert (
        reverse("budget:yearly_report_current")
        in client.get(reverse("budget:home")).content.decode()
    )


def test_reserved_money_is_shown_and_not_available(client, year_2024, director):
    _telefonaktion, campaign = year_2024
    Budget.objects.filter(pk=campaign.pk).update(reserved_claims=Decimal("100.00"))
    client.force_login(director)
    response = client.get(url(2024))
    overview = response.context["overview"]
    assert (overview.reserved, overview.available) == (Decimal("100.00"), Decimal("2322.27"))
    assert "285,00" in response.content.decode()  # 1.000 − 615 − 100
