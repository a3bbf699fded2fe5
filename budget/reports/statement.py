"""The statement of use (Verwendungsnachweis): what the budget was granted, what was spent on
what, every receipt and reversal, the paid and waived claims; printed and signed, also as PDF.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from budget.models import Budget, Expense
from budget.money import ZERO, cents, share_of
from budget.reports.dashboard import CategoryLine, category_lines

# --- statement of use (Verwendungsnachweis) -----------------------------------------------------


@dataclass
class Statement:
    budget: Budget
    categories: list[CategoryLine]
    expenses: list[Expense]
    reversed: list[Expense]
    booked_total: Decimal  # every receipt ever booked, reversed ones included
    reversed_total: Decimal
    share: Decimal
    generated_on: datetime.date
    receipt_count: int
    reversal_count: int
    # Past STATEMENT_MAX_LINES receipts the list goes to the CSV/Excel export as an appendix;
    # the figures stay exact.
    receipts_in_appendix: bool = False
    settled_claims: list = field(default_factory=list)  # paid and waived claims

    @property
    def resolution(self):
        return self.budget.resolution

    @property
    def spent(self) -> Decimal:
        return self.budget.spent

    @property
    def remaining(self) -> Decimal:
        return self.budget.remaining

    @property
    def has_plans(self) -> bool:
        return any(line.against_plan for line in self.categories)

    @property
    def quantity_total(self) -> int:
        return sum(line.category.quantity for line in self.categories)


# A statement is printed and signed. Past this many receipts or reversals (about 20 pages, which
# WeasyPrint renders in several seconds on two cores) the lists go to the CSV/Excel export as an
# appendix, so the page and the PDF stay quick however long the ledger.
STATEMENT_MAX_LINES = 500


def statement(budget: Budget, today: datetime.date | None = None) -> Statement:
    """Every receipt, in receipt-number order, and every reversal, with the figures they add up to.

    Two queries on top of the budget: categories, and the expenses with their reversals. For a
    ledger longer than ``STATEMENT_MAX_LINES`` the lists are left to the exports and the totals
    come from one aggregate instead.
    """
    receipt_count = budget.last_receipt_number  # expenses are never deleted
    if receipt_count <= STATEMENT_MAX_LINES and budget.reversal_count <= STATEMENT_MAX_LINES:
        expenses = list(budget.expenses.for_listing().order_by("receipt_number"))
        reversed_ = [expense for expense in expenses if expense.is_reversed]
        booked_total = sum((e.amount for e in expenses), ZERO)
        reversed_total = sum((e.amount for e in reversed_), ZERO)
        in_appendix = False
    else:
        expenses, reversed_, in_appendix = [], [], True
        totals = budget.expenses.aggregate(
            booked=Sum("amount"), reversed=Sum("amount", filter=Q(reversal__isnull=False))
        )
        booked_total, reversed_total = totals["booked"], totals["reversed"]
    return Statement(
        budget=budget,
        categories=category_lines(budget),
        expenses=expenses,
        reversed=reversed_,
        booked_total=cents(booked_total),
        reversed_total=cents(reversed_total),
        share=share_of(budget.spent, budget.cap),
        generated_on=today or timezone.localdate(),
        receipt_count=receipt_count,
        reversal_count=budget.reversal_count,
        receipts_in_appendix=in_appendix,
        settled_claims=list(
            budget.claims.filter(state__in=["paid", "waived"])
            .select_related("expense")
            .order_by("number")
        ),
    )
