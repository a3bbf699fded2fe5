"""A browser set to English still gets German until its user picks English in the menu; the
choice then holds on every page, through logging in and out, and in the admin."""

import pytest
from playwright.sync_api import expect

from .helpers import PASSWORD, log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_an_english_browser_speaks_german_until_the_user_switches(
    english_desktop, live_server, superuser
):
    page = english_desktop
    assert "en-US" in page.evaluate("navigator.languages")

    response = page.goto(f"{live_server.url}/accounts/login/")
    assert response.headers["content-language"] == "de"
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", name="Anmelden")).to_be_visible()

    log_in(page, live_server, "admin")  # German labels: the browser's English did not count
    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_role("link", name="Beschlusskasse – Verwaltung")).to_be_visible()

    page.goto(f"{live_server.url}/")
    page.select_option("#language", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_role("link", name="Beschlusskasse – Administration")).to_be_visible()

    page.goto(f"{live_server.url}/")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # Back to German from the menu, and it stays German in this English browser.
    page.select_option("#language", "de")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    response = page.goto(f"{live_server.url}/")
    assert response.headers["content-language"] == "de"
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()
