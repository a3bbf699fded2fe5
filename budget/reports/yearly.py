"""The yearly overview for the Landesvorstand: every budget whose resolution was decided in the
year or that was active in it, and the totals per § 24 Abs. 5 PartG position across them.

A budget counts for a year if its resolution was decided in it, if it has net spending dated in
it, or if it is open and its period reaches into the year. Cap, spent, reserved, available and
share are the running totals on the budget and category rows (available = cap − spent − what
open claims and orders have reserved); "im Jahr" is the net spending dated in the year
(per budget from the ``DailySpending`` rows, per category from one aggregate over the year's
active expenses; a reversal nets out on its expense's date, as on the dashboard). Four queries
whatever the number of budgets and expenses.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from budget.models import Budget, Category, DailySpending, Expense
from budget.money import ZERO, cents, share_of
from budget.positions import ExpensePosition

FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass
class BudgetLine:
    budget: Budget
    spent_in_year: Decimal

    @property
    def resolution(self):
        return self.budget.resolution


@dataclass
class CategoryLine:
    category: Category
    spent_in_year: Decimal

    @property
    def budget(self) -> Budget:
        return self.category.budget


@dataclass
class PositionLine:
    code: str  # "" for categories that have no position yet
    label: str
    categories: list[CategoryLine] = field(default_factory=list)

    @property
    def spent_in_year(self) -> Decimal:
        return cents(sum((line.spent_in_year for line in self.categories), ZERO))

    @property
    def spent(self) -> Decimal:
        return cents(sum((line.category.spent for line in self.categories), ZERO))

    @property
    def budget_count(self) -> int:
        return len({line.category.budget_id for line in self.categories})


@dataclass
class YearlyOverview:
    year: int
    budgets: list[BudgetLine]
    positions: list[PositionLine]

    @property
    def cap(self) -> Decimal:
        return cents(sum((line.budget.cap for line in self.budgets), ZERO))

    @property
    def spent(self) -> Decimal:
        return cents(sum((line.budget.spent for line in self.budgets), ZERO))

    @property
    def reserved(self) -> Decimal:
        """Promised but not yet spent (open claims and orders)."""
        return cents(sum((line.budget.reserved for line in self.budgets), ZERO))

    @property
    def available(self) -> Decimal:
        return cents(self.cap - self.spent - self.reserved)

    @property
    def spent_in_year(self) -> Decimal:
        return cents(sum((line.spent_in_year for line in self.budgets), ZERO))

    @property
    def share(self) -> Decimal:
        return share_of(self.spent, self.cap)

    @property
    def positions_spent_in_year(self) -> Decimal:
        return cents(sum((p.spent_in_year for p in self.positions), ZERO))

    @property
    def positions_spent(self) -> Decimal:
        return cents(sum((p.spent for p in self.positions), ZERO))

    @property
    def without_position(self) -> PositionLine | None:
        return next((p for p in self.positions if not p.code), None)


def overview(year: int) -> YearlyOverview:
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    in_year = {
        row["budget"]: row["spent"]
        for row in DailySpending.objects.filter(day__range=(first, last))
        .values("budget")
        .annotate(spent=Sum("spent"))
        .order_by()
    }
    budgets = list(
        Budget.objects.with_resolution()
        .filter(
            Q(resolution__decided_on__range=(first, last))
            | Q(pk__in=[pk for pk, spent in in_year.items() if spent])
            | (
                Q(is_closed=False, starts_on__lte=last)
                & (Q(ends_on__isnull=True) | Q(ends_on__gte=first))
            )
        )
        .order_by("resolution__decided_on", "resolution__year", "resolution__number", "name")
    )
    ids = [budget.pk for budget in budgets]
    per_category = {
        row["category"]: row["spent"]
        for row in Expense.objects.active()
        .filter(budget__in=ids, spent_on__range=(first, last))
        .values("category")
        .annotate(spent=Sum("amount"))
        .order_by()
    }
    categories = Category.objects.filter(budget__in=ids).select_related("budget__resolution")
    order = {budget.pk: index for index, budget in enumerate(budgets)}
    by_position: dict[str, list[CategoryLine]] = defaultdict(list)
    for category in sorted(categories, key=lambda c: (order[c.budget_id], c.order, c.name)):
        by_position[category.position].append(
            CategoryLine(category=category, spent_in_year=cents(per_category.get(category.pk)))
        )
    positions = [
        PositionLine(code=code, label=label, categories=by_position.get(code, []))
        for code, label in ExpensePosition.choices
    ]
    if by_position.get(""):
        positions.append(
            PositionLine(code="", label=_("ohne Position"), categories=by_position[""])
        )
    return YearlyOverview(
        year=year,
        budgets=[BudgetLine(budget=b, spent_in_year=cents(in_year.get(b.pk))) for b in budgets],
        positions=positions,
    )
