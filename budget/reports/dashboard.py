"""Read side: what the dashboard, ``summary.json`` and the statement of use show.

Everything here reads the running totals that ``budget.services.booking`` keeps on ``Budget``,
``Category`` and ``DailySpending``, so a page costs the same fixed handful of queries whether the
budget holds ten expenses or a hundred thousand. Only the statement of use lists every receipt,
because that is its purpose.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from budget import retention
from budget.models import Budget, Category, Expense
from budget.money import cents, share_of
from budget.reports.charts import SpendingChart, bar_percent, progress_level, spending_chart

LATEST_BOOKINGS = 10
LATEST_FIELDS = [
    "budget_id",
    "receipt_number",
    "spent_on",
    "payee",
    "amount",
    "receipt",
    "category__name",
    "reversal__reason",
    "reversal__created_at",
    "reversal__expense_id",
    "late_receipt__created_at",
]

# --- dashboard ----------------------------------------------------------------------------------


@dataclass
class CategoryLine:
    """One category's figures and its bar: spent against its plan, or against the budget's cap
    when it has no plan."""

    category: Category
    share_of_spent: Decimal  # share of everything this budget has spent
    share: Decimal  # of the plan, or of the cap
    bar: int  # whole percent, for the bar's width class
    level: str

    @property
    def against_plan(self) -> bool:
        return self.category.planned is not None

    @property
    def quantity_exhausted(self) -> bool:
        c = self.category
        return c.quantity_cap is not None and c.quantity >= c.quantity_cap


@dataclass
class Dashboard:
    budget: Budget
    categories: list[CategoryLine]
    latest: list[Expense]
    chart: SpendingChart
    share: Decimal
    level: str
    bar: int
    receipts_kept_until: datetime.date | None = None

    @property
    def retention_years(self) -> int:
        return settings.RECEIPT_RETENTION_YEARS

    reserved_bar: int = 0
    open_claims: list = field(default_factory=list)
    open_orders: list = field(default_factory=list)

    @property
    def over_plan(self) -> list[CategoryLine]:
        return [line for line in self.categories if line.category.is_over_plan]

    @property
    def has_plans(self) -> bool:
        return any(line.against_plan for line in self.categories)

    @property
    def without_position(self) -> list[Category]:
        """Categories the treasurer still has to assign to a § 24 Abs. 5 PartG position."""
        return [line.category for line in self.categories if not line.category.position]


def category_lines(budget: Budget) -> list[CategoryLine]:
    lines = []
    for category in budget.categories.all():
        reference = category.planned if category.planned is not None else budget.cap
        lines.append(
            CategoryLine(
                category=category,
                share_of_spent=share_of(category.spent, budget.spent),
                share=share_of(category.spent, reference),
                bar=bar_percent(category.spent, reference),
                level=progress_level(category.spent, reference)
                if category.planned is not None
                else "ok",
            )
        )
    return lines


OPEN_ITEMS = 10


def dashboard(budget: Budget, today: datetime.date | None = None) -> Dashboard:
    """Five queries on top of the budget itself: categories, latest bookings, daily totals and
    the oldest open claims and orders. How long the receipts are kept counts from the budget's
    running ``last_booked_at``."""
    # Only what the list shows: no user rows, which are wide and not displayed here.
    latest = list(
        budget.expenses.select_related("category", "reversal", "late_receipt")
        .only(*LATEST_FIELDS)
        .order_by("-receipt_number")[:LATEST_BOOKINGS]
    )
    return Dashboard(
        budget=budget,
        categories=category_lines(budget),
        latest=latest,
        chart=spending_chart(budget, today=today),
        share=share_of(budget.spent, budget.cap),
        level=progress_level(budget.spent + budget.reserved, budget.cap),
        bar=bar_percent(budget.spent, budget.cap),
        receipts_kept_until=retention.kept_until(budget),
        reserved_bar=min(
            bar_percent(budget.reserved, budget.cap), 100 - bar_percent(budget.spent, budget.cap)
        ),
        open_claims=list(
            budget.claims.open().select_related("category").order_by("submitted_at")[:OPEN_ITEMS]
        ),
        open_orders=list(
            budget.orders.open().select_related("category").order_by("created_at")[:OPEN_ITEMS]
        ),
    )


# --- summary.json -------------------------------------------------------------------------------


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else f"{cents(value):.2f}"


def summary(budget: Budget) -> dict:
    """The integration point for other tools. Keep the shape stable: it is documented."""
    return {
        "budget": budget.pk,
        "name": budget.name,
        "resolution": budget.resolution.reference,
        "currency": budget.currency,
        "cap": _amount(budget.cap),
        "spent": _amount(budget.spent),
        "remaining": _amount(budget.remaining),
        "reserved": _amount(budget.reserved),
        "reserved_claims": _amount(budget.reserved_claims),
        "reserved_orders": _amount(budget.reserved_orders),
        "available": _amount(budget.available),
        "categories": [
            {
                "id": category.pk,
                "name": category.name,
                "planned": _amount(category.planned),
                "spent": _amount(category.spent),
                "quantity": category.quantity,
                "quantity_cap": category.quantity_cap,
                "reserved": _amount(category.reserved),
                "reserved_quantity": category.reserved_quantity,
            }
            for category in budget.categories.all()
        ],
    }
