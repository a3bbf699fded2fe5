"""Orders reserve amount and pieces; the invoice is booked on its real figures; cancel releases."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from budget import exceptions
from budget.models import Budget, Expense, Order
from budget.services import orders
from tests.claim_helpers import claim
from tests.helpers import fresh_key, pdf_upload


def reload(obj):
    obj.refresh_from_db()
    return obj


def order(budget, category, user, amount="100.00", quantity=1, **kwargs):
    return orders.record_order(
        budget=budget,
        category=category,
        supplier="Elektro Erfurt GmbH",
        description="USB-Headsets",
        amount=Decimal(amount),
        quantity=quantity,
        created_by=user,
        **kwargs,
    )


def book(o, user, amount, quantity=1, **kwargs):
    return orders.book_order(
        order=o,
        spent_on=datetime.date(2024, 1, 20),
        payee="Elektro Erfurt GmbH",
        description="Rechnung 4711",
        amount=Decimal(amount),
        quantity=quantity,
        created_by=user,
        **kwargs,
    )


def test_fifteen_headsets_ordered_means_no_sixteenth(budget, headsets, treasurer, helper, book):
    o = order(budget, headsets, treasurer, "735.00", quantity=15)
    assert o.state == Order.State.OPEN
    assert reload(headsets).reserved_quantity == 15
    assert reload(budget).reserved_orders == Decimal("735.00")
    with pytest.raises(exceptions.QuantityCapExceeded):
        book(headsets, "10.00", quantity=1)
    with pytest.raises(exceptions.QuantityCapExceeded):
        order(budget, headsets, treasurer, "10.00", quantity=1)
    budget.accepts_claims = True
    budget.save()
    with pytest.raises(exceptions.QuantityCapExceeded):
        claim(budget, headsets, helper, "10.00", quantity=1)


def test_an_order_exactly_at_the_cap_passes_one_cent_over_fails(budget, category, treasurer):
    order(budget, category, treasurer, "2000.00")
    with pytest.raises(exceptions.CapExceeded) as refused:
        order(budget, category, treasurer, "500.01")
    assert "Noch verfügbar: 500,00\xa0€ (2.000,00\xa0€ sind für offene" in refused.value.message
    order(budget, category, treasurer, "500.00")
    assert reload(budget).available == Decimal("0.00")


def test_claims_and_orders_share_what_is_available(budget, category, treasurer, helper):
    budget.accepts_claims = True
    budget.save()
    order(budget, category, treasurer, "2000.00")
    claim(budget, category, helper, "500.00")
    with pytest.raises(exceptions.CapExceeded):
        claim(budget, category, helper, "0.01")


def test_booking_the_invoice_uses_the_real_figures_and_settles_the_order(
    budget, headsets, treasurer
):
    o = order(budget, headsets, treasurer, "700.00", quantity=14)
    result = book(o, treasurer, "712.60", quantity=14, receipt=pdf_upload())
    o = reload(o)
    b = reload(budget)
    assert o.state == Order.State.BOOKED
    assert o.expense == result.expense
    assert result.expense.category == headsets
    assert (b.spent, b.reserved_orders) == (Decimal("712.60"), Decimal("0.00"))
    h = reload(headsets)
    assert (h.quantity, h.reserved_quantity) == (14, 0)


def test_the_invoice_is_checked_against_the_caps_on_its_real_figures(budget, category, treasurer):
    o = order(budget, category, treasurer, "2400.00")
    with pytest.raises(exceptions.CapExceeded):
        book(o, treasurer, "2500.01")
    o = reload(o)
    assert o.state == Order.State.OPEN  # nothing changed, still reserved
    assert reload(budget).reserved_orders == Decimal("2400.00")
    assert not Expense.objects.exists()
    book(o, treasurer, "2500.00")
    assert reload(budget).spent == Decimal("2500.00")


def test_cancel_releases(budget, headsets, treasurer):
    o = order(budget, headsets, treasurer, "100.00", quantity=2)
    orders.cancel_order(order=o, actor=treasurer, reason="Lieferant kann nicht liefern")
    assert reload(o).state == Order.State.CANCELLED
    assert reload(budget).reserved_orders == Decimal("0.00")
    assert reload(headsets).reserved_quantity == 0
    with pytest.raises(exceptions.WrongState):
        book(o, treasurer, "100.00", quantity=2)
    with pytest.raises(exceptions.WrongState):
        orders.cancel_order(order=o, actor=treasurer, reason="nochmal")


def test_a_booked_order_cannot_be_cancelled_or_booked_again(budget, category, treasurer):
    o = order(budget, category, treasurer)
    book(o, treasurer, "90.00")
    with pytest.raises(exceptions.WrongState):
        orders.cancel_order(order=o, actor=treasurer, reason="zu spät")
    with pytest.raises(exceptions.WrongState):
        book(o, treasurer, "90.00")
    assert Expense.objects.count() == 1


def test_above_the_threshold_an_order_needs_a_second_person(budget, category, treasurer, director):
    Budget.objects.filter(pk=budget.pk).update(second_approval_above=Decimal("500.00"))
    o = order(budget, category, treasurer, "500.01")
    assert o.state == Order.State.AWAITING_APPROVAL
    assert reload(budget).reserved_orders == Decimal("500.01")  # reserved at once
    with pytest.raises(exceptions.WrongState):
        book(o, treasurer, "500.01")
    with pytest.raises(exceptions.SameApprover):
        orders.approve_order(order=o, approver=treasurer)
    orders.approve_order(order=o, approver=director)
    assert reload(o).state == Order.State.OPEN
    book(o, treasurer, "480.00")
    assert reload(budget).spent == Decimal("480.00")
    small = order(budget, category, treasurer, "500.00")
    assert small.state == Order.State.OPEN


def test_a_closed_budget_refuses_orders(budget, category, treasurer):
    Budget.objects.filter(pk=budget.pk).update(is_closed=True)
    with pytest.raises(exceptions.BudgetClosed):
        order(budget, category, treasurer)


@pytest.mark.parametrize(
    ("amount", "state"),
    [("500.00", Order.State.OPEN), ("500.01", Order.State.AWAITING_APPROVAL)],
)
def test_only_above_the_threshold_the_director_gives_an_orders_second_approval(
    client, budget, category, treasurer, director, amount, state
):
    Budget.objects.filter(pk=budget.pk).update(second_approval_above=Decimal("500.00"))
    o = order(budget, category, treasurer, amount)
    assert o.state == state
    client.force_login(director)
    page = client.get(reverse("budget:order_detail", args=[budget.pk, o.pk])).content.decode()
    assert ('id="approve-order"' in page) == (state == Order.State.AWAITING_APPROVAL)
    if state == Order.State.OPEN:
        with pytest.raises(exceptions.WrongState):  # nothing to approve: it counts already
            orders.approve_order(order=o, approver=director)
        assert reload(o).approved_by is None
    else:
        orders.approve_order(order=o, approver=director)
        assert (reload(o).state, reload(o).approved_by) == (Order.State.OPEN, director)


def test_another_treasurer_may_give_an_orders_second_approval(budget, category, treasurer):
    from tests.factories import UserFactory

    Budget.objects.filter(pk=budget.pk).update(second_approval_above=Decimal("500.00"))
    o = order(budget, category, treasurer, "500.01")
    orders.approve_order(order=o, approver=UserFactory(username="kassenwart", role="treasurer"))
    assert reload(o).state == Order.State.OPEN


@pytest.mark.parametrize(
    "step",
    [
        lambda o, user: orders.approve_order(order=o, approver=user),
        lambda o, user: orders.cancel_order(order=o, actor=user, reason="zu spät"),
    ],
    ids=["approve", "cancel"],
)
def test_a_closed_budget_changes_no_order(budget, category, treasurer, director, step):
    # A budget closed before closing checked what is open: only reopening changes it.
    Budget.objects.filter(pk=budget.pk).update(second_approval_above=Decimal("100.00"))
    o = order(budget, category, treasurer, "150.00")
    Budget.objects.filter(pk=budget.pk).update(is_closed=True)
    with pytest.raises(exceptions.BudgetClosed):
        step(o, director)
    assert reload(o).state == Order.State.AWAITING_APPROVAL
    assert reload(budget).reserved_orders == Decimal("150.00")


# --- pages ----------------------------------------------------------------------------------------


def test_order_pages_by_role(client, budget, category, treasurer, director, helper, outsider):
    o = order(budget, category, treasurer)
    pages = [
        reverse("budget:order_list", args=[budget.pk]),
        reverse("budget:order_detail", args=[budget.pk, o.pk]),
    ]
    for user, status in [(treasurer, 200), (director, 200), (helper, 403), (outsider, 403)]:
        client.force_login(user)
        for page in pages:
            assert client.get(page).status_code == status, (user, page)
    for user in (director, helper):
        client.force_login(user)
        assert client.get(reverse("budget:order_new", args=[budget.pk])).status_code == 403
        assert client.get(reverse("budget:order_book", args=[budget.pk, o.pk])).status_code == 403
        response = client.post(
            reverse("budget:order_cancel", args=[budget.pk, o.pk]), {"reason": "x"}
        )
        assert response.status_code == 403
    assert reload(o).state == Order.State.OPEN


def test_treasurer_records_an_order_and_books_its_invoice(client, budget, headsets, treasurer):
    client.force_login(treasurer)
    response = client.post(
        reverse("budget:order_new", args=[budget.pk]),
        {
            "one_time_key": fresh_key(),
            "category": headsets.pk,
            "supplier": "Elektro Erfurt",
            "description": "15 Headsets",
            "amount": "735,00",
            "quantity": "15",
        },
    )
    o = Order.objects.get()
    assert response["Location"] == reverse("budget:order_detail", args=[budget.pk, o.pk])
    form = client.get(reverse("budget:order_book", args=[budget.pk, o.pk]))
    assert form.status_code == 200
    response = client.post(
        reverse("budget:order_book", args=[budget.pk, o.pk]),
        {
            "one_time_key": fresh_key(),
            "spent_on": "20.01.2024",
            "payee": "Elektro Erfurt",
            "description": "Rechnung 4711",
            "amount": "749,25",
            "quantity": "15",
            "receipt": pdf_upload(),
        },
    )
    assert response.status_code == 302
    o = reload(o)
    assert o.state == Order.State.BOOKED
    assert o.expense.amount == Decimal("749.25")
    assert reload(headsets).quantity == 15


def test_a_refused_invoice_shows_the_figures(client, budget, category, treasurer):
    o = order(budget, category, treasurer, "2400.00")
    client.force_login(treasurer)
    response = client.post(
        reverse("budget:order_book", args=[budget.pk, o.pk]),
        {
            "one_time_key": fresh_key(),
            "spent_on": "20.01.2024",
            "payee": "Lieferant",
            "description": "Rechnung",
            "amount": "2.500,01",
            "quantity": "1",
        },
    )
    assert response.status_code == 200
    assert "Nicht gebucht." in response.content.decode()
    assert "um 0,01\xa0€" in response.content.decode()
    assert reload(o).state == Order.State.OPEN


def test_cancel_page_needs_a_reason(client, budget, category, treasurer):
    o = order(budget, category, treasurer)
    client.force_login(treasurer)
    url = reverse("budget:order_cancel", args=[budget.pk, o.pk])
    client.post(url, {"reason": ""})
    assert reload(o).state == Order.State.OPEN
    client.post(url, {"reason": "nicht mehr nötig"})
    assert reload(o).state == Order.State.CANCELLED


def test_second_approval_page(client, budget, category, treasurer, director):
    Budget.objects.filter(pk=budget.pk).update(second_approval_above=Decimal("100.00"))
    o = order(budget, category, treasurer, "150.00")
    client.force_login(treasurer)
    assert (
        'id="approve-order"'
        not in client.get(reverse("budget:order_detail", args=[budget.pk, o.pk])).content.decode()
    )
    client.force_login(director)
    client.post(reverse("budget:order_approve", args=[budget.pk, o.pk]))
    assert reload(o).state == Order.State.OPEN
    assert reload(o).approved_by == director


def test_dashboard_shows_reserved_separately(client, budget, category, treasurer, helper):
    budget.accepts_claims = True
    budget.save()
    order(budget, category, treasurer, "300.00")
    claim(budget, category, helper, "45.50")
    client.force_login(treasurer)
    page = client.get(reverse("budget:budget_dashboard", args=[budget.pk])).content.decode()
    assert 'data-figure="reserved-claims">45,50\xa0€' in page
    assert 'data-figure="reserved-orders">300,00\xa0€' in page
    assert 'data-figure="available">2.154,50\xa0€' in page
    assert page.count('data-open="claim"') == 1
    assert page.count('data-open="order"') == 1


def test_summary_reports_reserved_and_available(client, budget, headsets, treasurer):
    order(budget, headsets, treasurer, "147.00", quantity=3)
    client.force_login(treasurer)
    data = client.get(reverse("budget:budget_summary", args=[budget.pk])).json()
    assert data["reserved"] == "147.00"
    assert data["available"] == "2353.00"
    assert data["remaining"] == "2500.00"  # unchanged meaning: cap − spent
    line = next(c for c in data["categories"] if c["id"] == headsets.pk)
    assert (line["reserved"], line["reserved_quantity"]) == ("147.00", 3)


def test_exports_have_claims_and_orders_as_their_own_section_and_sheets(
    client, budget, category, treasurer, helper
):
    import csv
    import io

    from openpyxl import load_workbook

    budget.accepts_claims = True
    budget.save()
    order(budget, category, treasurer, "55.00")
    claim(budget, category, helper, "12.50")
    client.force_login(treasurer)
    raw = client.get(reverse("budget:budget_export_csv", args=[budget.pk])).getvalue()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    titles = [row[0] for row in rows if len(row) == 1]
    assert titles == ["Erstattungen", "Bestellungen"]
    claim_line = rows[rows.index(["Erstattungen"]) + 2]
    assert claim_line[0].startswith("E-") and claim_line[10] == "12,50"
    assert claim_line[6] == "DE89 **** **** 3000"  # masked in an export
    order_line = rows[rows.index(["Bestellungen"]) + 2]
    assert order_line[3] == "Elektro Erfurt GmbH" and order_line[7] == "55,00"

    response = client.get(reverse("budget:budget_export_xlsx", args=[budget.pk]))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames[-2:] == ["Erstattungen", "Bestellungen"]
    assert workbook["Erstattungen"]["K2"].value == Decimal("12.5")
    assert workbook["Bestellungen"]["H2"].value == Decimal("55")


def test_the_statement_lists_paid_and_waived_claims(client, budget, category, treasurer, helper):
    from budget.services import claims as service

    budget.accepts_claims = True
    budget.save()
    kept = claim(budget, category, helper, "20.00")
    waived = claim(budget, category, helper, "7.00")
    claim(budget, category, helper, "3.00")  # still open: not listed
    for row in (kept, waived):
        service.approve_claim(claim=row, approver=treasurer)
    service.waive_claim(claim=waived, actor=helper)
    client.force_login(treasurer)
    page = client.get(reverse("budget:budget_statement", args=[budget.pk])).content.decode()
    assert page.count('data-claim="waived"') == 1
    assert page.count('data-claim="approved"') == 0
    assert "Erstattungen an Helfer*innen" in page
