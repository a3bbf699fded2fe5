"""The live preview reads amounts exactly as the server does, in German and in English: every
input below gives the same value, or the same refusal, in Chromium and in parse_amount."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from playwright.sync_api import expect

from budget.models import Budget, Category
from budget.validators import parse_amount
from tests.claim_helpers import claim
from tests.e2e.test_treasurer_flow import log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

INPUTS = [
    "1.234,56",
    "1.500",
    "12,50",
    "12.50",
    "12",
    "0,01",
    "2.500,00 €",
    "1,234.56",
    " 7,5 ",
    "1.000.000",
    "1,500",
    "12.500",
    "12,345",
    "0.001",
    "0",
    "0,00",
    "-5,00",
    "+5",
    "--5",
    "NaN",
    "Infinity",
    "1e5",
    "zwölf",
    "12,50,3",
    "99999999999",
    "9" * 40,
    "9.999.999.999,99",
    "10.000.000.000,00",
    "9999999999.99",
    "9999999999.999",
    "007,50",
    ".5",
    "5.",
    ",5",
    "5,",
    "１２",
    "١٢",
    "1２",
    "12 50",
    "1 2 3 4",
    "1 234,56",
    "1\u00a0234,56",
    "\u00a012,50\u00a0",
    "\t12,50\n",
    "12,50€",
    "12,50 EUR",
    "12,50 eur",
    "€12,50",
    "x" * 1000,
    "1" * 1000,
    "",
    "   ",
    "€",
    "1.23",
    "1.2345",
    "1,2345",
    "1,234,567",
    "1.234.567,5",
    "01.234",
    "1.23.456",
]


def server_reads(text, lang):
    with translation.override(lang):
        try:
            return {"value": f"{parse_amount(text):.2f}"}
        except ValidationError as refused:
            return {"error": refused.code}


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_preview_parses_every_amount_as_the_server_does(
    phone, live_server, treasurer, budget, category, lang
):
    page = phone
    log_in(page, live_server, "schatzmeisterin")
    page.goto(f"{live_server.url}/budgets/{budget.pk}/expenses/new/")
    browser = page.evaluate(
        "([inputs, lang]) => inputs.map((t) => Beschlusskasse.parseAmount(t, lang))",
        [INPUTS, lang],
    )
    differences = [
        (text[:20], ours, theirs)
        for text, ours, theirs in zip(
            INPUTS, browser, (server_reads(t, lang) for t in INPUTS), strict=True
        )
        if ours != theirs
    ]
    assert differences == []


def test_the_preview_stays_empty_for_what_the_server_refuses(
    phone, live_server, treasurer, budget, category
):
    page = phone
    log_in(page, live_server, "schatzmeisterin")
    page.goto(f"{live_server.url}/budgets/{budget.pk}/expenses/new/")
    amount = page.get_by_label("Betrag (brutto, €)")
    amount.fill("12,50")
    expect(page.locator("#preview")).to_contain_text("2.487,50")
    for refused in ["12 50", "１２", "1 2 3 4"]:
        amount.fill(refused)
        expect(page.locator("#preview")).to_have_text("")


@pytest.mark.parametrize("over_plan", ["stop", "warn"])
def test_the_plan_preview_counts_what_open_claims_reserve(
    phone, live_server, treasurer, helper, budget, category, book, over_plan
):
    Budget.objects.filter(pk=budget.pk).update(accepts_claims=True)
    Category.objects.filter(pk=category.pk).update(planned=Decimal("100.00"), over_plan=over_plan)
    book(category, "30.00")
    claim(budget, category, helper, "50.00")  # 20,00 € left in the plan, as the server counts
    page = phone
    log_in(page, live_server, "schatzmeisterin")
    page.goto(f"{live_server.url}/budgets/{budget.pk}/expenses/new/")
    page.get_by_label("Kategorie").select_option(label="Verpflegung")
    amount = page.get_by_label("Betrag (brutto, €)")
    preview = page.locator("#preview")
    amount.fill("20,00")
    expect(preview).to_have_text("danach noch verfügbar: 2.400,00\xa0€")
    amount.fill("20,01")
    if over_plan == "stop":
        expect(preview).to_have_text("überschreitet den Plan der Kategorie um 0,01\xa0€")
        expect(preview).to_have_class(re.compile("text-danger"))
    else:
        expect(preview).to_have_text(
            "danach noch verfügbar: 2.399,99\xa0€ · über dem Plan der Kategorie um 0,01\xa0€"
        )
