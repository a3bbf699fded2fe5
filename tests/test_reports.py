import datetime
from decimal import Decimal

import pytest

from budget.models import Budget
from budget.reports import charts
from budget.reports import dashboard as reports
from budget.reports import statement as statement_of_use
from budget.services import reverse_expense

D = Decimal


@pytest.mark.parametrize(
    ("spent", "level"),
    [
        ("0.00", "ok"),
        ("1999.99", "ok"),
        ("2000.00", "warning"),
        ("2374.99", "warning"),
        ("2375.00", "danger"),
        ("2500.00", "danger"),
    ],
)
def test_progress_level_thresholds_are_exact(spent, level):
    assert charts.progress_level(D(spent), D("2500.00")) == level


def test_share_is_cut_not_rounded_so_it_matches_the_colour():
    assert reports.share_of(D("1999.75"), D("2500.00")) == D("79.9")
    assert reports.share_of(D("2000.00"), D("2500.00")) == D("80.0")
    assert reports.share_of(D("1"), D("0")) == D("0.0")


def test_bar_percent_is_a_whole_number_within_0_and_100():
    assert charts.bar_percent(D("1999.75"), D("2500.00")) == 79
    assert charts.bar_percent(D("3"), D("2")) == 100
    assert charts.bar_percent(D("1"), D("0")) == 0
    assert charts.bar_percent(D("1"), None) == 0


def test_chart_nets_reversals_on_the_original_day(budget, category, book, treasurer):
    book(category, "100.00", spent_on=datetime.date(2024, 1, 10))
    wrong = book(category, "40.00", spent_on=datetime.date(2024, 1, 12)).expense
    book(category, "60.00", spent_on=datetime.date(2024, 1, 12))
    only = book(category, "5.00", spent_on=datetime.date(2024, 1, 20)).expense
    reverse_expense(expense=wrong, reason="falsch", created_by=treasurer)
    reverse_expense(expense=only, reason="falsch", created_by=treasurer)
    budget.refresh_from_db()

    chart = charts.spending_chart(budget, today=datetime.date(2024, 3, 1))

    assert chart.days == [
        (datetime.date(2024, 1, 10), D("100.00")),
        (datetime.date(2024, 1, 12), D("160.00")),
    ]  # 20 January netted to zero and dropped
    assert chart.total == budget.spent == D("160.00")
    # No end date: the axis ends a margin (here the minimum, 7 days) after the last booking,
    # not on "today".
    assert (chart.start, chart.end) == (budget.starts_on, datetime.date(2024, 1, 19))
    assert [(row.label, row.spent, row.cumulative) for row in chart.rows] == [
        ("10.01.2024", D("100.00"), D("100.00")),
        ("12.01.2024", D("60.00"), D("160.00")),
    ]


def test_chart_line_steps_up_on_booking_days_and_runs_to_the_period_end(budget, category, book):
    Budget.objects.filter(pk=budget.pk).update(
        starts_on=datetime.date(2024, 1, 1), ends_on=datetime.date(2024, 1, 10), cap=D("1000.00")
    )
    book(category, "540.00", spent_on=datetime.date(2024, 1, 3))
    budget.refresh_from_db()

    chart = charts.spending_chart(budget)

    assert chart.width == 10
    assert chart.y_max == D("1080.0000")
    # 540 of 1080 is half the height; the cap line sits at 1000/1080.
    assert chart.line_points == "0,100.0 2,100.0 2,50.0 10,50.0"
    assert chart.cap_y == "7.4"


def test_busy_periods_of_a_few_months_are_tabled_by_week(budget, category, book):
    Budget.objects.filter(pk=budget.pk).update(
        starts_on=datetime.date(2024, 1, 1), ends_on=datetime.date(2024, 4, 21)
    )
    for day in range(40):
        book(category, "1.00", spent_on=datetime.date(2024, 1, 1) + datetime.timedelta(days=day))
    budget.refresh_from_db()

    chart = charts.spending_chart(budget)

    assert chart.granularity == "week"
    assert len(chart.rows) == 6  # 40 days from a Monday: five full weeks and five days
    assert chart.rows[0].label == "KW 1/2024 (01.01.2024–07.01.2024)"
    assert chart.rows[0].spent == D("7.00")
    assert chart.rows[-1].cumulative == D("40.00")


