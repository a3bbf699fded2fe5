"""A real browser: Debian's Chromium, driven by Playwright's Python package (never its own
browser download), against pytest-django's live server."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in this thread; the ORM calls in the tests are still
# plain synchronous code, so Django's async-safety guard does not apply here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in item.nodeid:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium fehlt unter {CHROMIUM}; CI muss die Browser-Tests ausführen.")
        pytest.skip(f"Chromium fehlt unter {CHROMIUM} (apt-get install chromium); skipped locally")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


# Reports every Content-Security-Policy violation to the console, where watch_csp collects it.
# An init script runs outside the page's policy, so the policy cannot silence it.
_CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.violatedDirective + " blocked " + event.blockedURI +
                " on " + event.documentURI + " (" + (event.sample || "") + ")");
});
"""


def watch_csp(context):
    """Collects every CSP violation of the pages in ``context``: Chromium's own console message
    ("Refused to … because it violates the following Content Security Policy directive") and the
    ``securitypolicyviolation`` event."""
    violations = []
    context.add_init_script(_CSP_REPORTER)

    def on_console(message):
        text = message.text
        if "CSP violation" in text or "Content Security Policy" in text:
            violations.append(f"{message.page.url if message.page else '?'}: {text}")

    context.on("console", on_console)
    return violations


def _new_page(browser, locale="de-DE", **options):
    context = browser.new_context(locale=locale, **options)
    violations = watch_csp(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.csp_violations = violations
    return context, page, violations


@pytest.fixture
def phone(browser):
    """A 375 px wide phone screen, German. The test fails on any CSP violation on any page."""
    context, page, violations = _new_page(
        browser,
        viewport={"width": 375, "height": 812},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    yield page
    context.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture
def desktop(browser):
    """A 1366 × 768 desktop screen, German. The test fails on any CSP violation on any page."""
    context, page, violations = _new_page(browser, viewport={"width": 1366, "height": 768})
    yield page
    context.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture
def english_desktop(browser):
    """The desktop screen of a browser set to English (Accept-Language: en-US)."""
    context, page, violations = _new_page(
        browser, locale="en-US", viewport={"width": 1366, "height": 768}
    )
    yield page
    context.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)
