"""How fast can the Excel export be written: openpyxl's write-only mode, xlsxwriter's
constant_memory mode, and the app's own row-by-row writer (``budget.reports.xlsx``)? All three write
the
same workbook from the big budget (100,000 expenses) of the ``make bench`` database, each in a
fresh process; the script prints time and peak memory.

    .venv/bin/python bench/xlsx_engines.py       # after bench/dashboard.py built its database

xlsxwriter was about twice as fast as openpyxl, but both stayed above the 10 s target (quiet
machine, 1 December 2026: openpyxl 22.1 s, xlsxwriter 11.0 s, the app's writer 3.3 s), so the app
writes the sheet XML itself. ``write_openpyxl`` is the app's former implementation,
``write_xlsxwriter`` the candidate that replaced it first; both are kept here as yardsticks.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

import xlsxwriter
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dashboard  # noqa: E402  (bench/dashboard.py: the same database set-up)

exports = None  # budget.reports.exports, once Django is set up
ENGINES = ["openpyxl", "xlsxwriter", "app"]


def _(text):
    return exports._(text)


def _cell(sheet, value, number_format: str | None = None, bold: bool = False):
    cell = WriteOnlyCell(sheet, value=value)
    if number_format:
        cell.number_format = number_format
    if bold:
        cell.font = Font(bold=True)
    return cell


def _header_row(sheet, titles):
    return [_cell(sheet, title, bold=True) for title in titles]


def _xlsx_text(sheet, value: str):
    """Text stays text: openpyxl would store a string starting with "=" as a formula. In a typed
    string cell ``+``, ``-`` and ``@`` are harmless, so no apostrophe is needed here. Control
    characters (which the booking refuses, but older data or admin-typed names might hold) are
    dropped, since the file format cannot hold them at all."""
    if value:
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def write_openpyxl(budget, categories, target) -> None:
    """Write the workbook to the binary file ``target``: an "Ausgaben" sheet with one row per
    expense or reversal and a totals row, and a "Kategorien" sheet with the per-category summary."""
    workbook = Workbook(write_only=True)

    sheet = workbook.create_sheet(_("Ausgaben"))
    widths = [10, 9, 12, 28, 40, 22, 8, 14, 10, 18, 17, 12, 12]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append(_header_row(sheet, exports.headers()))
    total = exports.ZERO
    quantity = 0
    for row in exports.ledger_rows(budget):
        total += row.amount
        quantity += row.quantity
        sheet.append(
            [
                row.receipt_number,
                row.kind,
                _cell(sheet, row.day, exports.DATE_FORMAT),
                _xlsx_text(sheet, row.payee),
                _xlsx_text(sheet, row.description),
                _xlsx_text(sheet, row.category),
                row.quantity,
                _cell(sheet, row.amount, exports.EURO_FORMAT),
                row.has_file,
                _xlsx_text(sheet, row.booked_by),
                _cell(sheet, row.booked_at, exports.DATETIME_FORMAT),
                row.reversal_of,
                _cell(sheet, row.reversed_on, exports.DATE_FORMAT) if row.reversed_on else None,
            ]
        )
    # The total is written as a number, not a formula, so that every reader sees it.
    sheet.append(
        [
            _cell(sheet, _("Summe (netto)"), bold=True),
            None,
            None,
            None,
            None,
            None,
            _cell(sheet, quantity, bold=True),
            _cell(sheet, exports.cents(total), exports.EURO_FORMAT, bold=True),
        ]
    )

    summary = workbook.create_sheet(_("Kategorien"))
    for index, width in enumerate([26, 14, 14, 14, 12, 10, 12, 14], start=1):
        summary.column_dimensions[get_column_letter(index)].width = width
    summary.append(
        _header_row(
            summary,
            [
                _("Kategorie"),
                _("Plan"),
                _("ausgegeben"),
                _("Rest zum Plan"),
                _("Anteil an den Ausgaben"),
                _("Menge"),
                _("Höchstmenge"),
                _("über Plan"),
            ],
        )
    )
    for line in categories:
        category = line.category
        summary.append(
            [
                _xlsx_text(summary, category.name),
                _cell(summary, category.planned, exports.EURO_FORMAT) if category.planned else None,
                _cell(summary, category.spent, exports.EURO_FORMAT),
                _cell(summary, category.remaining_plan, exports.EURO_FORMAT)
                if category.planned
                else None,
                _cell(summary, line.share_of_spent / 100, "0.0 %"),
                category.quantity,
                category.quantity_cap,
                _("ja") if category.is_over_plan else "",
            ]
        )
    summary.append([])
    for label, value in [
        (_("Obergrenze"), budget.cap),
        (_("ausgegeben"), budget.spent),
        (_("verbleibend"), budget.remaining),
    ]:
        summary.append(
            [_cell(summary, label, bold=True), _cell(summary, value, exports.EURO_FORMAT)]
        )
    workbook.save(target)


def write_xlsxwriter(budget, categories, target) -> None:
    """Write the workbook to the binary file ``target``: an "Ausgaben" sheet with one row per
    expense or reversal and a totals row, and a "Kategorien" sheet with the per-category summary.

    xlsxwriter's ``constant_memory`` mode flushes every row to a temporary file as soon as the
    next one starts: memory stays flat at 100,000 rows, and it is several times faster than
    openpyxl's write-only mode (bench/dashboard.py measures both figures).
    """
    workbook = xlsxwriter.Workbook(
        target, {"constant_memory": True, "tmpdir": tempfile.gettempdir()}
    )
    bold = workbook.add_format({"bold": True})
    euro = workbook.add_format({"num_format": exports.EURO_FORMAT})
    euro_bold = workbook.add_format({"num_format": exports.EURO_FORMAT, "bold": True})
    date = workbook.add_format({"num_format": exports.DATE_FORMAT})
    stamp = workbook.add_format({"num_format": exports.DATETIME_FORMAT})
    percent = workbook.add_format({"num_format": "0.0 %"})

    sheet = workbook.add_worksheet(_("Ausgaben"))
    for index, width in enumerate([10, 9, 12, 28, 40, 22, 8, 14, 10, 18, 17, 12, 12]):
        sheet.set_column(index, index, width)
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, 0, exports.headers(), bold)
    total = exports.ZERO
    quantity = 0
    number = 0
    for number, row in enumerate(exports.ledger_rows(budget), start=1):
        total += row.amount
        quantity += row.quantity
        if row.receipt_number is not None:
            sheet.write_number(number, 0, row.receipt_number)
        sheet.write_string(number, 1, row.kind)
        sheet.write_datetime(number, 2, row.day, date)
        sheet.write_string(number, 3, exports.xlsx.clean_text(row.payee))
        sheet.write_string(number, 4, exports.xlsx.clean_text(row.description))
        sheet.write_string(number, 5, exports.xlsx.clean_text(row.category))
        sheet.write_number(number, 6, row.quantity)
        sheet.write_number(number, 7, row.amount, euro)
        sheet.write_string(number, 8, row.has_file)
        sheet.write_string(number, 9, exports.xlsx.clean_text(row.booked_by))
        sheet.write_datetime(number, 10, row.booked_at, stamp)
        if row.reversal_of is not None:
            sheet.write_number(number, 11, row.reversal_of)
        if row.reversed_on:
            sheet.write_datetime(number, 12, row.reversed_on, date)
    # The total is written as a number, not a formula, so that every reader sees it.
    last = number + 1
    sheet.write_string(last, 0, _("Summe (netto)"), bold)
    sheet.write_number(last, 6, quantity, bold)
    sheet.write_number(last, 7, exports.cents(total), euro_bold)

    summary = workbook.add_worksheet(_("Kategorien"))
    for index, width in enumerate([26, 14, 14, 14, 12, 10, 12, 14]):
        summary.set_column(index, index, width)
    summary.write_row(
        0,
        0,
        [
            _("Kategorie"),
            _("Plan"),
            _("ausgegeben"),
            _("Rest zum Plan"),
            _("Anteil an den Ausgaben"),
            _("Menge"),
            _("Höchstmenge"),
            _("über Plan"),
        ],
        bold,
    )
    row_number = 0
    for row_number, line in enumerate(categories, start=1):
        category = line.category
        summary.write_string(row_number, 0, exports.xlsx.clean_text(category.name))
        if category.planned:
            summary.write_number(row_number, 1, category.planned, euro)
        summary.write_number(row_number, 2, category.spent, euro)
        if category.planned:
            summary.write_number(row_number, 3, category.remaining_plan, euro)
        summary.write_number(row_number, 4, line.share_of_spent / 100, percent)
        summary.write_number(row_number, 5, category.quantity)
        if category.quantity_cap is not None:
            summary.write_number(row_number, 6, category.quantity_cap)
        if category.is_over_plan:
            summary.write_string(row_number, 7, _("ja"))
    for offset, (label, value) in enumerate(
        [
            (_("Obergrenze"), budget.cap),
            (_("ausgegeben"), budget.spent),
            (_("verbleibend"), budget.remaining),
        ],
        start=row_number + 2,
    ):
        summary.write_string(offset, 0, label, bold)
        summary.write_number(offset, 1, value, euro)
    workbook.close()


def child(engine: str, budget_id: int) -> None:
    from budget.models import Budget
    from budget.reports import dashboard as reports

    budget = Budget.objects.get(pk=budget_id)
    categories = reports.category_lines(budget)
    write = {
        "openpyxl": write_openpyxl,
        "xlsxwriter": write_xlsxwriter,
        "app": exports.write_xlsx,
    }[engine]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with tempfile.TemporaryFile() as target:
        write(budget, categories, target)
        size = target.tell()
    seconds = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"seconds={seconds:.2f} bytes={size} rss_peak_mb={rss / 1024:.1f}")
    print(f"rss_growth_mb={(rss - rss_before) / 1024:.1f}")


def main() -> int:
    global exports
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--engine", choices=["openpyxl", "xlsxwriter", "app"], help=argparse.SUPPRESS
    )
    parser.add_argument("--budget", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    dashboard.configure(fresh=False)
    from budget.reports import exports as module

    exports = module
    if args.engine:
        child(args.engine, args.budget)
        return 0
    from budget.models import Budget

    budget = Budget.objects.get(name=f"Bench {dashboard.BIG}")
    print(f"Excel-Export von {budget.active_expense_count + budget.reversal_count} Ausgaben:")
    for engine in ENGINES:
        output = subprocess.run(
            [sys.executable, __file__, "--engine", engine, "--budget", str(budget.pk)],
            check=True,
            capture_output=True,
            text=True,
            env=os.environ,
        ).stdout
        figures = dict(part.split("=", 1) for part in output.split())
        print(
            f"  {engine:10} {figures['seconds']:>6} s, {int(figures['bytes']) / 2**20:.1f} MB,"
            f" Spitze RSS {figures['rss_peak_mb']} MB (Zuwachs {figures['rss_growth_mb']} MB)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
