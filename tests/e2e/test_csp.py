"""Every page under the strict Content-Security-Policy, in a real browser: the policy is sent and
nothing on the page breaks it (the ``desktop`` fixture fails the test on any violation)."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse
from playwright.sync_api import expect

from budget.models import Resolution
from tests.e2e.conftest import watch_csp
from tests.helpers import image_upload, pdf_upload

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PDF_VIEWER = "mhjfbmdgcfjbbpaeojofohoefgiehjai"  # Chromium's built-in PDF viewer extension


def visit(page, url):
    response = page.goto(url)
    assert response.status == 200, f"{url}: {response.status}"
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy, url
    page.wait_for_load_state("load")
    return response


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill("correct horse battery")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", name="Budgets")).to_be_visible()


def test_every_app_page_keeps_the_policy(
    desktop, live_server, superuser, budget, category, book, settings
):
    settings.MAIL_CONFIGURED = True  # the password reset pages exist only with mail
    pdf = book(category, "12.50", receipt=pdf_upload()).expense
    image = book(category, "7.00", receipt=image_upload()).expense
    book(category, "480.50")  # 20 % spent
    base = live_server.url
    page = desktop

    for url in ["/accounts/login/", "/accounts/password_reset/", "/healthz"]:
        visit(page, base + url)
    log_in(page, live_server, "admin")
    pages = [
        "/",
        reverse("budget:resolution", args=[budget.resolution_id]),
        reverse("budget:budget_dashboard", args=[budget.pk]),
        reverse("budget:expense_list", args=[budget.pk]),
        reverse("budget:expense_list", args=[budget.pk]) + "?q=B%C3%A4ckerei",
        reverse("budget:expense_new", args=[budget.pk]),
        reverse("budget:expense_reverse", args=[budget.pk, pdf.pk]),
        reverse("budget:budget_statement", args=[budget.pk]),
        "/accounts/password_change/",
    ]
    for url in pages:
        visit(page, base + url)

    # The booking form's script (remaining preview) runs under the policy.
    visit(page, base + reverse("budget:expense_new", args=[budget.pk]))
    page.get_by_label("Betrag (brutto, €)").fill("100,00")
    expect(page.locator("#preview")).to_contain_text("1.900,00")

    # Progress bars get their width from a class, not an inline style.
    visit(page, base + reverse("budget:budget_dashboard", args=[budget.pk]))
    bar = page.locator(".budget-progress .progress-bar")
    share = bar.evaluate("el => el.offsetWidth / el.parentElement.offsetWidth")
    assert 0.195 < share < 0.205
    expect(page.locator(".chart-cap-label")).to_be_visible()

    # The language menu switches without an inline handler.
    page.select_option("#language", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.select_option("#language", "de")
    expect(page.locator("html")).to_have_attribute("lang", "de")

    # Receipts are sandboxed, and the inline previews still show them.
    visit(page, base + reverse("budget:expense_detail", args=[budget.pk, image.pk]))
    img = page.locator("img.receipt-preview-img")
    expect(img).to_be_visible()
    assert img.evaluate("el => el.complete && el.naturalWidth") == 40
    visit(page, base + reverse("budget:expense_detail", args=[budget.pk, pdf.pk]))
    receipt_url = base + reverse("budget:expense_receipt", args=[budget.pk, pdf.pk])
    page.wait_for_function(
        "() => document.querySelector('iframe.receipt-preview') !== null", timeout=5000
    )
    for _ in range(50):  # the viewer loads inside the frame a moment after the page
        frames = [frame.url for frame in page.frames]
        if any(PDF_VIEWER in url for url in frames):
            break
        page.wait_for_timeout(100)
    assert receipt_url in frames
    assert any(PDF_VIEWER in url for url in frames), f"PDF not rendered inline: {frames}"
    receipt = page.request.get(receipt_url)
    assert receipt.headers["content-security-policy"] == "sandbox; default-src 'none'"
    assert receipt.headers["x-content-type-options"] == "nosniff"


def test_every_admin_page_keeps_the_policy(desktop, live_server, superuser, budget, category, book):
    expense = book(category, "12.50", receipt=pdf_upload()).expense
    base = live_server.url
    page = desktop
    page.goto(f"{base}/admin/login/")
    page.get_by_label("Benutzername").fill("admin")
    page.get_by_label("Passwort").fill("correct horse battery")
    page.get_by_role("button", name=re.compile("Anmelden")).click()
    expect(page.locator("#site-name")).to_be_visible()
    visit(page, f"{base}/admin/")
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        visit(page, base + reverse("admin:{}_{}_changelist".format(*info)))
        if model_admin.has_add_permission(_request_for(superuser)):
            visit(page, base + reverse("admin:{}_{}_add".format(*info)))
    resolution = Resolution.objects.get()
    visit(page, base + reverse("admin:budget_resolution_change", args=[resolution.pk]))
    visit(page, base + reverse("admin:budget_budget_change", args=[budget.pk]))
    visit(page, base + reverse("admin:budget_expense_change", args=[expense.pk]))


def _request_for(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_the_watch_catches_a_violation(browser, live_server):
    """The fixture could fail: an inline style slipped into a page is reported."""
    context = browser.new_context()
    violations = watch_csp(context)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color:red\">x</p>')")
    page.wait_for_timeout(300)
    context.close()
    assert violations and "style-src" in " ".join(violations)
