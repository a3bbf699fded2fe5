"""Screenshots for the README: the phone booking flow and the dashboard.

Runs with the suite (into a temporary folder, so the flow stays tested); ``make screenshots``
writes them to docs/screenshots/ to renew the README's pictures.
"""

import datetime
import os
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from budget.services import reverse_expense
from tests.e2e.helpers import log_in, receipt_photo_bytes

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def shot(page, path, **options):
    """Chromium now and then refuses a capture on a busy machine; try again before failing."""
    for attempt in range(3):
        try:
            return page.screenshot(path=path, **options)
        except PlaywrightError:
            if attempt == 2:
                raise
            page.wait_for_timeout(500)


@pytest.fixture
def out(tmp_path):
    target = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    return target


@pytest.fixture
def history(book, category, headsets, treasurer):
    days = [datetime.date(2024, 1, d) for d in (8, 12, 15, 19, 22, 26)]
    book(headsets, "342.93", payee="Headset-Versand Jena", quantity=7, spent_on=days[0])
    book(category, "86.45", payee="Bäckerei Roth", spent_on=days[1])
    book(category, "212.40", payee="Pizzeria Roma", spent_on=days[2])
    wrong = book(category, "40.00", payee="Kiosk am Anger", spent_on=days[3]).expense
    reverse_expense(expense=wrong, reason="doppelt gebucht", created_by=treasurer)
    book(headsets, "298.00", payee="Headset-Versand Jena", quantity=6, spent_on=days[4])
    book(category, "64.90", payee="Bäckerei Roth", spent_on=days[5])


def test_readme_screenshots(phone, desktop, live_server, treasurer, budget, history, out, tmp_path):
    photo = tmp_path / "kassenbon.jpg"
    photo.write_bytes(receipt_photo_bytes())
    page = phone
    log_in(page, live_server, "schatzmeisterin")
    page.get_by_role("link", name="Beleg buchen").first.tap()
    shot(page, out / "phone-1-form.png")
    page.locator("#id_receipt_camera").set_input_files(str(photo))
    page.get_by_label("Kategorie").select_option(label="Verpflegung")
    page.get_by_label("Betrag (brutto, €)").fill("1.600,00")
    page.get_by_label("Empfänger").fill("Bäckerei Roth")
    page.get_by_label("Beschreibung").fill("Frühstück Telefonabend")
    page.get_by_label("Betrag (brutto, €)").focus()
    shot(page, out / "phone-2-over-the-cap.png")
    page.get_by_role("button", name="Buchen").tap()
    expect(page.get_by_text("bleibt angehängt")).to_be_visible()
    page.wait_for_function("() => document.querySelector('#pending-receipt img').complete")
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, out / "phone-3-refused-keeps-photo.png")
    page.get_by_label("Betrag (brutto, €)").fill("42,50")
    page.get_by_role("button", name="Buchen").tap()
    expect(page.get_by_text("Noch verfügbar:")).to_be_visible()
    page.wait_for_function(
        "() => { const i = document.querySelector('.receipt-thumb-link img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    shot(page, out / "phone-4-booked.png")

    log_in(desktop, live_server, "schatzmeisterin")
    desktop.goto(f"{live_server.url}/budgets/{budget.pk}/")
    shot(desktop, out / "desktop-dashboard.png", full_page=True)
    page.goto(f"{live_server.url}/budgets/{budget.pk}/")
    shot(page, out / "phone-dashboard.png")
    assert len(list(out.glob("*.png"))) >= 6
