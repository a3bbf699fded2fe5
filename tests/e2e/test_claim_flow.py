"""A helper on a 375 px phone claims an expense with a photo; the treasurer approves it on a
desktop; the dashboard shows it spent."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from budget.models import Claim
from tests.e2e.helpers import assert_no_sideways_scrolling, log_in, photo_bytes

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_helper_claims_on_a_phone_treasurer_approves_on_a_desktop(
    phone, desktop, live_server, helper, treasurer, claims_budget, category, tmp_path
):
    photo = tmp_path / "kassenbon.jpg"
    photo.write_bytes(photo_bytes(min_bytes=200_000))

    page = phone
    log_in(page, live_server, "helferin", heading="Meine Erstattungen")
    page.get_by_role("link", name="Erstattung für Telefonaktion 2024 beantragen").tap()
    expect(page.get_by_role("heading", name="Erstattung beantragen")).to_be_visible()
    expect(page.locator("#travel-fields")).to_be_hidden()  # an expense claim is the default
    page.locator("#id_receipt_camera").set_input_files(str(photo))
    expect(page.locator("#receipt-name")).to_contain_text("kassenbon.jpg (")  # with its size
    expect(page.locator("#receipt-thumb")).to_be_visible()
    page.get_by_label("Empfänger (Geschäft)").fill("Bäckerei Roth")
    page.get_by_label("Beschreibung").fill("Brötchen für den Telefonabend")
    page.get_by_label("Betrag (brutto, €)").fill("23,40")
    page.get_by_label("Kategorie").select_option(label="Verpflegung")
    page.get_by_label("Kontoinhaber*in").fill("Rosa Beispiel")
    page.get_by_label("IBAN").fill("DE89 3704 0044 0532 0130 00")
    assert_no_sideways_scrolling(page)
    page.get_by_role("button", name="Einreichen").tap()
    expect(page.get_by_text("über 23,40\u00a0€ eingereicht")).to_be_visible()
    expect(page.locator("[data-state=submitted]")).to_be_visible()
    assert_no_sideways_scrolling(page)
    claim = Claim.objects.get()
    assert claim.receipt_content_type == "image/jpeg"

    page = desktop
    log_in(page, live_server, "schatzmeisterin")
    page.goto(f"{live_server.url}/budgets/{claims_budget.pk}/")
    expect(page.locator('[data-figure="reserved-claims"]')).to_have_text("23,40\u00a0€")
    page.get_by_role("link", name=claim.reference).click()
    expect(page.locator("#claim-account")).to_contain_text("DE89 3704 0044 0532 0130 00")
    page.get_by_role("button", name="Genehmigen und buchen").click()
    expect(page.get_by_text("genehmigt und als Beleg Nr. 1 gebucht")).to_be_visible()
    page.goto(f"{live_server.url}/budgets/{claims_budget.pk}/")
    expect(page.locator('[data-figure="spent"]')).to_have_text("23,40\u00a0€")
    expect(page.locator('[data-figure="reserved-claims"]')).to_have_text("0,00\u00a0€")
    expect(page.locator('[data-figure="available"]')).to_have_text("2.476,60\u00a0€")
    claim.refresh_from_db()
    assert claim.state == Claim.State.APPROVED
    assert claim.expense.amount == Decimal("23.40")
