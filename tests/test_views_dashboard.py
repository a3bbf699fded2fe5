import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from budget.models import Budget, Category, Resolution
from budget.services import record_expense, reverse_expense
from tests.helpers import assert_login_required


def url(budget):
    return reverse("budget:budget_dashboard", args=[budget.pk])


def text(response) -> str:
    """The page as a reader sees it: tags stripped, whitespace collapsed."""
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace("\xa0", " ")


# --- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["treasurer", "director", "superuser"])
def test_roles_see_the_dashboard(client, budget, role, request):
    client.force_login(request.getfixturevalue(role))
    response = client.get(url(budget))
    assert response.status_code == 200
    assert "Telefonaktion 2024" in text(response)


def test_user_without_role_is_refused(client, budget, outsider):
    client.force_login(outsider)
    assert client.get(url(budget)).status_code == 403


def test_anonymous_is_sent_to_login(client, budget):
    assert_login_required(client.get(url(budget)))


def test_unknown_budget_is_404(client, treasurer):
    client.force_login(treasurer)
    assert client.get(reverse("budget:budget_dashboard", args=[999999])).status_code == 404


def test_dashboard_only_reads(client, budget, treasurer):
    client.force_login(treasurer)
    assert client.post(url(budget)).status_code == 405


# --- figures --------------------------------------------------------------------------------


def test_shows_resolution_cap_spent_remaining_and_share(client, budget, category, book, treasurer):
    book(category, "1234.56")
    client.force_login(treasurer)
    response = client.get(url(budget))
    page = text(response)
    resolution = budget.resolution
    assert f"Beschluss {resolution.reference}" in page
    assert "24.11.2023" in page
    assert "Landesvorstand, 24.11.2023 · mit Zusatz beschlossen" in page
    assert "(dafür 11, dagegen 0, Enthaltungen 1)" in page
    assert reverse("budget:resolution", args=[resolution.pk]) in response.content.decode()
    assert "2.500,00 €" in page
    assert "1.234,56 €" in page
    assert "1.265,44 €" in page  # remaining
    assert "49,3 %" in page  # 49.38 % cut to one decimal


def test_categories_show_quantity_share_and_over_plan(client, budget, headsets, book, treasurer):
    food = Category.objects.get(budget=budget, name="Verpflegung")
    Category.objects.filter(pk=food.pk).update(planned=Decimal("100.00"))
    book(headsets, "350.00", quantity=7, payee="Headset-Versand")
    book(food, "150.00")
    client.force_login(treasurer)
    response = client.get(url(budget))
    page = text(response)
    html = response.content.decode()
    assert "7/15 Stück" in page
    assert "70,0 %" in page and "30,0 %" in page  # share of everything spent
    assert "über Plan" in page
    assert "-50,00 €" in page  # remaining plan of Verpflegung
    over = re.findall(r'<tr class="table-danger over-plan">.*?</tr>', html, re.S)
    assert len(over) == 1 and "Verpflegung" in over[0]


def test_no_over_plan_flag_when_within_plan(client, budget, category, book, treasurer):
    Category.objects.filter(pk=category.pk).update(planned=Decimal("100.00"))
    book(category, "100.00")
    client.force_login(treasurer)
    page = text(client.get(url(budget)))
    assert "über Plan" not in page


def progress_bar_class(response) -> str:
    match = re.search(r'class="progress-bar pct-\d+ (bg-\w+)"', response.content.decode())
    assert match, "progress bar missing"
    return match.group(1)


@pytest.mark.parametrize(
    ("spent", "colour", "shown"),
    [
        ("1999.75", "bg-success", "79,9 %"),  # 79.99 %: not yet amber, and not shown as 80,0 %
        ("2000.00", "bg-warning", "80,0 %"),  # exactly 80 %
        ("2374.99", "bg-warning", "94,9 %"),
        ("2375.00", "bg-danger", "95,0 %"),  # exactly 95 %
        ("2500.00", "bg-danger", "100,0 %"),
    ],
)
def test_progress_bar_turns_amber_at_80_and_red_at_95(
    client, budget, category, book, treasurer, spent, colour, shown
):
    book(category, spent)
    client.force_login(treasurer)
    response = client.get(url(budget))
    assert progress_bar_class(response) == colour
    assert shown in text(response)
    width = re.search(r'class="progress-bar pct-(\d+) ', response.content.decode()).group(1)
    assert int(width) == int(Decimal(spent) * 100 / budget.cap)
    assert 'style="' not in response.content.decode()  # no inline styles (CSP)


