"""The statement of use fits A4: no box of the PDF ends within 1.5 mm of the paper's edge, even
with long descriptions, long payees and amounts in the millions."""

import datetime
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from budget.models import Budget
from budget.reports import statement as statement_of_use
from budget.services import reverse_expense

pytestmark = pytest.mark.django_db

MM = 96 / 25.4  # CSS px per millimetre
EDGE = 1.5 * MM


def boxes(box):
    yield box
    for child in getattr(box, "children", None) or []:
        yield from boxes(child)


def widest_right_edge(pdf_document):
    edges = []
    for page in pdf_document.pages:
        for box in boxes(page._page_box):
            if box is page._page_box or not hasattr(box, "margin_width"):
                continue
            edges.append((box.position_x + box.margin_width(), page.width, box))
    return edges


def test_statement_pdf_stays_inside_the_paper(budget, category, headsets, book, treasurer):
    from weasyprint import HTML

    Budget.objects.filter(pk=budget.pk).update(cap=Decimal("9999999.00"))
    long_word = "Telefonaktionsvorbereitungsmaterialbeschaffungsrechnung" * 2
    for n in range(12):
        book(
            category,
            "1234567.89" if n == 0 else "12.34",
            payee="Landesgeschäftsstelle Erfurt, Eugen-Richter-Straße 44, Zimmer 3.14"
            * (n % 2 + 1),
            description=f"{long_word} {n} " + "sehr lange Beschreibung " * 12,
            spent_on=datetime.date(2024, 1, 10),
        )
    wrong = book(headsets, "342.93", quantity=7).expense
    reverse_expense(expense=wrong, reason=long_word + " falsch gebucht " * 10, created_by=treasurer)
    budget.refresh_from_db()
    request = RequestFactory().get("/")
    request.user = treasurer
    html = render_to_string(
        "budget/statement_pdf.html",
        {"budget": budget, "statement": statement_of_use.statement(budget)},
        request=request,
    )
    document = HTML(string=html).render()
    assert len(document.pages) >= 2
    too_far = [
        (round((width - right) / MM, 2), box.element_tag, (getattr(box, "text", "") or "")[:30])
        for right, width, box in widest_right_edge(document)
        if right > width - EDGE
    ]
    assert too_far == [], f"boxes end {too_far} mm from the paper's edge"
