"""§ 24 Abs. 5 PartG positions, ledger accounts and cost centres; the auditor in the admin."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from budget.models import Budget, Category
from budget.positions import ExpensePosition
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_positions_follow_the_act_as_in_force():
    assert ExpensePosition.values == ["1", "2a", "2b", "2c", "2d", "2e", "2f", "2g", "3"]
    labels = dict(ExpensePosition.choices)
    assert labels["2b"] == "2b Sachausgaben für allgemeine politische Arbeit"
    assert labels["2f"] == "2f Ausgaben im Rahmen einer Unternehmenstätigkeit"
    assert labels["2g"] == "2g sonstige Ausgaben"
    assert labels["3"] == "3 Zuschüsse an Gliederungen"


def test_the_database_refuses_an_unknown_position(category):
    with transaction.atomic(), pytest.raises(IntegrityError, match="category_position_known"):
        Category.objects.filter(pk=category.pk).update(position="2h")


@pytest.mark.parametrize("account", ["4660", "12345678"])
def test_an_account_has_four_to_eight_digits(category, account):
    category.account = account
    category.full_clean()


@pytest.mark.parametrize("account", ["466", "123456789", "46a0", " 4660"])
def test_other_accounts_are_refused_with_a_message(category, account):
    category.account = account
    with pytest.raises(ValidationError) as error:
        category.full_clean()
    assert "Ein Sachkonto hat 4 bis 8 Ziffern, z. B. 4660." in error.value.message_dict["account"]


@pytest.mark.parametrize(
    ("value", "valid"),
    [("TA2024", True), ("12345678", True), ("123456789", False), ("TA-24", False)],
)
def test_cost_centre(budget, value, valid):
    budget.cost_centre = value
    if valid:
        budget.full_clean()
    else:
        with pytest.raises(ValidationError) as error:
            budget.full_clean()
        assert "cost_centre" in error.value.message_dict


def test_the_seed_puts_every_category_on_2b_with_an_account():
    call_command("seed_telefonaktion")
    assert sorted(Category.objects.values_list("name", "position", "account")) == [
        ("Headsets", "2b", "4985"),
        ("Reisekosten", "2b", "4660"),
        ("Verpflegung", "2b", "4650"),
        ("Vor- und Nachbereitung", "2b", "4930"),
    ]


def test_the_seed_fills_in_what_is_empty_and_keeps_what_was_edited():
    call_command("seed_telefonaktion")
    Category.objects.filter(name="Reisekosten").update(position="", account="")
    Category.objects.filter(name="Verpflegung").update(position="2c", account="4654")
    call_command("seed_telefonaktion")
    assert Category.objects.get(name="Reisekosten").position == "2b"
    assert Category.objects.get(name="Reisekosten").account == "4660"
    assert Category.objects.get(name="Verpflegung").position == "2c"
    assert Category.objects.get(name="Verpflegung").account == "4654"


# --- dashboard --------------------------------------------------------------------------------


def dashboard(client, budget):
    return client.get(reverse("budget:budget_dashboard", args=[budget.pk]))


def test_the_dashboard_names_the_categories_without_a_position(client, budget, treasurer):
    Category.objects.filter(budget=budget).exclude(name="Headsets").update(position="2b")
    client.force_login(treasurer)
    response = dashboard(client, budget)
    page = response.content.decode()
    assert "Eine Kategorie ist noch keiner Position des Rechenschaftsberichts" in page
    assert "„Headsets“." in page
    assert page.count("ohne Position</span>") == 1


def test_the_dashboard_counts_several(client, budget, treasurer):
    client.force_login(treasurer)
    page = dashboard(client, budget).content.decode()
    assert "4 Kategorien sind noch keiner Position des Rechenschaftsberichts" in page


def test_no_flag_when_every_category_has_its_position(client, budget, director):
    Category.objects.filter(budget=budget).update(position="2b")
    client.force_login(director)
    page = dashboard(client, budget).content.decode()
    assert 'id="position-missing"' not in page
    assert page.count("Position 2b") == 4


def test_staff_treasurer_gets_a_link_to_assign_them(client, budget):
    user = UserFactory(username="kasse", role="treasurer", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_category", "change_budget"])
    )
    client.force_login(user)
    page = dashboard(client, budget).content.decode()
    assert reverse("admin:budget_budget_change", args=[budget.pk]) in page


# --- admin ------------------------------------------------------------------------------------


def test_the_admin_shows_position_account_and_cost_centre(admin_client, budget):
    page = admin_client.get(
        reverse("admin:budget_budget_change", args=[budget.pk])
    ).content.decode()
    assert 'name="cost_centre"' in page
    assert 'name="categories-0-position"' in page
    assert 'name="categories-0-account"' in page
    assert "2d Sachausgaben für die Vermögensverwaltung" in page


def test_the_admin_saves_them(admin_client, budget):
    url = reverse("admin:budget_budget_change", args=[budget.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "resolution": budget.resolution_id,
            "name": budget.name,
            "cap": "2.500,00",
            "currency": "EUR",
            "starts_on": "24.11.2023",
            "cost_centre": "TA2024",
            "categories-TOTAL_FORMS": "4",
            "categories-INITIAL_FORMS": "4",
            "categories-MIN_NUM_FORMS": "0",
            "categories-MAX_NUM_FORMS": "1000",
        }
    )
    for index, category in enumerate(budget.categories.order_by("order")):
        data.update(
            {
                f"categories-{index}-id": category.pk,
                f"categories-{index}-budget": budget.pk,
                f"categories-{index}-name": category.name,
                f"categories-{index}-order": category.order,
                f"categories-{index}-over_plan": category.over_plan,
                f"categories-{index}-quantity_unit": category.quantity_unit,
                f"categories-{index}-quantity_cap": category.quantity_cap or "",
                f"categories-{index}-position": "2b",
                f"categories-{index}-account": "4660",
            }
        )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert Budget.objects.get(pk=budget.pk).cost_centre == "TA2024"
    assert set(budget.categories.values_list("position", "account")) == {("2b", "4660")}


@pytest.fixture
def staff_auditor(db):
    return UserFactory(username="revision", role="auditor", is_staff=True)


@pytest.mark.parametrize(
    "url",
    [
        lambda b: reverse("admin:budget_budget_changelist"),
        lambda b: reverse("admin:budget_budget_change", args=[b.pk]),
        lambda b: reverse("admin:budget_resolution_change", args=[b.resolution_id]),
        lambda b: reverse("admin:budget_expense_changelist"),
    ],
)
def test_the_auditor_may_look_in_the_admin(client, budget, staff_auditor, url):
    client.force_login(staff_auditor)
    response = client.get(url(budget))
    assert response.status_code == 200
    assert 'type="submit" value="Sichern"' not in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        lambda b: reverse("admin:budget_budget_change", args=[b.pk]),
        lambda b: reverse("admin:budget_budget_add"),
        lambda b: reverse("admin:budget_resolution_change", args=[b.resolution_id]),
        lambda b: reverse("admin:budget_resolution_add"),
        lambda b: reverse("admin:budget_expense_add"),
        lambda b: reverse("admin:budget_resolution_delete", args=[b.resolution_id]),
    ],
)
def test_the_auditor_changes_nothing_in_the_admin(client, budget, staff_auditor, url):
    client.force_login(staff_auditor)
    before = Budget.objects.values().get(pk=budget.pk)
    assert client.post(url(budget), {"name": "geändert", "cap": "1,00"}).status_code == 403
    assert Budget.objects.values().get(pk=budget.pk) == before
