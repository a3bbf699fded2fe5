"""Shared checks for the browser tests: layout on a phone, tap targets, logging in."""

import io
import os
from pathlib import Path

from PIL import Image
from playwright.sync_api import expect

PASSWORD = "correct horse battery"

# Every visible control must be at least this large (WCAG 2.5.5 / Apple HIG: 44 × 44 CSS px).
MIN_TAP = 44

_TAP_TARGETS_JS = (Path(__file__).parent / "tap_targets.js").read_text()


def log_in(page, live_server, username, heading="Budgets"):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    if heading:
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    else:
        page.wait_for_url(f"{live_server.url}/")


def assert_no_sideways_scrolling(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"page is {width}px wide on a {viewport}px screen"
    # Nor inside a box: no element that scrolls horizontally (tables in .table-responsive).
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('body *')].filter(el => {
             const s = getComputedStyle(el);
             return (s.overflowX === 'auto' || s.overflowX === 'scroll')
                    && el.scrollWidth > el.clientWidth + 1 && el.checkVisibility();
           }).map(el => el.className || el.tagName)"""
    )
    assert boxes == [], f"boxes scroll sideways: {boxes}"


def assert_tap_targets(page, minimum=MIN_TAP):
    small = page.evaluate(_TAP_TARGETS_JS, minimum)
    assert small == [], f"tap targets under {minimum}px: {small}"


def photo_bytes(min_bytes=2_000_000) -> bytes:
    """A JPEG 'phone photo' of at least ``min_bytes`` (noise does not compress)."""
    width, height = 1400, 1050
    while True:
        image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=92)
        if buffer.tell() >= min_bytes:
            return buffer.getvalue()
        width, height = int(width * 1.2), int(height * 1.2)


def receipt_photo_bytes() -> bytes:
    """A photographed till receipt, for the README's screenshots."""
    from PIL import ImageDraw

    image = Image.new("RGB", (900, 1400), (236, 232, 224))
    draw = ImageDraw.Draw(image)
    draw.rectangle((150, 80, 750, 1320), fill=(252, 252, 248))
    lines = [
        "BÄCKEREI ROTH",
        "Anger 12, Erfurt",
        "",
        "12 Brötchen      7,20",
        "2 Kannen Kaffee 18,00",
        "Obstteller       9,80",
        "Butter, Käse      7,50",
        "",
        "SUMME EUR       42,50",
        "",
        "01.12.2026 08:14",
        "Vielen Dank!",
    ]
    for n, line in enumerate(lines):
        draw.text((200, 140 + n * 90), line, fill=(30, 30, 30), font_size=44)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()
