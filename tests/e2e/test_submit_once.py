"""While the booking form is being sent its button is disabled and says the upload is running;
tapping twice books once."""

import re

import pytest
from playwright.sync_api import expect

from budget.models import Expense
from tests.e2e.test_treasurer_flow import log_in
from tests.helpers import MINIMAL_PDF

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Runs after submit-once.js's listener (document, bubbling): what the button looks like the
# moment the form leaves, kept across the page change in sessionStorage.
RECORD_BUTTON_STATE = """
window.addEventListener("submit", function () {
  var button = document.querySelector("#expense-form [type=submit]");
  sessionStorage.setItem("button", JSON.stringify({
    disabled: button.disabled, label: button.value || button.textContent
  }));
});
"""


def fill_booking(page, tmp_path):
    receipt = tmp_path / "Quittung.pdf"
    receipt.write_bytes(MINIMAL_PDF)
    page.get_by_label("Kategorie").select_option(label="Verpflegung")
    page.get_by_label("Datum").fill("2024-01-15")
    page.get_by_label("Empfänger").fill("Bäckerei Roth")
    page.get_by_label("Beschreibung").fill("Frühstück")
    page.get_by_label("Betrag (brutto, €)").fill("12,50")
    page.locator("#id_receipt").set_input_files(str(receipt))


def test_the_button_is_disabled_and_says_the_upload_runs(
    phone, live_server, treasurer, budget, category, tmp_path
):
    page = phone
    log_in(page, live_server, "schatzmeisterin")
    page.goto(f"{live_server.url}/budgets/{budget.pk}/expenses/new/")
    fill_booking(page, tmp_path)
    page.evaluate(RECORD_BUTTON_STATE)
    page.get_by_role("button", name="Buchen").click()
    expect(page.get_by_role("heading", name=re.compile("Beleg Nr. 1"))).to_be_visible()
    state = page.evaluate("JSON.parse(sessionStorage.getItem('button'))")
    assert state == {"disabled": True, "label": "Beleg wird hochgeladen …"}


def test_a_double_tap_books_once(phone, live_server, treasurer, budget, category, tmp_path):
    page = phone
    log_in(page, live_server, "schatzmeisterin")
    page.goto(f"{live_server.url}/budgets/{budget.pk}/expenses/new/")
    fill_booking(page, tmp_path)
    page.get_by_role("button", name="Buchen").dblclick()
    expect(page.get_by_role("heading", name=re.compile("Beleg Nr. 1"))).to_be_visible()
    assert Expense.objects.count() == 1


def test_the_admin_keeps_the_button_it_was_sent_with(
    phone, live_server, superuser, budget, category
):
    # Disabled buttons are not sent: the script carries the pressed one's name along, so
    # "Sichern und neu hinzufügen" still leads to a new, empty add form.
    page = phone
    page.goto(f"{live_server.url}/admin/login/")
    page.locator("#id_username").fill("admin")
    page.locator("#id_password").fill("correct horse battery")
    page.locator("input[type=submit]").click()
    page.goto(f"{live_server.url}/admin/budget/expense/add/")
    page.locator("#id_budget").select_option(str(budget.pk))
    page.locator("#id_category").select_option(str(category.pk))
    page.locator("#id_spent_on").fill("15.01.2024")
    page.locator("#id_payee").fill("Bäckerei Roth")
    page.locator("#id_description").fill("Frühstück")
    page.locator("#id_amount").fill("12,50")
    page.locator("#id_quantity").fill("1")
    page.locator("input[name=_addanother]").click()
    expect(page.locator("#id_payee")).to_have_value("")
    assert re.search(r"/admin/budget/expense/add/$", page.url), page.url
    assert Expense.objects.get().payee == "Bäckerei Roth"
