"""Closing a budget (director or admin, with a note); reopening it (admins only, with a reason)."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from budget.exceptions import BudgetClosed, InvalidExpense
from budget.models import Budget, Category, Expense, Reversal
from budget.services import reverse_expense
from budget.services.closing import (
    BudgetAlreadyClosed,
    BudgetNotClosed,
    close_budget,
    reopen_budget,
)
from tests.helpers import assert_login_required, fresh_key

pytestmark = pytest.mark.django_db

NOTE = "Verwendungsnachweis am 15.03.2024 dem Landesvorstand vorgelegt."


def close_url(budget):
    return reverse("budget:budget_close", args=[budget.pk])


def reopen_url(budget):
    return reverse("budget:budget_reopen", args=[budget.pk])


def dashboard_url(budget):
    return reverse("budget:budget_dashboard", args=[budget.pk])


def today():
    return timezone.localdate().strftime("%d.%m.%Y")


# -- the service -------------------------------------------------------------------------------


def test_closing_records_who_when_and_why(budget, director):
    closed = close_budget(budget=budget, closed_by=director, note=f"  {NOTE} ")
    fresh = Budget.objects.get(pk=budget.pk)
    assert fresh.is_closed and closed.is_closed
    assert fresh.closed_by == director
    assert fresh.close_note == NOTE
    assert abs(fresh.closed_at - timezone.now()) < datetime.timedelta(minutes=1)


def test_a_closed_budget_refuses_bookings_and_reversals(budget, category, book, director):
    expense = book(category, "10.00").expense
    close_budget(budget=budget, closed_by=director, note=NOTE)
    with pytest.raises(BudgetClosed):
        book(category, "10.00")
    with pytest.raises(BudgetClosed):
        reverse_expense(expense=expense, reason="zu spät", created_by=director)
    assert Expense.objects.count() == 1 and Reversal.objects.count() == 0
    assert Budget.objects.get(pk=budget.pk).spent == Decimal("10.00")


def test_closing_twice_is_refused_with_the_date(budget, director):
    close_budget(budget=budget, closed_by=director, note=NOTE)
    with pytest.raises(BudgetAlreadyClosed) as refused:
        close_budget(budget=budget, closed_by=director, note="nochmal")
    assert refused.value.message == (
        f"Das Budget „Telefonaktion 2024“ wurde bereits am {today()} abgeschlossen."
    )
    assert Budget.objects.get(pk=budget.pk).close_note == NOTE


@pytest.mark.parametrize("note", ["", "   ", "Vermerk\u202e"])
def test_closing_needs_a_clean_note(budget, director, note):
    with pytest.raises(InvalidExpense):
        close_budget(budget=budget, closed_by=director, note=note)
    assert not Budget.objects.get(pk=budget.pk).is_closed


def test_reopening_takes_bookings_again_and_keeps_the_reason(
    budget, category, book, director, superuser
):
    close_budget(budget=budget, closed_by=director, note=NOTE)
    reopen_budget(budget=budget, reopened_by=superuser, reason="Nachzügler-Rechnung")
    fresh = Budget.objects.get(pk=budget.pk)
    assert not fresh.is_closed
    assert (fresh.reopened_by, fresh.reopen_reason) == (superuser, "Nachzügler-Rechnung")
    assert fresh.closed_by == director  # the earlier closing stays on record
    assert book(category, "10.00").expense.receipt_number == 1


def test_reopening_an_open_budget_or_without_a_reason_is_refused(budget, director, superuser):
    with pytest.raises(BudgetNotClosed):
        reopen_budget(budget=budget, reopened_by=superuser, reason="warum nicht")
    close_budget(budget=budget, closed_by=director, note=NOTE)
    with pytest.raises(InvalidExpense):
        reopen_budget(budget=budget, reopened_by=superuser, reason=" ")
    assert Budget.objects.get(pk=budget.pk).is_closed


def test_the_running_totals_survive_closing(budget, category, book, director):
    book(category, "10.00")
    stale = Budget.objects.get(pk=budget.pk)
    book(category, "5.00")
    close_budget(budget=stale, closed_by=director, note=NOTE)  # locks and re-reads the row
    assert Budget.objects.get(pk=budget.pk).spent == Decimal("15.00")


def test_directors_may_close_by_their_role(director, treasurer):
    assert Group.objects.get(name="director").permissions.filter(codename="close_budget").exists()
    assert director.has_perm("budget.close_budget")
    assert not treasurer.has_perm("budget.close_budget")


# -- the pages ---------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, budget):
    assert_login_required(client.get(close_url(budget)))
    assert_login_required(client.get(reopen_url(budget)))


@pytest.mark.parametrize(
    ("role", "status"),
    [("director", 200), ("superuser", 200), ("treasurer", 403), ("outsider", 403)],
)
def test_director_and_admin_may_open_the_closing_page(client, budget, request, role, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get(close_url(budget)).status_code == status


@pytest.mark.parametrize("role", ["treasurer", "outsider"])
def test_others_cannot_close_by_posting(client, budget, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.post(close_url(budget), {"note": NOTE}).status_code == 403
    assert not Budget.objects.get(pk=budget.pk).is_closed


def test_the_director_closes_from_the_dashboard(client, director, budget, category, book):
    book(category, "729.78")
    client.force_login(director)
    dashboard = client.get(dashboard_url(budget)).content.decode()
    assert close_url(budget) in dashboard
    confirmation = client.get(close_url(budget)).content.decode()
    assert "Nicht verbraucht: 1.770,22\u00a0€." in confirmation
    assert Budget.objects.get(pk=budget.pk).is_closed is False  # GET changes nothing

    response = client.post(close_url(budget), {"note": NOTE}, follow=True)
    assert response.redirect_chain == [(dashboard_url(budget), 302)]
    page = response.content.decode()
    assert f"abgeschlossen am {today()} von lgf" in page
    assert NOTE in page
    assert "nimmt keine Buchungen mehr an" in page
    assert close_url(budget) not in page


def test_closing_without_a_note_shows_the_form_again(client, director, budget):
    client.force_login(director)
    response = client.post(close_url(budget), {"note": " "})
    assert response.status_code == 200
    assert "note" in response.context["form"].errors
    assert not Budget.objects.get(pk=budget.pk).is_closed


def test_a_second_closing_post_answers_calmly(client, director, budget):
    client.force_login(director)
    client.post(close_url(budget), {"note": NOTE})
    again = client.post(close_url(budget), {"note": "anderer Vermerk"}, follow=True)
    assert again.redirect_chain == [(dashboard_url(budget), 302)]
    assert "wurde bereits am" in again.content.decode()
    assert Budget.objects.get(pk=budget.pk).close_note == NOTE


def test_the_statement_shows_who_closed_it_and_the_note(client, director, budget):
    close_budget(budget=budget, closed_by=director, note=NOTE)
    client.force_login(director)
    page = client.get(reverse("budget:budget_statement", args=[budget.pk])).content.decode()
    assert f"abgeschlossen am {today()} von lgf" in page
    assert NOTE in page


def test_booking_and_reversal_pages_refuse_on_a_closed_budget(
    client, treasurer, director, budget, category, book
):
    expense = book(category, "10.00").expense
    close_budget(budget=budget, closed_by=director, note=NOTE)
    client.force_login(treasurer)
    booking = client.post(
        reverse("budget:expense_new", args=[budget.pk]),
        {
            "category": category.pk,
            "spent_on": "15.01.2024",
            "payee": "Bäckerei Roth",
            "description": "Frühstück",
            "amount": "12,50",
            "quantity": "1",
            "one_time_key": fresh_key(),
        },
    )
    assert booking.status_code == 200
    assert "ist abgeschlossen" in " ".join(booking.context["form"].non_field_errors())
    reversal = client.post(
        reverse("budget:expense_reverse", args=[budget.pk, expense.pk]),
        {"reason": "zu spät", "one_time_key": fresh_key()},
        follow=True,
    )
    assert "ist abgeschlossen" in reversal.content.decode()
    assert Expense.objects.count() == 1 and Reversal.objects.count() == 0


@pytest.mark.parametrize("role", ["director", "treasurer"])
def test_only_admins_may_reopen(client, budget, request, role, director):
    close_budget(budget=budget, closed_by=director, note=NOTE)
    client.force_login(request.getfixturevalue(role))
    assert client.get(reopen_url(budget)).status_code == 403
    assert client.post(reopen_url(budget), {"reason": "x"}).status_code == 403
    assert reopen_url(budget) not in client.get(dashboard_url(budget)).content.decode()
    assert Budget.objects.get(pk=budget.pk).is_closed


def test_the_admin_reopens_with_a_reason(client, superuser, director, budget):
    close_budget(budget=budget, closed_by=director, note=NOTE)
    client.force_login(superuser)
    assert reopen_url(budget) in client.get(dashboard_url(budget)).content.decode()
    refused = client.post(reopen_url(budget), {"reason": ""})
    assert refused.status_code == 200 and "reason" in refused.context["form"].errors
    assert Budget.objects.get(pk=budget.pk).is_closed

    response = client.post(reopen_url(budget), {"reason": "Rechnung kam nach"}, follow=True)
    assert response.redirect_chain == [(dashboard_url(budget), 302)]
    page = response.content.decode()
    assert f"wieder geöffnet am {today()} von admin" in page
    assert "Rechnung kam nach" in page
    assert not Budget.objects.get(pk=budget.pk).is_closed


def test_a_closed_dashboard_costs_no_extra_query(
    client, director, budget, category, book, django_assert_num_queries
):
    book(category, "10.00")
    close_budget(budget=budget, closed_by=director, note=NOTE)
    client.force_login(director)
    # session, user, 2 × permissions, budget + resolution + who closed it, categories,
    # 10 latest, daily totals, oldest open claims and orders, last booking (retention date):
    # as many as for an open budget
    with django_assert_num_queries(11):
        response = client.get(dashboard_url(budget))
    assert "abgeschlossen am" in response.content.decode()


# -- the admin ---------------------------------------------------------------------------------


def test_the_admin_shows_a_closed_budget_but_does_not_change_it(
    admin_client, director, budget, category
):
    close_budget(budget=budget, closed_by=director, note=NOTE)
    url = reverse("admin:budget_budget_change", args=[budget.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert NOTE in page.content.decode()
    assert b'name="cap"' not in page.content
    assert admin_client.post(url, {"name": "umbenannt"}).status_code == 403
    assert Budget.objects.get(pk=budget.pk).name == "Telefonaktion 2024"
    assert Category.objects.get(pk=category.pk).planned is None


def test_the_resolution_page_of_the_admin_cannot_change_a_closed_budget(budget, director):
    from django.forms import modelform_factory

    from budget.admin.ledger import ClosedBudgetStaysAsItIs

    close_budget(budget=budget, closed_by=director, note=NOTE)
    budget.refresh_from_db()
    form_class = modelform_factory(
        Budget, form=ClosedBudgetStaysAsItIs, fields=["name", "cap", "currency", "starts_on"]
    )
    data = {"name": budget.name, "cap": "2500.00", "currency": "EUR", "starts_on": "2023-11-24"}
    assert form_class(data, instance=budget).is_valid()  # unchanged: fine
    changed = form_class({**data, "cap": "3000.00"}, instance=budget)
    assert not changed.is_valid()
    assert "ist abgeschlossen und kann nicht geändert werden" in changed.non_field_errors()[0]


# -- the audit trail ---------------------------------------------------------------------------


def test_closing_and_reopening_appear_in_the_budgets_history(client, director, superuser, budget):
    client.force_login(director)
    client.post(close_url(budget), {"note": NOTE})
    client.force_login(superuser)
    client.post(reopen_url(budget), {"reason": "Rechnung kam nach"})

    closed, reopened = Budget.history.filter(id=budget.pk).order_by("history_date")[1:3]
    assert (closed.is_closed, closed.close_note, closed.history_user) == (True, NOTE, director)
    assert (reopened.is_closed, reopened.reopen_reason, reopened.history_user) == (
        False,
        "Rechnung kam nach",
        superuser,
    )
    client.force_login(director)
    page = client.get(reverse("budget:budget_history", args=[budget.pk])).content.decode()
    assert NOTE in page
    assert "Rechnung kam nach" in page
    assert "Grund der Wiedereröffnung" in page
