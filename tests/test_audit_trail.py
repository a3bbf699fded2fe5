"""The audit trail (django-simple-history): who changed what when, old → new."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from budget.models import Budget, Category, Resolution
from budget.services import reverse_expense
from tests.factories import UserFactory
from tests.helpers import assert_login_required

pytestmark = pytest.mark.django_db


def budget_change_data(budget, **overrides):
    categories = list(budget.categories.all())
    data = {
        "resolution": budget.resolution_id,
        "name": budget.name,
        "cap": "2.500,00",
        "currency": "EUR",
        "starts_on": budget.starts_on.strftime("%d.%m.%Y"),
        "ends_on": "",
        "km_rate_car": "0,30",
        "km_rate_other": "0,20",
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
                f"categories-{i}-planned": "",
                f"categories-{i}-over_plan": c.over_plan,
                f"categories-{i}-quantity_cap": c.quantity_cap or "",
                f"categories-{i}-quantity_unit": c.quantity_unit,
            }
        )
    data.update(overrides)
    return data


def test_changing_the_cap_in_the_admin_records_old_and_new_cap_and_who(
    admin_client, superuser, budget, category, book
):
    book(category, "500.00")
    before = budget.history.count()
    url = reverse("admin:budget_budget_change", args=[budget.pk])
    response = admin_client.post(url, budget_change_data(budget, cap="3.000,00"))
    assert response.status_code == 302
    assert budget.history.count() == before + 1
    latest = budget.history.latest()
    previous = latest.prev_record
    assert (previous.cap, latest.cap) == (Decimal("2500.00"), Decimal("3000.00"))
    assert latest.history_user.username == "admin"
    delta = latest.diff_against(previous)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("cap", Decimal("2500.00"), Decimal("3000.00"))
    ]
    # The running totals are not part of the history and stay as the bookings left them.
    fresh = Budget.objects.get(pk=budget.pk)
    assert fresh.spent == Decimal("500.00")
    assert not hasattr(latest, "spent")


def test_the_admin_shows_the_change_under_verlauf(admin_client, budget, category):
    admin_client.post(
        reverse("admin:budget_budget_change", args=[budget.pk]),
        budget_change_data(budget, cap="3.000,00"),
    )
    change_page = admin_client.get(reverse("admin:budget_budget_change", args=[budget.pk]))
    assert "Verlauf" in change_page.content.decode()
    history = admin_client.get(reverse("admin:budget_budget_history", args=[budget.pk]))
    assert history.status_code == 200
    text = history.content.decode()
    assert "Obergrenze: 2.500,00\u00a0€ → 3.000,00\u00a0€" in text
    assert "admin" in text


def test_bookings_and_reversals_write_no_history(budget, category, book, treasurer):
    budget_rows, category_rows = budget.history.count(), Category.history.count()
    expense = book(category, "10.00").expense
    reverse_expense(expense=expense, reason="Irrtum", created_by=treasurer)
    assert budget.history.count() == budget_rows
    assert Category.history.count() == category_rows


def test_a_plain_save_still_never_writes_running_totals(budget, category, book):
    stale = Budget.objects.get(pk=budget.pk)  # read before the booking
    book(category, "10.00")
    stale.name = "Telefonaktion 2024 (Thüringen)"
    stale.save()
    fresh = Budget.objects.get(pk=budget.pk)
    assert fresh.spent == Decimal("10.00")  # not put back to 0 by the stale object
    assert fresh.name == "Telefonaktion 2024 (Thüringen)"
    assert budget.history.latest().name == "Telefonaktion 2024 (Thüringen)"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Neuer Name"),
        ("cap", Decimal("3000.00")),
        ("ends_on", datetime.date(2024, 12, 31)),
        ("is_closed", True),
    ],
)
def test_every_budget_field_of_the_issue_is_recorded(budget, field, value):
    setattr(budget, field, value)
    budget.save()
    latest = budget.history.latest()
    assert getattr(latest, field) == value
    assert getattr(latest.prev_record, field) != value


@pytest.mark.parametrize(
    ("field", "value"),
    [("planned", Decimal("100.00")), ("over_plan", "stop"), ("quantity_cap", 20)],
)
def test_category_plan_action_and_quantity_cap_are_recorded(headsets, field, value):
    setattr(headsets, field, value)
    headsets.save()
    latest = headsets.history.latest()
    assert getattr(latest, field) == value
    assert getattr(latest.prev_record, field) != value


def test_resolution_changes_are_recorded(budget):
    resolution = budget.resolution
    resolution.votes_for = 12
    resolution.save()
    assert [r.votes_for for r in Resolution.history.filter(id=resolution.pk)] == [12, 11]


def roles(record):
    ids = record.groups.values_list("group_id", flat=True)
    return sorted(Group.objects.filter(pk__in=ids).values_list("name", flat=True))


def test_role_changes_are_recorded_from_either_side(db):
    user = UserFactory(username="neu")
    treasurer_group = Group.objects.get(name="treasurer")
    director_group = Group.objects.get(name="director")
    user.groups.add(treasurer_group)
    assert roles(user.history.latest()) == ["treasurer"]
    director_group.user_set.add(user)  # from the group's side
    assert roles(user.history.latest()) == ["director", "treasurer"]
    user.groups.remove(treasurer_group)
    assert roles(user.history.latest()) == ["director"]
    director_group.user_set.clear()
    assert roles(user.history.latest()) == []
    assert not hasattr(user.history.latest(), "password")


def test_role_change_in_the_admin_is_recorded_with_who(admin_client, db):
    user = UserFactory(username="kassenpruefer")
    group = Group.objects.get(name="director")
    response = admin_client.post(
        reverse("admin:auth_user_change", args=[user.pk]),
        {
            "username": user.username,
            "first_name": "",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "groups": [group.pk],
            "date_joined_0": "01.01.2024",
            "date_joined_1": "10:00:00",
            "initial-date_joined_0": "01.01.2024",
            "initial-date_joined_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = user.history.latest()
    assert roles(latest) == ["director"]
    assert latest.history_user.username == "admin"
    page = admin_client.get(reverse("admin:auth_user_history", args=[user.pk])).content.decode()
    assert "Rollen: – → director" in page


# --- the budget's history page ---------------------------------------------------------------


def history_url(budget):
    return reverse("budget:budget_history", args=[budget.pk])


def test_anonymous_is_sent_to_login(client, budget):
    assert_login_required(client.get(history_url(budget)))


@pytest.mark.parametrize(
    ("role", "status"),
    [("treasurer", 200), ("director", 200), ("superuser", 200), ("outsider", 403)],
)
def test_history_page_access(client, budget, request, role, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get(history_url(budget)).status_code == status


def test_dashboard_links_to_the_history(client, director, budget):
    client.force_login(director)
    page = client.get(reverse("budget:budget_dashboard", args=[budget.pk])).content.decode()
    assert history_url(budget) in page


def test_history_page_shows_old_and_new_with_who(admin_client, client, director, budget, headsets):
    admin_client.post(
        reverse("admin:budget_budget_change", args=[budget.pk]),
        budget_change_data(budget, cap="3.000,00", **{"categories-2-quantity_cap": "20"}),
    )
    client.force_login(director)
    response = client.get(history_url(budget))
    text = response.content.decode()
    assert 'Obergrenze:</span> <span class="history-old">2.500,00\u00a0€</span> → ' in text
    assert "3.000,00\u00a0€" in text
    assert "Kategorie „Headsets“" in text
    assert '<span class="history-old">15</span> → <span class="history-new">20</span>' in text
    assert "admin" in text


def test_history_page_costs_the_same_queries_however_many_changes(
    client, director, budget, django_assert_num_queries
):
    for cap in range(3000, 3012):
        budget.cap = Decimal(cap)
        budget.save()
    client.force_login(director)
    # session, user, 2 × permissions, budget, budget history, category history, resolution history
    with django_assert_num_queries(8):
        assert client.get(history_url(budget)).status_code == 200


def test_closing_and_reopening_are_in_the_budget_history(client, director, superuser, budget):
    from budget.services.closing import close_budget, reopen_budget

    close_budget(budget=budget, closed_by=director, note="Verwendungsnachweis geprüft")
    closed = budget.history.latest()
    assert (closed.prev_record.is_closed, closed.is_closed) == (False, True)
    assert closed.close_note == "Verwendungsnachweis geprüft"
    assert closed.closed_by_id == director.pk
    reopen_budget(budget=budget, reopened_by=superuser, reason="Nachbuchung")
    reopened = budget.history.latest()
    assert (reopened.is_closed, reopened.reopen_reason) == (False, "Nachbuchung")
    client.force_login(director)
    text = client.get(history_url(budget)).content.decode()
    assert "Verwendungsnachweis geprüft" in text and "Nachbuchung" in text
