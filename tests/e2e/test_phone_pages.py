"""List and dashboard on a 375 × 812 phone: whole rows are links, nothing scrolls sideways."""

import pytest
from playwright.sync_api import expect

from budget.services import reverse_expense
from tests.e2e.helpers import assert_no_sideways_scrolling, assert_tap_targets, log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def tap_at(page, locator):
    """Tap where the element is drawn; the row's link lies over it, as on a real phone."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


@pytest.fixture
def ledger(book, category, headsets, treasurer):
    book(category, "86.45", payee="Bäckerei Roth", description="Frühstück für zwölf Leute")
    book(headsets, "342.93", payee="Elektro Erfurt GmbH & Co. KG", quantity=7)
    wrong = book(category, "12.00", payee="Kiosk am Anger").expense
    reverse_expense(expense=wrong, reason="doppelt gebucht", created_by=treasurer)


def test_expense_list_on_a_phone(phone, live_server, treasurer, budget, ledger):
    page = phone
    log_in(page, live_server, "schatzmeisterin")
    page.goto(f"{live_server.url}/budgets/{budget.pk}/expenses/")
    expect(page.locator("#list-totals")).to_contain_text("2 Ausgaben · 429,38\u00a0€")
    expect(page.locator("#expense-filters")).to_be_hidden()
    assert_no_sideways_scrolling(page)
    assert_tap_targets(page)
    heights = page.locator("#expenses tr.row-link").evaluate_all(
        "rows => rows.map(r => r.getBoundingClientRect().height)"
    )
    assert len(heights) == 3 and min(heights) >= 44, heights
    page.get_by_role("button", name="Filter").tap()
    expect(page.locator("#expense-filters")).to_be_visible()
    # A tap anywhere on the row (here: on the amount) opens the expense.
    tap_at(
        page, page.locator("#expenses tr.row-link", has_text="Elektro Erfurt").locator("td.amount")
    )
    expect(page.get_by_role("heading", name="Beleg Nr. 2")).to_be_visible()
    assert_no_sideways_scrolling(page)


def test_dashboard_rows_are_links_on_a_phone(phone, live_server, director, budget, ledger):
    page = phone
    log_in(page, live_server, "lgf")
    page.goto(f"{live_server.url}/budgets/{budget.pk}/")
    assert_no_sideways_scrolling(page)
    tap_at(
        page,
        page.locator(".latest-table tr.row-link", has_text="Bäckerei Roth").locator("td.amount"),
    )
    expect(page.get_by_role("heading", name="Beleg Nr. 1")).to_be_visible()
