"""Booking a photographed receipt on a 375 × 812 phone: fields on the first screen, the photo
survives a refusal, the success message names what remains, nothing scrolls sideways."""

import json
import os
import re
import time
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from budget.models import Expense, PendingReceipt
from tests.e2e.helpers import assert_no_sideways_scrolling, assert_tap_targets, log_in, photo_bytes

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SCREEN_HEIGHT = 812


def first_screen(page, locator):
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= SCREEN_HEIGHT


def test_fields_come_first_and_targets_are_large(phone, live_server, treasurer, budget, category):
    page = phone
    log_in(page, live_server, "schatzmeisterin")
    page.get_by_role("link", name="Beleg buchen").first.tap()
    expect(page.get_by_role("heading", name="Beleg buchen")).to_be_visible()
    for label in ("Kategorie", "Datum", "Betrag (brutto, €)"):
        assert first_screen(page, page.get_by_label(label)), f"{label} is below the first screen"
    assert first_screen(page, page.get_by_text("Foto aufnehmen"))
    expect(page.locator("#remaining-line")).to_contain_text("noch verfügbar 2.500,00\u00a0€")
    expect(page.get_by_text("ohne Beleg – später nachreichen")).to_be_visible()
    expect(page.locator("#quantity-field")).to_be_hidden()
    page.get_by_label("Kategorie").select_option(label="Headsets")
    expect(page.locator("#quantity-hint")).to_have_text("noch 15 von 15 Stück")
    page.get_by_label("Betrag (brutto, €)").fill("2.600,00")
    expect(page.locator("#preview")).to_have_text("überschreitet die Obergrenze um 100,00\u00a0€")
    expect(page.locator("#preview")).to_have_class(re.compile("text-danger"))
    # Really drawn in the error red, not overridden by the grey hint colour.
    expect(page.locator("#preview")).to_have_css("color", "rgb(220, 53, 69)")
    assert_no_sideways_scrolling(page)
    assert_tap_targets(page)


def test_refused_photo_stays_attached_and_is_booked_with_the_correction(
    phone, live_server, treasurer, budget, category, tmp_path
):
    photo = tmp_path / "kassenbon.jpg"
    photo.write_bytes(photo_bytes())
    page = phone
    log_in(page, live_server, "schatzmeisterin")
    page.goto(f"{live_server.url}/budgets/{budget.pk}/expenses/new/")
    page.locator("#id_receipt_camera").set_input_files(str(photo))
    expect(page.locator("#receipt-thumb")).to_be_visible()
    expect(page.locator("#receipt-status")).to_have_text("mit Beleg kassenbon.jpg")
    page.get_by_label("Kategorie").select_option(label="Verpflegung")
    page.get_by_label("Betrag (brutto, €)").fill("2.500,01")
    page.get_by_label("Empfänger").fill("Bäckerei Roth")
    page.get_by_label("Beschreibung").fill("Frühstück")
    page.get_by_role("button", name="Buchen").tap()

    expect(page.get_by_text("Nicht gebucht.")).to_be_visible()
    expect(page.get_by_text("Beleg kassenbon.jpg bleibt angehängt")).to_be_visible()
    thumb = page.locator("#pending-receipt img")
    expect(thumb).to_be_visible()
    page.wait_for_function(
        "() => { const i = document.querySelector('#pending-receipt img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    assert Expense.objects.count() == 0 and PendingReceipt.objects.count() == 1
    assert_no_sideways_scrolling(page)
    assert_tap_targets(page)

    page.get_by_label("Betrag (brutto, €)").fill("42,50")
    page.get_by_role("button", name="Buchen").tap()
    expect(
        page.get_by_text("Beleg Nr. 1 über 42,50\u00a0€ gebucht. Noch verfügbar: 2.457,50\u00a0€.")
    ).to_be_visible()
    expense = Expense.objects.get()
    assert expense.amount == Decimal("42.50")
    assert expense.receipt_original_name == "kassenbon.jpg"
    assert expense.receipt.size == photo.stat().st_size
    assert PendingReceipt.objects.count() == 0
    assert_no_sideways_scrolling(page)


def test_scripted_phone_booking_with_a_two_megabyte_photo(
    phone, live_server, treasurer, budget, category, tmp_path
):
    """From "Beleg buchen" on the start page to the booked page; counts taps and seconds."""
    photo = tmp_path / "IMG_2041.jpg"
    photo.write_bytes(photo_bytes(2_000_000))
    page = phone
    log_in(page, live_server, "schatzmeisterin")
    taps = 0
    started = time.perf_counter()
    page.get_by_role("link", name="Beleg buchen").first.tap()
    taps += 1
    # The camera button: one tap to open the camera (the shutter is the phone's own, not ours).
    page.locator("#id_receipt_camera").set_input_files(str(photo))
    taps += 1
    page.get_by_label("Kategorie").select_option(label="Verpflegung")
    taps += 2  # open the list, pick the entry
    page.get_by_label("Betrag (brutto, €)").tap()
    page.keyboard.type("42,50")
    taps += 1
    page.get_by_label("Empfänger").tap()
    page.keyboard.type("Bäckerei Roth")
    taps += 1
    page.get_by_label("Beschreibung").tap()
    page.keyboard.type("Frühstück Telefonabend")
    taps += 1
    page.get_by_role("button", name="Buchen").tap()
    taps += 1
    expect(page.get_by_text("Noch verfügbar: 2.457,50\u00a0€.")).to_be_visible()
    seconds = time.perf_counter() - started
    assert Expense.objects.get().receipt.size == photo.stat().st_size
    report = {"seconds": round(seconds, 2), "taps": taps, "photo_bytes": photo.stat().st_size}
    if os.environ.get("PHONE_BOOKING_REPORT"):
        with open(os.environ["PHONE_BOOKING_REPORT"], "w") as handle:
            json.dump(report, handle)
    assert seconds < 30, report