def test_warning_text_accompanies_the_colour(client, budget, category, book, treasurer):
    book(category, "2000.00")
    client.force_login(treasurer)
    assert "Mindestens 80 % der Obergrenze sind ausgegeben" in text(client.get(url(budget)))


def test_empty_budget_has_a_green_empty_bar(client, budget, treasurer):
    client.force_login(treasurer)
    response = client.get(url(budget))
    assert progress_bar_class(response) == "bg-success"
    assert "Noch keine Ausgaben gebucht." in text(response)


# --- latest bookings, counts ----------------------------------------------------------------


def test_ten_latest_bookings_newest_first_with_links(client, budget, category, book, treasurer):
    expenses = [book(category, "1.00", payee=f"Laden {n}").expense for n in range(1, 13)]
    client.force_login(treasurer)
    response = client.get(url(budget))
    html = response.content.decode()
    latest = html[html.index('id="latest-title"') :]
    for expense in expenses[2:]:
        assert reverse("budget:expense_detail", args=[budget.pk, expense.pk]) in latest
    for expense in expenses[:2]:
        assert reverse("budget:expense_detail", args=[budget.pk, expense.pk]) not in latest
    assert latest.index("Laden 12") < latest.index("Laden 3")


def test_reversed_booking_is_struck_through_and_counted(client, budget, category, book, treasurer):
    kept = book(category, "20.00", payee="Bäckerei").expense
    cancelled = book(category, "30.00", payee="Fehlbuchung GmbH").expense
    reverse_expense(expense=cancelled, reason="doppelt gebucht", created_by=treasurer)
    client.force_login(treasurer)
    response = client.get(url(budget))
    html = response.content.decode()
    row = re.search(r'<tr class="row-link reversed">.*?</tr>', html, re.S).group(0)
    assert "Fehlbuchung GmbH" in row and "<s>30,00" in row
    assert "Bäckerei" not in row
    assert kept.payee in text(response)
    page = text(response)
    assert "doppelt gebucht" in page
    assert "1 Stornierung" in page
    assert "20,00 €" in page  # spent after the reversal


def test_counts_expenses_without_receipt_file(client, budget, category, book, treasurer):
    book(category, "5.00")
    book(category, "6.00")
    client.force_login(treasurer)
    page = text(client.get(url(budget)))
    assert "2 ohne Belegdatei" in page
    assert "2 gültige Ausgaben" in page


# --- links by role --------------------------------------------------------------------------


def test_treasurer_gets_booking_and_export_links(client, budget, treasurer):
    client.force_login(treasurer)
    html = client.get(url(budget)).content.decode()
    assert reverse("budget:expense_new", args=[budget.pk]) in html
    assert reverse("budget:expense_list", args=[budget.pk]) in html
    assert reverse("budget:budget_export_csv", args=[budget.pk]) in html
    assert reverse("budget:budget_export_xlsx", args=[budget.pk]) in html
    assert reverse("budget:budget_statement", args=[budget.pk]) in html


def test_director_gets_exports_but_no_booking_link(client, budget, director):
    client.force_login(director)
    html = client.get(url(budget)).content.decode()
    assert reverse("budget:expense_new", args=[budget.pk]) not in html
    assert reverse("budget:budget_export_csv", args=[budget.pk]) in html
    assert reverse("budget:budget_statement", args=[budget.pk]) in html


# --- chart ----------------------------------------------------------------------------------


