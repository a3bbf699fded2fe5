"""The geometry of what the dashboard draws: the progress bars' share and colour, and the
cumulative spending chart (an inline SVG with a table to fall back on), from ``DailySpending``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from budget.models import Budget, DailySpending
from budget.money import ZERO, cents, share_of

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
