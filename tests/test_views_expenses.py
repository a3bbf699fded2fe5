"""Expense list, detail, reversal and the private receipt file."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from budget.models import Budget, Expense, Reversal
from budget.services import reverse_expense
from tests.factories import BudgetFactory, CategoryFactory
from tests.helpers import assert_login_required, files_under, fresh_key, image_upload, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def expense(book, category):
    return book(category, "86.45", receipt=pdf_upload("Quittung Bäckerei.pdf")).expense


def list_url(budget):
    return reverse("budget:expense_list", args=[budget.pk])


def detail_url(expense):
    return reverse("budget:expense_detail", args=[expense.budget_id, expense.pk])


def reverse_url(expense):
    return reverse("budget:expense_reverse", args=[expense.budget_id, expense.pk])


def receipt_url(expense):
    return reverse("budget:expense_receipt", args=[expense.budget_id, expense.pk])


# -- access ------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", [list_url, detail_url, receipt_url, reverse_url])
def test_anonymous_users_are_sent_to_login(client, expense, budget, page):
    assert_login_required(client.get(page(budget if page is list_url else expense)))


@pytest.mark.parametrize(
    ("role", "statuses"),
    [
        ("treasurer", [200, 200, 200, 200]),
        ("director", [200, 200, 200, 403]),
        ("outsider", [403, 403, 403, 403]),
        ("superuser", [200, 200, 200, 200]),
    ],
)
def test_access_per_role(client, expense, budget, request, role, statuses):
    client.force_login(request.getfixturevalue(role))
    got = [
        client.get(list_url(budget)).status_code,
        client.get(detail_url(expense)).status_code,
        client.get(receipt_url(expense)).status_code,
        client.get(reverse_url(expense)).status_code,
    ]
    assert got == statuses


def test_home_lists_budgets_with_figures(client, director, budget, category, book):
    book(category, "1234.56")
    client.force_login(director)
    page = client.get(reverse("budget:home")).content.decode()
    assert "Telefonaktion 2024" in page
    assert "1.234,56\u00a0€" in page and "1.265,44\u00a0€" in page


def test_home_refuses_users_without_role(client, outsider, budget):
    client.force_login(outsider)
    assert client.get(reverse("budget:home")).status_code == 403


def test_expense_of_another_budget_is_404(client, treasurer, expense):
    other = BudgetFactory()
    client.force_login(treasurer)
    url = reverse("budget:expense_detail", args=[other.pk, expense.pk])
    assert client.get(url).status_code == 404
    url = reverse("budget:expense_receipt", args=[other.pk, expense.pk])
    assert client.get(url).status_code == 404


# -- list --------------------------------------------------------------------------------------


def test_list_shows_newest_first_with_reversals_struck_through(
    client, director, book, category, treasurer, budget
):
    first = book(category, "10.00", payee="Erster").expense
    book(category, "20.00", payee="Zweiter")
    reverse_expense(expense=first, reason="doppelt gebucht", created_by=treasurer)
    client.force_login(director)
    response = client.get(list_url(budget))
    rows = list(response.context["page"])
    assert [e.payee for e in rows] == ["Zweiter", "Erster"]
    page = response.content.decode()
    assert 'class="row-link reversed"' in page
    assert "doppelt gebucht" in page


def test_list_filters_by_category_dates_and_text(
    client, director, book, budget, category, headsets
):
    book(category, "10.00", payee="Bäckerei Roth", spent_on=datetime.date(2024, 1, 10))
    book(headsets, "50.00", payee="Elektro Erfurt", spent_on=datetime.date(2024, 2, 1))
    third = book(category, "5.00", payee="Kiosk", spent_on=datetime.date(2024, 3, 1)).expense
    client.force_login(director)

    def payees(**params):
        return [e.payee for e in client.get(list_url(budget), params).context["page"]]

    assert payees(category=headsets.pk) == ["Elektro Erfurt"]
    assert payees(date_from="2024-01-15", date_to="01.02.2024") == ["Elektro Erfurt"]
    assert payees(q="bäckerei") == ["Bäckerei Roth"]
    assert payees(q=str(third.receipt_number)) == ["Kiosk"]


def test_list_shows_count_and_sum_of_the_filtered_rows(
    client, director, book, budget, category, headsets, treasurer
):
    book(category, "100.00", payee="Bäckerei Roth")
    book(category, "141.85", payee="Bäckerei Roth")
    gone = book(category, "999.00", payee="Bäckerei Roth").expense
    reverse_expense(expense=gone, reason="doppelt", created_by=treasurer)
    book(headsets, "50.00", payee="Elektro Erfurt")
    client.force_login(director)
    page = client.get(list_url(budget), {"q": "Bäckerei"}).content.decode()
    assert "2 Ausgaben · 241,85 €" in page
    assert "(dazu 1 storniert)" in page
    assert f'href="{list_url(budget)}" id="reset-filters">Filter zurücksetzen' in page
    page = client.get(list_url(budget)).content.decode()
    assert "3 Ausgaben · 291,85 €" in page  # the dashboard's "3 gültige Ausgaben"
    assert "Filter zurücksetzen" not in page
    assert 'collapse d-md-block mb-3"' in page  # collapsed on the phone while no filter is set


def test_german_date_filter_stays_in_its_box(client, director, budget):
    client.force_login(director)
    page = client.get(list_url(budget), {"date_from": "20.01.2024"}).content.decode()
    assert 'name="date_from" value="2024-01-20"' in page
    assert "collapse d-md-block mb-3 show" in page  # an active filter stays open


def test_whole_row_links_to_the_expense_and_icons_need_no_emoji_font(
    client, director, expense, budget
):
    client.force_login(director)
    page = client.get(list_url(budget)).content.decode()
    assert f'<a class="stretched-link" href="{detail_url(expense)}">' in page
    assert "📎" not in page and "✓" not in page
    assert '<svg class="icon"' in page


def test_list_paginates_fifty_a_page(client, director, budget, category, book):
    for i in range(51):
        book(category, "1.00", payee=f"P{i}")
    client.force_login(director)
    first = client.get(list_url(budget))
    assert len(first.context["page"]) == 50
    second = client.get(list_url(budget), {"page": 2})
    assert [e.payee for e in second.context["page"]] == ["P0"]


# session, user, two for the role's permissions, budget, page of expenses (joined with category,
# users and reversal), categories for the filter. The unfiltered count and sum come from the
# budget's running counters, one category's from the category's; any other filter adds one
# aggregate (which also counts the pages). Choosing a category adds the query that validates it.
LIST_QUERIES = 7


@pytest.mark.parametrize("bookings", [1, 120])
def test_list_costs_the_same_queries_however_long(
    client, director, budget, category, book, treasurer, django_assert_num_queries, bookings
):
    for i in range(bookings):
        e = book(category, "1.00", receipt=pdf_upload() if i % 2 else None).expense
        if i % 3 == 0:
            reverse_expense(expense=e, reason="Test", created_by=treasurer)
    client.force_login(director)
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(list_url(budget)).status_code == 200
    with django_assert_num_queries(LIST_QUERIES + 2):
        client.get(list_url(budget), {"category": category.pk, "page": 2, "q": "Bäckerei"})
    # One category alone: validate it; its counters come with it.
    with django_assert_num_queries(LIST_QUERIES + 1):
        response = client.get(list_url(budget), {"category": category.pk})
    valid, reversed_ = bookings - (bookings + 2) // 3, (bookings + 2) // 3
    assert response.context["page"].paginator.count == bookings
    assert response.context["totals"]["count"] == valid
    assert response.context["totals"]["reversed"] == reversed_


def test_unfiltered_pages_are_counted_from_the_running_counters(
    client, director, budget, category, book, treasurer
):
    for i in range(120):
        e = book(category, "1.00").expense
        if i % 3 == 0:
            reverse_expense(expense=e, reason="Test", created_by=treasurer)
    client.force_login(director)
    last = client.get(list_url(budget), {"page": 3})
    assert last.context["page"].paginator.num_pages == 3
    assert [e.receipt_number for e in last.context["page"]] == list(range(20, 0, -1))
    assert "80 Ausgaben · 80,00\u00a0€" in last.content.decode()
    assert "(dazu 40 storniert)" in last.content.decode()
    # One category: its running sum and counters.
    headsets = budget.categories.get(name="Headsets")
    book(headsets, "3.50", payee="Elektro Erfurt")
    only = client.get(list_url(budget), {"category": headsets.pk}).content.decode()
    assert "1 Ausgabe · 3,50\u00a0€" in only and "storniert)" not in only
    again = client.get(list_url(budget), {"category": category.pk, "page": 3})
    assert again.context["page"].paginator.count == 120
    assert [e.receipt_number for e in again.context["page"]] == list(range(20, 0, -1))
    assert "80 Ausgaben · 80,00\u00a0€" in again.content.decode()
    assert "(dazu 40 storniert)" in again.content.decode()
    # Any other filter counts its own rows.
    filtered = client.get(list_url(budget), {"q": "Bäckerei", "page": 2})
    assert filtered.context["page"].paginator.count == 120
    assert client.get(list_url(budget), {"q": "niemand"}).context["page"].paginator.count == 0


# -- detail ------------------------------------------------------------------------------------


def test_detail_shows_who_booked_and_previews_the_pdf(client, director, expense):
    client.force_login(director)
    page = client.get(detail_url(expense)).content.decode()
    assert "86,45\u00a0€" in page
    assert "schatzmeisterin" in page
    assert f'<iframe src="{receipt_url(expense)}"' in page
    assert "Stornieren" not in page  # the director cannot reverse


def test_detail_previews_images_inline(client, treasurer, book, category):
    expense = book(category, "5.00", receipt=image_upload()).expense
    client.force_login(treasurer)
    page = client.get(detail_url(expense)).content.decode()
    thumbnail = reverse("budget:expense_thumbnail", args=[expense.budget_id, expense.pk, "large"])
    assert f'<img src="{thumbnail}"' in page
    assert f'<img src="{receipt_url(expense)}"' not in page  # never the original inline
    assert f'href="{receipt_url(expense)}"' in page  # a tap opens it
    assert reverse_url(expense) in page


# -- reversal ----------------------------------------------------------------------------------


def test_reversal_needs_a_reason_and_a_post(client, treasurer, expense, budget):
    client.force_login(treasurer)
    page = client.get(reverse_url(expense))
    assert page.status_code == 200
    assert Reversal.objects.count() == 0
    response = client.post(reverse_url(expense), {"reason": "  ", "one_time_key": fresh_key()})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert Reversal.objects.count() == 0


def test_reversal_releases_the_amount_and_shows_who_when_why(client, treasurer, expense, budget):
    client.force_login(treasurer)
    response = client.post(
        reverse_url(expense),
        {"reason": "Betrag falsch erfasst", "one_time_key": fresh_key()},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == detail_url(expense)
    assert Budget.objects.get(pk=budget.pk).spent == Decimal("0.00")
    page = response.content.decode()
    assert "Beleg Nr. 1 storniert; 86,45\u00a0€ stehen wieder zur Verfügung." in page
    assert "Betrag falsch erfasst" in page and "Storniert am" in page
    assert Expense.objects.filter(pk=expense.pk).exists()  # never deleted


def test_second_reversal_is_refused_with_a_message(client, treasurer, expense, budget):
    client.force_login(treasurer)
    client.post(reverse_url(expense), {"reason": "erster", "one_time_key": fresh_key()})
    response = client.post(
        reverse_url(expense), {"reason": "zweiter", "one_time_key": fresh_key()}, follow=True
    )
    assert "bereits storniert" in response.content.decode()
    assert Reversal.objects.get().reason == "erster"
    assert Budget.objects.get(pk=budget.pk).spent == Decimal("0.00")


def test_director_cannot_reverse(client, director, expense, budget):
    client.force_login(director)
    assert (
        client.post(reverse_url(expense), {"reason": "x", "one_time_key": fresh_key()}).status_code
        == 403
    )
    assert Reversal.objects.count() == 0


# -- receipt file ------------------------------------------------------------------------------


def test_receipt_is_served_with_safe_headers(client, director, expense):
    client.force_login(director)
    response = client.get(receipt_url(expense))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline;")
    assert "Quittung" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    download = client.get(receipt_url(expense), {"download": "1"})
    assert download["Content-Disposition"].startswith("attachment;")


def test_receipt_files_have_no_public_url(client, director, expense, settings):
    client.force_login(director)
    stored = files_under(settings.MEDIA_ROOT)[0].relative_to(settings.MEDIA_ROOT)
    for prefix in ("/media/", "/"):
        assert client.get(f"{prefix}{stored}").status_code == 404


def test_expense_without_file_has_no_receipt(client, director, book, category):
    expense = book(category, "1.00").expense
    client.force_login(director)
    assert client.get(receipt_url(expense)).status_code == 404


def test_receipt_of_another_budget_is_not_reachable(client, director, expense):
    foreign_budget = BudgetFactory()
    CategoryFactory(budget=foreign_budget)
    client.force_login(director)
    url = reverse("budget:expense_receipt", args=[foreign_budget.pk, expense.pk])
    assert client.get(url).status_code == 404


def test_forbidden_page_explains_the_roles_in_german(client, outsider, budget):
    client.force_login(outsider)
    response = client.get(list_url(budget))
    assert response.status_code == 403
    assert "Berechtigung" in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "-1"},
        {"date_from": "31.02.2024"},
        {"category": "kein"},
        {"q": "x" * 500},
        {"q": "²"},
        {"q": "①"},
        {"q": "9" * 40},
    ],
)
def test_hostile_list_parameters_do_not_break_the_list(client, director, budget, params):
    client.force_login(director)
    assert client.get(list_url(budget), params).status_code == 200