def test_chart_is_inline_svg_with_a_table_fallback(client, budget, category, book, treasurer):
    Budget.objects.filter(pk=budget.pk).update(ends_on=datetime.date(2026, 12, 31))
    book(category, "100.00", spent_on=datetime.date(2024, 1, 15))
    book(category, "50.00", spent_on=datetime.date(2024, 1, 15))
    book(category, "25.00", spent_on=datetime.date(2024, 1, 20))
    client.force_login(treasurer)
    response = client.get(url(budget))
    html = response.content.decode()
    assert "<svg" in html and 'class="chart-line"' in html and 'class="chart-cap"' in html
    # One x unit per day of the period, written without a thousands separator.
    assert 'viewBox="0 0 1134 100"' in html
    assert "24.11.2023" in text(response) and "31.12.2026" in text(response)
    assert "<script" not in html.split("</main>")[0]  # readable without JavaScript
    table = html[html.index("Werte als Tabelle") :]
    rows = re.findall(r"<tr><td>(.*?)</td>.*?</tr>", table, re.S)
    assert rows == ["15.01.2024", "20.01.2024"]
    table_text = " ".join(re.sub(r"<[^>]+>", " ", table).split()).replace("\xa0", " ")
    assert "150,00 € 150,00 € 6,0 %" in table_text
    assert "25,00 € 175,00 € 7,0 %" in table_text


def test_y_axis_is_labelled_and_each_category_has_a_bar(
    client, budget, category, headsets, book, treasurer
):
    book(headsets, "300.00", quantity=15)
    book(category, "42.50")
    client.force_login(treasurer)
    page = text(client.get(url(budget)))
    assert "0 € 1.250 € 2.500 €" in page
    assert "Je Kategorie" in page
    assert "15/15 Stück – ausgeschöpft" in page
    assert "300,00 € ausgegeben 12,0 %" in page  # Headsets against the cap, percentage on the bar


def test_plan_columns_appear_only_when_a_category_has_a_plan(
    client, budget, category, book, treasurer
):
    client.force_login(treasurer)
    html = client.get(url(budget)).content.decode()
    assert ">Plan<" not in html
    Category.objects.filter(pk=category.pk).update(planned=Decimal("100.00"))
    book(category, "40.00")
    page = text(client.get(url(budget)))
    assert "Plan noch verfügbar" in page
    assert "noch 60,00 €" in page
    assert "40,00 € von 100,00 € Plan 40,0 %" in page


def test_one_word_for_what_is_left(client, budget, treasurer):
    client.force_login(treasurer)
    page = text(client.get(url(budget)))
    assert "noch verfügbar" in page
    assert "verbleibend" not in page and "Rest" not in page


def test_missing_addendum_is_named_with_an_admin_link_for_admins(
    client, budget, treasurer, superuser
):
    assert budget.resolution.outcome == "passed_addendum" and not budget.resolution.addendum
    admin_url = reverse("admin:budget_resolution_change", args=[budget.resolution.pk])
    client.force_login(treasurer)
    response = client.get(url(budget))
    assert "Zusatz: nicht erfasst" in text(response)
    assert admin_url not in response.content.decode()
    client.force_login(superuser)
    assert admin_url in client.get(url(budget)).content.decode()
    resolution_page = client.get(reverse("budget:resolution", args=[budget.resolution.pk]))
    assert "Zusatz: nicht erfasst" in text(resolution_page)
    Resolution.objects.filter(pk=budget.resolution.pk).update(
        addendum="Die Headsets bleiben im Landesverband."
    )
    assert "nicht erfasst" not in text(client.get(url(budget)))


def test_brand_red_is_not_the_error_red(client, budget, treasurer):
    client.force_login(treasurer)
    html = client.get(url(budget)).content.decode()
    assert "navbar-dark bg-brand" in html and "navbar-dark bg-danger" not in html


# --- fixed number of queries ----------------------------------------------------------------


def fill(budget, category, user, n):
    for i in range(n):
        record_expense(
            budget=budget,
            category=category,
            spent_on=datetime.date(2024, 1, 1) + datetime.timedelta(days=i % 60),
            payee=f"Händler {i}",
            description="Verpflegung",
            amount=Decimal("1.00"),
            created_by=user,
        )


@pytest.mark.parametrize("n", [10, 1000])
def test_query_count_does_not_grow_with_history(
    client, budget, category, treasurer, django_assert_num_queries, n
):
    fill(budget, category, treasurer, n)
    reverse_expense(expense=budget.expenses.first(), reason="Test", created_by=treasurer)
    client.force_login(treasurer)
    # session, user, 2 × permissions, budget + resolution, categories, 10 latest, daily totals,
    # oldest open claims, oldest open orders (the retention date counts from the budget's
    # running last_booked_at)
    with django_assert_num_queries(10):
        response = client.get(url(budget))
    assert response.status_code == 200
    assert response.content.decode().count('<tr class="row-link reversed">') == 1
