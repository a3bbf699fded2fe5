"""Closing a budget (director or admin, with a note); reopening it (admins only, with a reason)."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from budget.exceptions import BudgetClosed, BudgetStillOpen, InvalidExpense
from budget.models import Budget, Category, Claim, Expense, Reversal
from budget.services import claims, orders, payouts, reverse_expense
from budget.services.closing import (
    BudgetAlreadyClosed,
    BudgetNotClosed,
    close_budget,
    reopen_budget,
)
from tests.claim_helpers import claim
from tests.factories import BudgetFactory, CategoryFactory, UserFactory
from tests.helpers import assert_login_required, fresh_key
from tests.test_race import run_concurrently

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
    # 10 latest, daily totals, oldest open claims and orders (the retention date comes from
    # Budget.last_booked_at): as many as for an open budget
    with django_assert_num_queries(10):
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


# -- nothing may be open: the statement of use is final ---------------------------------------


@pytest.fixture
def paying(claims_budget, treasurer):
    payouts.save_account(
        budget=claims_budget,
        account_holder="Die Linke Landesverband Thüringen",
        iban="DE44500105175407324931",
        bic="INGDDEFFXXX",
        user=treasurer,
    )
    return claims_budget


def _approved(budget, category, helper, treasurer, amount="20.00"):
    return claims.approve_claim(claim=claim(budget, category, helper, amount), approver=treasurer)


def _order(budget, category, treasurer, amount="20.00"):
    return orders.record_order(
        budget=budget,
        category=category,
        supplier="Elektro Erfurt",
        description="Headsets",
        amount=Decimal(amount),
        created_by=treasurer,
    )


def _batch(budget, category, helper, treasurer, paid=False):
    _approved(budget, category, helper, treasurer)
    batch = payouts.create_batch(budget=budget, created_by=treasurer)
    if paid:
        payouts.mark_paid(batch=batch, paid_on=datetime.date(2024, 2, 2), user=treasurer)
    return batch


def test_closing_is_refused_with_the_figures_while_money_is_promised(
    paying, category, helper, treasurer, director
):
    _batch(paying, category, helper, treasurer)  # 20,00 € in a batch not marked paid
    claim(paying, category, helper, "210.00")  # submitted
    _approved(paying, category, helper, treasurer, "100.00")  # approved, in no batch yet
    _order(paying, category, treasurer, "120.00")
    versions = Budget.history.filter(id=paying.pk).count()
    with pytest.raises(BudgetStillOpen) as refused:
        close_budget(budget=paying, closed_by=director, note=NOTE)
    assert refused.value.message == (
        "Das Budget kann noch nicht abgeschlossen werden. Noch offen: 2 Erstattungen "
        "(310,00\xa0€), 1 Bestellung (120,00\xa0€), 1 Auszahlung nicht als bezahlt markiert. "
        "Der Verwendungsnachweis ist erst endgültig, wenn keine Erstattung, keine Bestellung "
        "und keine Auszahlung mehr offen ist."
    )
    fresh = Budget.objects.get(pk=paying.pk)
    assert (fresh.is_closed, fresh.closed_by, fresh.close_note) == (False, None, "")
    assert Budget.history.filter(id=paying.pk).count() == versions


def _submitted(budget, category, helper, treasurer):
    claim(budget, category, helper)


def _awaiting(budget, category, helper, treasurer):
    Budget.objects.filter(pk=budget.pk).update(second_approval_above=Decimal("19.99"))
    assert _order(budget, category, treasurer).state == "awaiting"


def _first_of_two(budget, category, helper, treasurer):
    Budget.objects.filter(pk=budget.pk).update(second_approval_above=Decimal("19.99"))
    claims.approve_claim(claim=claim(budget, category, helper), approver=treasurer)


@pytest.mark.parametrize(
    ("make", "still_open"),
    [
        (_submitted, "1 Erstattung (20,00\xa0€)"),
        (_first_of_two, "1 Erstattung (20,00\xa0€)"),
        (_approved, "1 Erstattung (20,00\xa0€)"),
        (_awaiting, "1 Bestellung (20,00\xa0€)"),
        (lambda b, c, h, t: _order(b, c, t), "1 Bestellung (20,00\xa0€)"),
        # the batch's claim counts with its batch, not twice
        (_batch, "1 Auszahlung nicht als bezahlt markiert"),
    ],
    ids=["submitted", "first-of-two", "approved", "order-awaiting", "order-open", "batch"],
)
def test_each_open_thing_alone_keeps_the_budget_open(
    paying, category, helper, treasurer, director, make, still_open
):
    make(paying, category, helper, treasurer)
    with pytest.raises(BudgetStillOpen) as refused:
        close_budget(budget=paying, closed_by=director, note=NOTE)
    assert f"Noch offen: {still_open}. Der" in refused.value.message
    assert not Budget.objects.get(pk=paying.pk).is_closed


def _settle_claim(how):
    def make(budget, category, helper, treasurer):
        c = claim(budget, category, helper)
        if how == "rejected":
            claims.reject_claim(claim=c, actor=treasurer, reason="kein Bezug")
        elif how == "withdrawn":
            claims.withdraw_claim(claim=c, actor=helper)
        else:
            claims.approve_claim(claim=c, approver=treasurer)
            claims.waive_claim(claim=c, actor=helper)

    return make


def _settle_order(how):
    def make(budget, category, helper, treasurer):
        o = _order(budget, category, treasurer)
        if how == "cancelled":
            orders.cancel_order(order=o, actor=treasurer, reason="nicht geliefert")
        else:
            orders.book_order(
                order=o,
                spent_on=datetime.date(2024, 1, 20),
                payee="Elektro Erfurt",
                description="Rechnung 4711",
                amount=Decimal("21.00"),
                created_by=treasurer,
            )

    return make


@pytest.mark.parametrize(
    "make",
    [
        _settle_claim("rejected"),
        _settle_claim("withdrawn"),
        _settle_claim("waived"),
        lambda b, c, h, t: _batch(b, c, h, t, paid=True),
        _settle_order("cancelled"),
        _settle_order("booked"),
    ],
    ids=["rejected", "withdrawn", "waived", "paid", "order-cancelled", "order-booked"],
)
def test_what_is_settled_lets_the_budget_close(paying, category, helper, treasurer, director, make):
    make(paying, category, helper, treasurer)
    close_budget(budget=paying, closed_by=director, note=NOTE)
    assert Budget.objects.get(pk=paying.pk).is_closed


def test_the_closing_page_says_what_is_open_before_anything_is_sent(
    client, paying, category, helper, treasurer, director
):
    c = claim(paying, category, helper, "45.50")
    client.force_login(director)
    page = client.get(close_url(paying))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Noch offen: 1 Erstattung (45,50\xa0€)." in html
    assert "Budget endgültig abschließen" not in html and 'name="note"' not in html
    assert reverse("budget:claim_list", args=[paying.pk]) in html

    refused = client.post(close_url(paying), {"note": NOTE})  # a stale tab sends anyway
    assert refused.status_code == 200
    assert "Noch offen: 1 Erstattung (45,50\xa0€)." in refused.content.decode()
    assert not Budget.objects.get(pk=paying.pk).is_closed

    claims.reject_claim(claim=c, actor=treasurer, reason="kein Bezug")
    html = client.get(close_url(paying)).content.decode()
    assert 'id="still-open"' not in html and "Budget endgültig abschließen" in html
    assert client.post(close_url(paying), {"note": NOTE}).status_code == 302
    assert Budget.objects.get(pk=paying.pk).is_closed


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_closing_and_a_claim_at_the_same_moment_never_leave_a_closed_budget_with_it():
    """Both take the budget row lock: either the claim comes first and closing is refused, or
    closing comes first and the claim is refused."""
    director = UserFactory(username="race-lgf", role="director")
    helper = UserFactory(username="race-helferin", role="helper")
    budget = BudgetFactory(accepts_claims=True)
    category = CategoryFactory(budget=budget)

    def act(i):
        if i == 0:
            return close_budget(budget=budget.pk, closed_by=director, note=NOTE)
        return claim(budget.pk, category.pk, helper)

    results, errors = run_concurrently(act, 2)

    assert len(results) == 1 and len(errors) == 1, errors
    closed = Budget.objects.get(pk=budget.pk).is_closed
    assert isinstance(errors[0], BudgetClosed if closed else BudgetStillOpen)
    assert closed != Claim.objects.filter(budget=budget, state="submitted").exists()