def test_longer_busy_periods_are_tabled_by_month(budget, category, book):
    Budget.objects.filter(pk=budget.pk).update(
        starts_on=datetime.date(2024, 1, 1), ends_on=datetime.date(2024, 4, 22)
    )
    for day in range(0, 64, 2):
        book(category, "2.00", spent_on=datetime.date(2024, 1, 1) + datetime.timedelta(days=day))
    budget.refresh_from_db()

    chart = charts.spending_chart(budget)

    assert chart.granularity == "month"
    assert [row.label for row in chart.rows] == ["Januar 2024", "Februar 2024", "März 2024"]
    assert [row.spent for row in chart.rows] == [D("32.00"), D("28.00"), D("4.00")]


def test_summary_reads_the_running_totals(budget, headsets, category, book, treasurer):
    book(headsets, "140.00", quantity=7)
    cancelled = book(category, "10.00").expense
    reverse_expense(expense=cancelled, reason="falsch", created_by=treasurer)
    budget = Budget.objects.with_resolution().get(pk=budget.pk)

    data = reports.summary(budget)

    assert data["spent"] == "140.00"
    assert data["remaining"] == "2360.00"
    assert data["resolution"] == budget.resolution.reference
    by_name = {c["name"]: c for c in data["categories"]}
    assert by_name["Headsets"]["quantity"] == 7
    assert by_name["Verpflegung"]["spent"] == "0.00"


def test_statement_adds_up(budget, category, headsets, book, treasurer):
    book(category, "100.00")
    book(headsets, "20.50", quantity=1)
    cancelled = book(category, "9.99").expense
    reverse_expense(expense=cancelled, reason="falsch", created_by=treasurer)
    budget = Budget.objects.with_resolution().get(pk=budget.pk)

    statement = statement_of_use.statement(budget)

    assert [e.receipt_number for e in statement.expenses] == [1, 2, 3]
    assert [e.receipt_number for e in statement.reversed] == [3]
    assert statement.booked_total == D("130.49")
    assert statement.reversed_total == D("9.99")
    assert statement.booked_total - statement.reversed_total == statement.spent == D("120.50")
    assert statement.remaining == D("2379.50")


def test_busy_years_are_drawn_in_weekly_steps(budget):
    chart = charts.SpendingChart(
        start=datetime.date(2024, 1, 1),
        end=datetime.date(2024, 12, 31),
        cap=D("1000.00"),
        total=D("200.00"),
        days=[
            (datetime.date(2024, 1, 1) + datetime.timedelta(days=n), D(n + 1)) for n in range(200)
        ],
    )
    assert len(chart.steps) == 29  # 200 days from a Monday: 28 full weeks and four days
    assert chart.steps[0] == (datetime.date(2024, 1, 7), D(7))  # a week's last day and total
    assert chart.steps[-1] == chart.days[-1]
    assert chart.line_points.count(" ") == 2 * 29 + 1


def test_chart_axis_runs_over_the_budget_period_when_it_has_an_end(budget, category, book):
    Budget.objects.filter(pk=budget.pk).update(ends_on=datetime.date(2024, 6, 30))
    book(category, "10.00", spent_on=datetime.date(2024, 1, 10))
    budget.refresh_from_db()
    chart = charts.spending_chart(budget, today=datetime.date(2027, 1, 1))
    assert (chart.start, chart.end) == (datetime.date(2023, 11, 24), datetime.date(2024, 6, 30))


def test_chart_margin_is_a_tenth_of_the_span_past_the_last_booking(budget, category, book):
    book(category, "10.00", spent_on=datetime.date(2024, 11, 23))  # 365 days after the start
    budget.refresh_from_db()
    chart = charts.spending_chart(budget, today=datetime.date(2027, 1, 1))
    assert chart.end == datetime.date(2024, 11, 23) + datetime.timedelta(days=36)


def test_empty_chart_without_end_shows_a_month_from_the_start(budget):
    chart = charts.spending_chart(budget, today=datetime.date(2027, 1, 1))
    assert chart.end == budget.starts_on + datetime.timedelta(days=30)


def test_y_axis_ticks_are_zero_half_and_the_cap(budget):
    chart = charts.spending_chart(budget)
    assert chart.y_ticks == [D("0.00"), D("1250.00"), D("2500.00")]


def test_category_bars_measure_against_the_plan_or_the_cap(budget, category, headsets, book):
    from budget.models import Category

    Category.objects.filter(pk=category.pk).update(planned=D("200.00"))
    book(category, "150.00")
    book(headsets, "250.00", quantity=15)
    budget.refresh_from_db()
    lines = {line.category.name: line for line in reports.category_lines(budget)}
    food, sets = lines["Verpflegung"], lines["Headsets"]
    assert (food.against_plan, food.share, food.bar, food.level) == (True, D("75.0"), 75, "ok")
    assert (sets.against_plan, sets.share, sets.bar) == (False, D("10.0"), 10)
    assert sets.quantity_exhausted and not food.quantity_exhausted
