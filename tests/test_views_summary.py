import datetime
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from budget.models import Category
from budget.services import record_expense, reverse_expense
from tests.helpers import assert_login_required


def url(budget):
    return reverse("budget:budget_summary", args=[budget.pk])


@pytest.mark.parametrize("role", ["treasurer", "director", "superuser"])
def test_roles_get_json(client, budget, role, request):
    client.force_login(request.getfixturevalue(role))
    response = client.get(url(budget))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_user_without_role_is_refused(client, budget, outsider):
    client.force_login(outsider)
    assert client.get(url(budget)).status_code == 403


def test_anonymous_is_sent_to_login(client, budget):
    assert_login_required(client.get(url(budget)))


def test_unknown_budget_is_404(client, director):
    client.force_login(director)
    assert client.get(reverse("budget:budget_summary", args=[999999])).status_code == 404


def test_exact_shape_with_reversals_netted_out(client, budget, headsets, category, book, director):
    Category.objects.filter(pk=category.pk).update(planned=Decimal("300.00"))
    book(headsets, "349.30", quantity=7)
    book(category, "120.05")
    cancelled = book(category, "80.00").expense
    reverse_expense(expense=cancelled, reason="doppelt", created_by=cancelled.created_by)
    client.force_login(director)

    data = json.loads(client.get(url(budget)).content)

    categories = {c.name: c.pk for c in budget.categories.all()}
    assert data == {
        "budget": budget.pk,
        "name": "Telefonaktion 2024",
        "resolution": budget.resolution.reference,
        "currency": "EUR",
        "cap": "2500.00",
        "spent": "469.35",
        "remaining": "2030.65",
        "reserved": "0.00",
        "reserved_claims": "0.00",
        "reserved_orders": "0.00",
        "available": "2030.65",
        "categories": [
            {
                "id": categories["Reisekosten"],
                "name": "Reisekosten",
                "planned": None,
                "spent": "0.00",
                "quantity": 0,
                "quantity_cap": None,
                "reserved": "0.00",
                "reserved_quantity": 0,
            },
            {
                "id": categories["Vor- und Nachbereitung"],
                "name": "Vor- und Nachbereitung",
                "planned": None,
                "spent": "0.00",
                "quantity": 0,
                "quantity_cap": None,
                "reserved": "0.00",
                "reserved_quantity": 0,
            },
            {
                "id": categories["Headsets"],
                "name": "Headsets",
                "planned": None,
                "spent": "349.30",
                "quantity": 7,
                "quantity_cap": 15,
                "reserved": "0.00",
                "reserved_quantity": 0,
            },
            {
                "id": categories["Verpflegung"],
                "name": "Verpflegung",
                "planned": "300.00",
                "spent": "120.05",
                "quantity": 1,
                "quantity_cap": None,
                "reserved": "0.00",
                "reserved_quantity": 0,
            },
        ],
    }


def test_umlauts_are_plain_utf8(client, budget, director):
    client.force_login(director)
    body = client.get(url(budget)).content.decode("utf-8")
    assert '"Vor- und Nachbereitung"' in body
    Category.objects.filter(budget=budget, name="Verpflegung").update(name="Getränke")
    assert '"Getränke"' in client.get(url(budget)).content.decode("utf-8")


@pytest.mark.parametrize("n", [10, 1000])
def test_query_count_does_not_grow_with_history(
    client, budget, category, treasurer, django_assert_num_queries, n
):
    for i in range(n):
        record_expense(
            budget=budget,
            category=category,
            spent_on=datetime.date(2024, 1, 1) + datetime.timedelta(days=i % 30),
            payee=f"Händler {i}",
            description="Verpflegung",
            amount=Decimal("1.00"),
            created_by=treasurer,
        )
    client.force_login(treasurer)
    # session, user, 2 × permissions, budget + resolution, categories
    with django_assert_num_queries(6):
        response = client.get(url(budget))
    assert json.loads(response.content)["spent"] == f"{n}.00"
