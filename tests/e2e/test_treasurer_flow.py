"""The treasurer on a phone: log in, book a receipt with a PDF, hit the cap, reverse."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from budget.models import Budget, Expense, Reversal
from tests.helpers import MINIMAL_PDF

# serialized_rollback keeps the roles the migration created after the live server test flushes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill("correct horse battery")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", name="Budgets")).to_be_visible()


def assert_fits_the_screen(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page is {width}px wide on a 375px screen"


def test_treasurer_books_hits_the_cap_and_reverses(
    phone, live_server, treasurer, budget, category, tmp_path
):
    page = phone
    log_in(page, live_server, "schatzmeisterin")
    assert_fits_the_screen(page)

    page.goto(f"{live_server.url}/budgets/{budget.pk}/expenses/new/")
    expect(page.locator("#remaining")).to_have_text("2.500,00\u00a0€")
    assert_fits_the_screen(page)

    receipt = tmp_path / "Quittung.pdf"
    receipt.write_bytes(MINIMAL_PDF)
    page.get_by_label("Kategorie").select_option(label="Verpflegung")
    page.get_by_label("Datum").fill("2024-01-15")
    page.get_by_label("Empfänger").fill("Bäckerei Roth")
    page.get_by_label("Beschreibung").fill("Frühstück für die Telefonist*innen")
    page.get_by_label("Betrag (brutto, €)").fill("1.234,56")
    expect(page.locator("#preview")).to_contain_text("1.265,44")
    page.locator("#id_receipt").set_input_files(str(receipt))
    page.get_by_role("button", name="Buchen").click()

    expect(page.get_by_role("heading", name=re.compile("Beleg Nr. 1"))).to_be_visible()
    expect(
        page.get_by_text(
            "Beleg Nr. 1 über 1.234,56\u00a0€ gebucht. Noch verfügbar: 1.265,44\u00a0€."
        )
    ).to_be_visible()
    expense = Expense.objects.get()
    assert (
        expense.amount == Decimal("1234.56") and expense.receipt_content_type == "application/pdf"
    )
    assert_fits_the_screen(page)

    page.goto(f"{live_server.url}/budgets/{budget.pk}/expenses/new/")
    expect(page.locator("#remaining")).to_have_text("1.265,44\u00a0€")

    # One cent over what remains: refused, in German, nothing saved.
    page.get_by_label("Kategorie").select_option(label="Verpflegung")
    page.get_by_label("Datum").fill("2024-01-16")
    page.get_by_label("Empfänger").fill("Pizzeria")
    page.get_by_label("Beschreibung").fill("Abendessen")
    page.get_by_label("Betrag (brutto, €)").fill("1.265,45")
    page.get_by_role("button", name="Buchen").click()
    expect(
        page.get_by_text(
            "Diese Ausgabe würde das Budget um 0,01\u00a0€ überschreiten. "
            "Noch verfügbar: 1.265,44\u00a0€."
        )
    ).to_be_visible()
    assert Expense.objects.count() == 1
    assert Budget.objects.get(pk=budget.pk).spent == Decimal("1234.56")

    # Reverse the first booking.
    page.goto(f"{live_server.url}/budgets/{budget.pk}/expenses/{expense.pk}/")
    page.get_by_role("link", name="Stornieren").click()
    page.get_by_label("Grund der Stornierung").fill("Betrag falsch abgelesen")
    page.get_by_role("button", name="Endgültig stornieren").click()
    expect(page.locator("#reversal")).to_contain_text("Betrag falsch abgelesen")
    assert Reversal.objects.get().expense_id == expense.pk
    assert Budget.objects.get(pk=budget.pk).spent == Decimal("0.00")

    page.goto(f"{live_server.url}/budgets/{budget.pk}/expenses/new/")
    expect(page.locator("#remaining")).to_have_text("2.500,00\u00a0€")


def test_receipt_opens_for_the_director_but_booking_is_forbidden(
    phone, live_server, director, budget, category, book
):
    from tests.helpers import pdf_upload

    expense = book(category, "12.50", receipt=pdf_upload()).expense
    page = phone
    log_in(page, live_server, "lgf")
    response = page.goto(f"{live_server.url}/budgets/{budget.pk}/expenses/{expense.pk}/receipt/")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    forbidden = page.goto(f"{live_server.url}/budgets/{budget.pk}/expenses/new/")
    assert forbidden.status == 403

    # The director's dashboard on the phone: figures, chart, latest booking, nothing cut off.
    page.goto(f"{live_server.url}/budgets/{budget.pk}/")
    expect(page.get_by_role("heading", name="Telefonaktion 2024")).to_be_visible()
    expect(page.get_by_text("2.487,50\u00a0€").first).to_be_visible()
    expect(page.locator("svg").first).to_be_visible()
    expect(page.get_by_text("Bäckerei Roth").first).to_be_visible()
    assert_fits_the_screen(page)
