import re
import zlib
from decimal import Decimal

import pytest
from django.urls import reverse

from budget.models import Category
from budget.services import reverse_expense
from tests.helpers import assert_login_required

PAGES = ["budget:budget_statement", "budget:budget_statement_pdf"]


def text(response) -> str:
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace("\xa0", " ")


@pytest.fixture
def ledger(budget, category, headsets, book, treasurer):
    Category.objects.filter(pk=category.pk).update(planned=Decimal("1000.00"))
    book(headsets, "349.30", quantity=7, payee="Headset-Versand")
    book(category, "1100.00", payee="Catering Erfurt")
    cancelled = book(category, "75.00", payee="Fehlbuchung GmbH").expense
    reverse_expense(expense=cancelled, reason="doppelt gebucht", created_by=treasurer)


# --- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("role", ["treasurer", "director", "superuser"])
def test_roles_get_the_statement(client, budget, role, name, request):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse(name, args=[budget.pk])).status_code == 200


@pytest.mark.parametrize("name", PAGES)
def test_user_without_role_is_refused(client, budget, outsider, name):
    client.force_login(outsider)
    assert client.get(reverse(name, args=[budget.pk])).status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_login(client, budget, name):
    assert_login_required(client.get(reverse(name, args=[budget.pk])))


# --- content --------------------------------------------------------------------------------


def test_statement_lists_resolution_figures_receipts_and_reversals(
    client, budget, ledger, director
):
    client.force_login(director)
    response = client.get(reverse("budget:budget_statement", args=[budget.pk]))
    page = text(response)
    resolution = budget.resolution

    assert "Verwendungsnachweis" in page
    assert f"{resolution.reference} – {resolution.title}" in page
    assert "24.11.2023" in page and "Landesvorstand" in page
    assert "mit Zusatz beschlossen; dafür 11, dagegen 0, Enthaltungen 1" in page
    assert "Obergrenze laut Beschluss 2.500,00 €" in page
    assert "gebucht (3 Belege) 1.524,30 €" in page
    assert "abzüglich Stornierung (1) −75,00 €" in page
    assert "ausgegeben (57,9 %) 1.449,30 €" in page
    assert "noch verfügbar 1.050,70 €" in page
    # Per category against plan, headsets against their quantity cap.
    assert "Verpflegung (über Plan) 1.000,00 € 1.100,00 € -100,00 €" in page
    assert "7 / 15 Stück" in page
    # Every receipt, the reversed one struck through, and the reversal with its reason.
    for payee in ["Headset-Versand", "Catering Erfurt", "Fehlbuchung GmbH"]:
        assert payee in page
    html = response.content.decode()
    struck = re.search(r'<tr class="reversed">.*?</tr>', html, re.S).group(0)
    assert "Fehlbuchung GmbH" in struck and "<s>75,00" in struck
    assert "doppelt gebucht" in page
    # Room for the signatures.
    assert "Ort, Datum" in page and "Landesgeschäftsführer*in" in page
    assert "Landesschatzmeister*in" in page


def test_statement_page_is_printable_and_links_the_pdf(client, budget, director):
    client.force_login(director)
    response = client.get(reverse("budget:budget_statement", args=[budget.pk]))
    html = response.content.decode()
    assert reverse("budget:budget_statement_pdf", args=[budget.pk]) in html
    assert "budget/dashboard.css" in html  # carries the @media print rules
    assert "Es wurden keine Ausgaben gebucht." in text(response)


def test_pdf_is_a_pdf_download(client, budget, ledger, director):
    client.force_login(director)
    response = client.get(reverse("budget:budget_statement_pdf", args=[budget.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == (
        'attachment; filename="telefonaktion-2024-verwendungsnachweis.pdf"'
    )
    assert len(response.content) > 5000


def pdf_titles(pdf: bytes) -> list[str]:
    """The document title and bookmark titles of a PDF, read from its inflated object streams:
    enough to see what the PDF holds without a PDF parser."""
    titles = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            objects = zlib.decompress(match.group(1))
        except zlib.error:
            continue
        for literal, hexa in re.findall(rb"/Title (?:\(([^)]*)\)|<([0-9a-fA-F]+)>)", objects):
            titles.append(
                literal.decode("latin-1")
                if literal
                else bytes.fromhex(hexa.decode()).decode("utf-16")
            )
    return titles


def test_pdf_is_built_from_the_statement(client, budget, ledger, director):
    client.force_login(director)
    response = client.get(reverse("budget:budget_statement_pdf", args=[budget.pk]))
    titles = pdf_titles(response.content)
    # WeasyPrint turns the headings into PDF bookmarks: the document has every section.
    for heading in [
        "Verwendungsnachweis",
        "Beschluss",
        "Ergebnis",
        "Ausgaben nach Kategorien",
        "Belegliste",
        "Stornierungen",
        "Bestätigung",
    ]:
        assert heading in titles
    assert "Verwendungsnachweis · Telefonaktion 2024" in titles  # the document title


def test_pdf_template_is_self_contained(client, budget, ledger, director):
    client.force_login(director)
    response = client.get(reverse("budget:budget_statement_pdf", args=[budget.pk]))
    rendered = [template.name for template in response.templates]
    assert "budget/statement_pdf.html" in rendered
    assert "budget/_statement_body.html" in rendered  # the same content as the HTML page
    assert "base.html" not in rendered  # no navigation, no Bootstrap to parse


def test_a_very_long_ledger_goes_to_the_appendix_with_exact_totals(
    client, budget, category, book, treasurer, director, monkeypatch
):
    from budget.reports import statement as statement_of_use
    from budget.services import reverse_expense

    monkeypatch.setattr(statement_of_use, "STATEMENT_MAX_LINES", 3)
    expenses = [
        book(category, amount, payee=f"Lieferant {i}").expense
        for i, amount in enumerate(["10.10", "20.20", "30.30", "40.40"])
    ]
    reverse_expense(expense=expenses[1], reason="doppelt", created_by=treasurer)
    client.force_login(director)
    html = client.get(reverse("budget:budget_statement", args=[budget.pk])).content.decode()
    assert "Die Belegliste umfasst 4 Belege mit 1 Stornierungen und liegt als Anlage bei" in html
    assert "Lieferant 0" not in html
    assert "gebucht (4 Belege)" in html and "101,00\u00a0€" in html
    assert "abzüglich Stornierung (1)" in html and "−20,20\u00a0€" in html
    assert "80,80\u00a0€" in html  # spent
    pdf = client.get(reverse("budget:budget_statement_pdf", args=[budget.pk]))
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content if pdf.streaming else [pdf.content]).startswith(b"%PDF")
