"""Claims and orders in the exports: their own section of the CSV and their own Excel sheets.

Bank details are masked here as everywhere outside the claimant's and the treasurer's pages:
an export travels further than a page.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from budget.models import Budget


def claim_headers() -> list[str]:
    return [
        _("Erstattung"),
        _("Art"),
        _("Stand"),
        _("Datum"),
        _("eingereicht von"),
        _("Kontoinhaber*in"),
        _("IBAN"),
        _("Kategorie"),
        _("Beschreibung"),
        _("Menge"),
        _("Betrag"),
        _("Beleg-Nr."),
        _("ausgezahlt am"),
        _("eingereicht am"),
    ]


def claim_rows(budget: Budget) -> list[list]:
    """One query: every claim of the budget with its category, submitter and booking."""
    rows = []
    claims = budget.claims.select_related("category", "submitted_by", "expense").order_by("number")
    for claim in claims:
        user = claim.submitted_by
        rows.append(
            [
                claim.reference,
                claim.get_kind_display(),
                claim.get_state_display(),
                claim.spent_on,
                user.get_full_name() or user.get_username(),
                claim.account_holder,
                claim.masked_iban,
                claim.category.name,
                claim.description,
                claim.quantity,
                claim.amount,
                claim.expense.receipt_number if claim.expense_id else None,
                claim.paid_on,
                claim.submitted_at,
            ]
        )
    return rows


def order_headers() -> list[str]:
    return [
        _("Bestellung"),
        _("Stand"),
        _("bestellt am"),
        _("Lieferant"),
        _("Kategorie"),
        _("Beschreibung"),
        _("Menge"),
        _("erwarteter Betrag"),
        _("Beleg-Nr."),
        _("gebuchter Betrag"),
    ]


def order_rows(budget: Budget) -> list[list]:
    rows = []
    for order in budget.orders.select_related("category", "expense").order_by("number"):
        rows.append(
            [
                order.reference,
                order.get_state_display(),
                order.created_at,
                order.supplier,
                order.category.name,
                order.description,
                order.quantity,
                order.amount,
                order.expense.receipt_number if order.expense_id else None,
                order.expense.amount if order.expense_id else None,
            ]
        )
    return rows
