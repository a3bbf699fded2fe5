"""The shared receipt picker in a browser: on the order's invoice page (no other script there)
the chosen file is named and a photo shown, the last choice wins, and a newly chosen file takes
the place of the one kept from a refused send."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from budget.models import Expense, PendingReceipt
from budget.services import orders
from tests.helpers import MINIMAL_PDF

from .helpers import assert_no_sideways_scrolling, assert_tap_targets, log_in, photo_bytes

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def assert_buttons_under_the_legend(page):
    legend = page.locator(".receipt-picker legend").bounding_box()
    for button in ("Foto aufnehmen", "Datei wählen"):
        box = page.locator(".receipt-button", has_text=button).bounding_box()
        assert box["y"] >= legend["y"] + legend["height"], button
        assert box["width"] >= 120 and box["x"] + box["width"] <= 375, (button, box)
    assert_no_sideways_scrolling(page)


def test_booking_an_invoice_shows_the_chosen_file_and_keeps_it_after_a_refusal(
    phone, live_server, treasurer, budget, category, tmp_path
):
    photo = tmp_path / "rechnung.jpg"
    photo.write_bytes(photo_bytes(min_bytes=50_000))
    pdf = tmp_path / "rechnung.pdf"
    pdf.write_bytes(MINIMAL_PDF)
    order = orders.record_order(
        budget=budget,
        category=category,
        supplier="Bäckerei Roth",
        description="Brötchen",
        amount=Decimal("100.00"),
        quantity=1,
        created_by=treasurer,
    )
    page = phone
    log_in(page, live_server, "schatzmeisterin")
    page.goto(f"{live_server.url}/budgets/{budget.pk}/orders/{order.pk}/book/")

    page.locator("#id_receipt").set_input_files(str(pdf))
    expect(page.locator("#receipt-name")).to_contain_text("rechnung.pdf (")
    expect(page.locator("#receipt-thumb")).to_be_hidden()
    page.locator("#id_receipt_camera").set_input_files(str(photo))
    expect(page.locator("#receipt-name")).to_contain_text("rechnung.jpg (")
    expect(page.locator("#receipt-thumb")).to_be_visible()
    assert page.evaluate("document.getElementById('id_receipt').files.length") == 0
    assert_no_sideways_scrolling(page)
    assert_tap_targets(page)  # the order's short number in the breadcrumb included

    # One cent over the cap: refused, the photo stays attached with its thumbnail.
    page.get_by_label("Betrag (brutto, €)").fill("2.500,01")
    page.get_by_role("button", name="Buchen").tap()
    expect(page.get_by_text("Nicht gebucht.")).to_be_visible()
    expect(page.get_by_text("Beleg rechnung.jpg bleibt angehängt")).to_be_visible()
    page.wait_for_function(
        "() => { const i = document.querySelector('#pending-receipt img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    assert PendingReceipt.objects.count() == 1

    # A new file replaces the kept one; the kept box makes way for it.
    page.locator("#id_receipt").set_input_files(str(pdf))
    expect(page.locator("#pending-receipt")).to_be_hidden()
    expect(page.locator("#receipt-name")).to_contain_text("rechnung.pdf (")
    # The buttons stay under the legend (they once slid beside it, off the screen).
    assert_buttons_under_the_legend(page)
    page.get_by_label("Betrag (brutto, €)").fill("98,20")
    page.get_by_role("button", name="Buchen").tap()
    expect(page.get_by_role("heading", name="Beleg Nr. 1")).to_be_visible()
    expense = Expense.objects.get()
    assert expense.receipt_original_name == "rechnung.pdf"
    assert expense.amount == Decimal("98.20")


def test_the_booking_line_says_which_receipt_goes_with_it(
    phone, live_server, treasurer, budget, category, tmp_path
):
    photo = tmp_path / "kassenbon.jpg"
    photo.write_bytes(photo_bytes(min_bytes=50_000))
    pdf = tmp_path / "rechnung.pdf"
    pdf.write_bytes(MINIMAL_PDF)
    page = phone
    log_in(page, live_server, "schatzmeisterin")
    page.goto(f"{live_server.url}/budgets/{budget.pk}/expenses/new/")
    status = page.locator("#receipt-status")
    page.locator("#id_receipt_camera").set_input_files(str(photo))
    page.get_by_label("Kategorie").select_option(label="Verpflegung")
    page.get_by_label("Betrag (brutto, €)").fill("2.500,01")
    page.get_by_label("Empfänger").fill("Bäckerei Roth")
    page.get_by_label("Beschreibung").fill("Frühstück")
    page.get_by_role("button", name="Buchen").tap()
    expect(page.get_by_text("Beleg kassenbon.jpg bleibt angehängt")).to_be_visible()
    expect(status).to_have_text("mit Beleg kassenbon.jpg")

    page.get_by_label("diesen Beleg nicht verwenden").check()
    expect(status).to_have_text("ohne Beleg – später nachreichen")
    page.get_by_label("diesen Beleg nicht verwenden").uncheck()
    expect(status).to_have_text("mit Beleg kassenbon.jpg")
    page.locator("#id_receipt").set_input_files(str(pdf))
    expect(status).to_have_text("mit Beleg rechnung.pdf")
    expect(page.locator("#pending-receipt")).to_be_hidden()
    assert_buttons_under_the_legend(page)
    # Choosing nothing after all: the kept photo goes with the booking again.
    page.locator("#id_receipt").set_input_files([])
    expect(status).to_have_text("mit Beleg kassenbon.jpg")
    expect(page.locator("#pending-receipt")).to_be_visible()
    expect(page.locator("#receipt-chosen")).to_be_hidden()
