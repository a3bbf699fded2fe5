"""The statement stacks on a phone and fits the A4 text block in print; the admin's expense list
shows the amount column on a 1366 × 768 desktop."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import assert_no_sideways_scrolling, log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MM = 96 / 25.4
A4_TEXT_WIDTH = round((210 - 16 - 16) * MM)  # dashboard.css: @page margin 18mm 16mm


@pytest.fixture
def ledger(book, category, headsets):
    long_text = "Vorbereitungsmaterialbeschaffungsrechnung " * 6
    book(
        category,
        "1234.56",
        payee="Landesgeschäftsstelle Erfurt, Eugen-Richter-Straße 44",
        description=long_text,
    )
    book(headsets, "342.93", payee="Headset-Versand Jena", quantity=7)


def test_statement_stacks_on_a_phone(phone, live_server, treasurer, budget, ledger):
    log_in(phone, live_server, "schatzmeisterin")
    phone.goto(f"{live_server.url}/budgets/{budget.pk}/statement/")
    expect(phone.get_by_role("heading", name="Verwendungsnachweis")).to_be_visible()
    assert_no_sideways_scrolling(phone)
    display = phone.locator("table.receipts tbody tr").first.evaluate(
        "tr => getComputedStyle(tr).display"
    )
    assert display == "block"


def test_statement_fits_the_a4_text_block_in_print(desktop, live_server, treasurer, budget, ledger):
    log_in(desktop, live_server, "schatzmeisterin")
    desktop.set_viewport_size({"width": A4_TEXT_WIDTH, "height": 1000})
    desktop.emulate_media(media="print")
    desktop.goto(f"{live_server.url}/budgets/{budget.pk}/statement/")
    right = desktop.evaluate(
        "() => Math.max(...[...document.querySelectorAll('.statement *')]"
        ".map(e => e.getBoundingClientRect().right))"
    )
    # Inside the text block, so at least the page margin (16 mm, far more than 1.5 mm) from the
    # paper's edge; the PDF's own check is tests/test_statement_layout.py.
    assert right <= A4_TEXT_WIDTH + 0.5, (right, A4_TEXT_WIDTH)
    assert desktop.evaluate("document.documentElement.scrollWidth") <= A4_TEXT_WIDTH


def test_admin_expense_list_shows_amounts_at_1366(desktop, live_server, superuser, budget, ledger):
    log_in(desktop, live_server, "admin", heading=None)
    desktop.goto(f"{live_server.url}/admin/budget/expense/")
    amount = desktop.locator("th.column-amount_display")
    expect(amount).to_be_visible()
    box = amount.bounding_box()
    assert box["x"] + box["width"] <= 1366
    assert desktop.evaluate("document.documentElement.scrollWidth") <= 1366
    desktop.goto(f"{live_server.url}/admin/budget/budget/{budget.pk}/change/")
    assert desktop.evaluate("document.documentElement.scrollWidth") <= 1366
    desktop.goto(f"{live_server.url}/admin/budget/resolution/{budget.resolution_id}/change/")
    assert desktop.evaluate("document.documentElement.scrollWidth") <= 1366
