"""The admin keeps the records; expenses go through the booking function there too."""

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from budget.models import Budget, Expense, Reversal
from tests.helpers import files_under, fresh_key, pdf_upload

pytestmark = pytest.mark.django_db


def add_data(budget, category, **overrides):
    data = {
        "budget": budget.pk,
        "category": category.pk,
        "spent_on": "15.01.2024",
        "payee": "Bäckerei Roth",
        "description": "Frühstück",
        "amount": "86,45",
        "quantity": "1",
        "one_time_key": fresh_key(),
    }
    data.update(overrides)
    return data


def test_admin_books_through_record_expense(admin_client, budget, category):
    response = admin_client.post(reverse("admin:budget_expense_add"), add_data(budget, category))
    assert response.status_code == 302
    expense = Expense.objects.get()
    assert expense.receipt_number == 1
    assert Budget.objects.get(pk=budget.pk).spent == Decimal("86.45")


def test_admin_over_cap_shows_the_german_error_and_saves_nothing(
    admin_client, budget, category, book, settings
):
    book(category, "2400.00")
    response = admin_client.post(
        reverse("admin:budget_expense_add"),
        add_data(budget, category, amount="100,01", receipt=pdf_upload()),
    )
    assert response.status_code == 200
    assert (
        "Diese Ausgabe würde das Budget um 0,01\u00a0€ überschreiten." in response.content.decode()
    )
    assert Expense.objects.count() == 1
    assert Budget.objects.get(pk=budget.pk).spent == Decimal("2400.00")
    assert files_under(settings.MEDIA_ROOT) == []


def test_admin_shows_booked_expenses_read_only(admin_client, book, category):
    expense = book(category, "10.00").expense
    url = reverse("admin:budget_expense_change", args=[expense.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert b'name="amount"' not in page.content
    admin_client.post(url, {"amount": "1,00", "payee": "geändert"})
    assert Expense.objects.get(pk=expense.pk).amount == Decimal("10.00")
    delete = admin_client.post(
        reverse("admin:budget_expense_delete", args=[expense.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert Expense.objects.filter(pk=expense.pk).exists()


def test_admin_reversal_action_asks_for_a_reason(admin_client, book, category, budget):
    expense = book(category, "10.00").expense
    changelist = reverse("admin:budget_expense_changelist")
    ask = admin_client.post(
        changelist, {"action": "reverse_selected", ACTION_CHECKBOX_NAME: [expense.pk]}
    )
    assert ask.status_code == 200
    assert "Grund der Stornierung" in ask.content.decode()
    assert Reversal.objects.count() == 0
    done = admin_client.post(
        changelist,
        {
            "action": "reverse_selected",
            "apply": "1",
            ACTION_CHECKBOX_NAME: [expense.pk],
            "reason": "doppelt",
        },
    )
    assert done.status_code == 302
    assert Reversal.objects.get().reason == "doppelt"
    assert Budget.objects.get(pk=budget.pk).spent == Decimal("0.00")
    again = admin_client.post(
        changelist,
        {
            "action": "reverse_selected",
            "apply": "1",
            ACTION_CHECKBOX_NAME: [expense.pk],
            "reason": "nochmal",
        },
        follow=True,
    )
    assert "bereits storniert" in again.content.decode()
    assert Reversal.objects.count() == 1


def test_resolution_admin_lists_search_and_filters(admin_client, budget):
    resolution = budget.resolution
    url = reverse("admin:budget_resolution_changelist")
    page = admin_client.get(url).content.decode()
    assert resolution.reference in page and "11 / 0 / 1" in page and "2.500,00\u00a0€" in page
    assert resolution.title in admin_client.get(url, {"q": resolution.title}).content.decode()
    assert admin_client.get(url, {"year": "2023", "outcome": "passed_addendum"}).status_code == 200
    change = admin_client.get(reverse("admin:budget_resolution_change", args=[resolution.pk]))
    assert "Telefonaktion 2024" in change.content.decode()


def test_budget_admin_shows_spent_and_remaining(admin_client, budget, category, book):
    book(category, "500.00")
    page = admin_client.get(reverse("admin:budget_budget_change", args=[budget.pk])).content
    text = page.decode()
    assert "500,00\u00a0€" in text and "2.000,00\u00a0€" in text and "20,0\u00a0%" in text


def test_budget_admin_refuses_a_cap_below_what_is_spent(admin_client, budget, category, book):
    book(category, "500.00")
    url = reverse("admin:budget_budget_change", args=[budget.pk])
    categories = list(budget.categories.all())
    data = {
        "resolution": budget.resolution_id,
        "name": budget.name,
        "cap": "499,99",
        "currency": "EUR",
        "starts_on": "24.11.2023",
        "ends_on": "",
        "categories-TOTAL_FORMS": str(len(categories)),
        "categories-INITIAL_FORMS": str(len(categories)),
        "categories-MIN_NUM_FORMS": "0",
        "categories-MAX_NUM_FORMS": "1000",
    }
    for i, c in enumerate(categories):
        data.update(
            {
                f"categories-{i}-id": c.pk,
                f"categories-{i}-budget": budget.pk,
                f"categories-{i}-name": c.name,
                f"categories-{i}-order": c.order,
                f"categories-{i}-over_plan": c.over_plan,
                f"categories-{i}-quantity_cap": c.quantity_cap or "",
                f"categories-{i}-quantity_unit": c.quantity_unit,
            }
        )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "nicht unter den bereits ausgegebenen Betrag" in response.content.decode()
    assert Budget.objects.get(pk=budget.pk).cap == Decimal("2500.00")
