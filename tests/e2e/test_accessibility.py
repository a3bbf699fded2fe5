"""axe-core (vendored from the npm registry, tests/e2e/vendor/axe-core) finds no serious or
critical violation on the pages people use, on a 375 × 812 phone and a 1366 × 768 desktop."""

import datetime
import json
from pathlib import Path

import pytest

from budget.models import Expense
from budget.services import reverse_expense
from tests.e2e.helpers import PASSWORD, assert_no_sideways_scrolling
from tests.helpers import image_upload

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
BLOCKING = {"serious", "critical"}

PAGES = [
    "/",
    "/budgets/{budget}/",
    "/budgets/{budget}/expenses/new/",
    "/budgets/{budget}/expenses/",
    "/budgets/{budget}/expenses/{expense}/",
    "/budgets/{budget}/statement/",
    "/resolutions/{resolution}/",
    "/admin/budget/budget/{budget}/change/",
]


def axe_violations(page):
    # evaluate() runs outside the page's Content-Security-Policy, so no inline script is needed.
    page.evaluate(AXE)
    result = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map("
        "v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary).slice(0, 5)})))"
    )
    return [v for v in result if v["impact"] in BLOCKING]


@pytest.fixture
def ledger(book, category, headsets, treasurer, budget):
    book(category, "86.45", payee="Bäckerei Roth", receipt=image_upload("JPEG", "bon.jpg"))
    book(headsets, "342.93", payee="Elektro Erfurt", quantity=7)
    wrong = book(category, "12.00", payee="Kiosk", spent_on=datetime.date(2024, 1, 20)).expense
    reverse_expense(expense=wrong, reason="doppelt gebucht", created_by=treasurer)
    return Expense.objects.order_by("receipt_number").first()


SCREENS = {
    "phone": {
        "viewport": {"width": 375, "height": 812},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
    "desktop": {"viewport": {"width": 1366, "height": 768}},
}


@pytest.fixture(params=list(SCREENS))
def screen_page(request, browser):
    """A page of its own: axe-core adds style elements while it measures, which the page's
    Content-Security-Policy would refuse (test_csp.py checks the policy on the same pages)."""
    context = browser.new_context(locale="de-DE", bypass_csp=True, **SCREENS[request.param])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.screen = request.param
    yield page
    context.close()


def test_no_serious_accessibility_violations(screen_page, live_server, superuser, budget, ledger):
    page = screen_page
    screen = page.screen
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Benutzername").fill("admin")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"{live_server.url}/")
    found = {}
    for path in PAGES:
        url = path.format(budget=budget.pk, expense=ledger.pk, resolution=budget.resolution_id)
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        if screen == "phone" and not url.startswith("/admin/"):
            assert_no_sideways_scrolling(page)
        violations = axe_violations(page)
        if violations:
            found[url] = violations
    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)
