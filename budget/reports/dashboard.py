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
from django.db.models import Q, Sum
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from budget import retention
from budget.models import Budget, Category, DailySpending, Expense
from budget.money import ZERO, cents, share_of

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

# Progress bar colours: amber from 80 % of the cap, red from 95 %.
WARNING_SHARE = Decimal("80")
DANGER_SHARE = Decimal("95")

# The chart table lists days while there are few of them, then weeks for a period of up to four
# months, then months: a fallback table of more than about twenty rows helps nobody.
TABLE_MAX_DAYS = 31
TABLE_MAX_WEEKLY_PERIOD = 16 * 7
DRAW_MAX_STEPS = 120


def progress_level(spent: Decimal, cap: Decimal) -> str:
    """``ok``, ``warning`` (≥ 80 % of the cap) or ``danger`` (≥ 95 %), compared exactly."""
    if cap and spent * 100 >= cap * DANGER_SHARE:
        return "danger"
    if cap and spent * 100 >= cap * WARNING_SHARE:
        return "warning"
    return "ok"


def bar_percent(part: Decimal, whole: Decimal | None) -> int:
    """Whole percent for a bar's width class (``pct-0`` … ``pct-100``), cut like the figures."""
    if not whole:
        return 0
    return int(min(max(part * 100 / whole, Decimal(0)), Decimal(100)))


# Without an end date the time axis runs to the last booking plus this share of the span (at
# least MIN_MARGIN_DAYS), so a budget booked in January does not sit in the left 5 % of a line
# that runs on to "today" years later.
AXIS_MARGIN = Decimal("0.1")
MIN_MARGIN_DAYS = 7
EMPTY_AXIS_DAYS = 30


# --- the cumulative spending chart -----------------------------------------------------------


@dataclass
class ChartRow:
    label: str
    spent: Decimal
    cumulative: Decimal
    share: Decimal


@dataclass
class SpendingChart:
    """Cumulative spending per day against the cap, drawn as inline SVG.

    The SVG's x axis counts days from ``start`` (one unit per day) and its y axis runs from 0 at the
    bottom to ``HEIGHT`` at the top, which stands for ``y_max``; the browser stretches it to the
    width of the card (``preserveAspectRatio="none"``), and the labels live in HTML so they stay
    legible on a phone.
    """

    HEIGHT = 100

    start: datetime.date
    end: datetime.date
    cap: Decimal
    total: Decimal
    days: list[tuple[datetime.date, Decimal]]  # (day, cumulative) for each day with bookings
    rows: list[ChartRow] = field(default_factory=list)
    granularity: str = "day"
    reserved: Decimal = ZERO  # open claims and orders, drawn as a line above what is spent

    @property
    def committed(self) -> Decimal:
        return self.total + self.reserved

    @property
    def committed_y(self) -> str:
        return self._y(self.committed)

    @property
    def width(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def y_max(self) -> Decimal:
        # Leave headroom above the cap line so it does not sit on the border.
        return self.cap * Decimal("1.08") if self.cap else Decimal(1)

    @cached_property
    def _scale(self) -> float:
        return self.HEIGHT / float(self.y_max)

    def _y(self, value: Decimal) -> str:
        return f"{self.HEIGHT - float(value) * self._scale:.1f}"

    def _x(self, day: datetime.date) -> int:
        return (day - self.start).days

    @property
    def cap_y(self) -> str:
        return self._y(self.cap)

    @property
    def half_y(self) -> str:
        return self._y(self.cap / 2)

    @property
    def y_ticks(self) -> list[Decimal]:
        """0, half the cap and the cap, in whole euros (labels sit at fixed heights: the y axis
        always runs to 108 % of the cap)."""
        return [ZERO, cents(self.cap / 2), self.cap]

    @property
    def middle(self) -> datetime.date:
        return self.start + datetime.timedelta(days=(self.end - self.start).days // 2)

    @property
    def steps(self) -> list[tuple[datetime.date, Decimal]]:
        """The days the line steps up. Beyond ``DRAW_MAX_STEPS`` booking days, one step per week
        (on its last booking day): a step is then a few pixels wide, and drawing stays cheap
        however busy the period was."""
        if len(self.days) <= DRAW_MAX_STEPS:
            return self.days
        weekly: dict[tuple[int, int], tuple[datetime.date, Decimal]] = {}
        for day, cumulative in self.days:
            weekly[day.isocalendar()[:2]] = (day, cumulative)
        return list(weekly.values())

    @cached_property
    def line_points(self) -> str:
        """A step line: flat until a day's bookings, then up by that day's net amount."""
        points = [f"0,{self._y(ZERO)}"]
        previous = ZERO
        for day, cumulative in self.steps:
            x = self._x(day)
            points.append(f"{x},{self._y(previous)}")
            points.append(f"{x},{self._y(cumulative)}")
            previous = cumulative
        points.append(f"{self.width},{self._y(previous)}")
        return " ".join(points)

    @property
    def area_points(self) -> str:
        return f"{self.line_points} {self.width},{self.HEIGHT} 0,{self.HEIGHT}"

    @property
    def is_empty(self) -> bool:
        return not self.days


def spending_chart(budget: Budget, today: datetime.date | None = None) -> SpendingChart:
    """One query: the budget's ``DailySpending`` rows (at most one per day of the period)."""
    today = today or timezone.localdate()
    daily = list(
        DailySpending.objects.filter(budget=budget).order_by("day").values_list("day", "spent")
    )
    days = []
    cumulative = ZERO
    for day, spent in daily:
        if not spent:
            continue  # a day whose bookings were all reversed
        cumulative += spent  # exact: every figure has two decimal places
        days.append((day, cumulative))

    start = budget.starts_on
    if budget.ends_on:
        end = budget.ends_on
    elif days:
        last = days[-1][0]
        margin = max(int((last - start).days * AXIS_MARGIN), MIN_MARGIN_DAYS)
        end = last + datetime.timedelta(days=margin)
    else:
        end = start + datetime.timedelta(days=EMPTY_AXIS_DAYS)
    if days:
        # Dates outside the period (the period was shortened afterwards) still get drawn.
        start = min(start, days[0][0])
        end = max(end, days[-1][0])
    chart = SpendingChart(
        start=start, end=end, cap=budget.cap, total=cumulative, days=days, reserved=budget.reserved
    )
    chart.granularity, chart.rows = _table_rows(days, chart)
    return chart


def _table_rows(days, chart: SpendingChart) -> tuple[str, list[ChartRow]]:
    """The table under the chart, for readers without graphics: days, weeks or months.

    Its length depends on the budget's period, never on the number of expenses.
    """
    if len(days) <= TABLE_MAX_DAYS:
        granularity = "day"
    elif chart.width <= TABLE_MAX_WEEKLY_PERIOD:
        granularity = "week"
    else:
        granularity = "month"

    buckets: list[list] = []  # [first day, spent in bucket, cumulative at its end]
    previous = ZERO
    for day, cumulative in days:
        key = _bucket_start(day, granularity)
        if buckets and buckets[-1][0] == key:
            buckets[-1][1] += cumulative - previous
            buckets[-1][2] = cumulative
        else:
            buckets.append([key, cumulative - previous, cumulative])
        previous = cumulative
    rows = [
        ChartRow(
            label=_bucket_label(key, granularity),
            spent=cents(spent),
            cumulative=cumulative,
            share=share_of(cumulative, chart.cap),
        )
        for key, spent, cumulative in buckets
    ]
    return granularity, rows


def _bucket_start(day: datetime.date, granularity: str) -> datetime.date:
    if granularity == "day":
        return day
    if granularity == "week":
        return day - datetime.timedelta(days=day.weekday())
    return day.replace(day=1)


def _bucket_label(start: datetime.date, granularity: str) -> str:
    if granularity == "day":
        return formats.date_format(start, "SHORT_DATE_FORMAT")
    if granularity == "week":
        year, week, _weekday = start.isocalendar()
        return _("KW %(week)s/%(year)s (%(start)s–%(end)s)") % {
            "week": week,
            "year": year,
            "start": formats.date_format(start, "SHORT_DATE_FORMAT"),
            "end": formats.date_format(start + datetime.timedelta(days=6), "SHORT_DATE_FORMAT"),
        }
    return formats.date_format(start, "YEAR_MONTH_FORMAT")


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
