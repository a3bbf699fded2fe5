"""The yearly overview page and its CSV and Excel downloads (treasurer, director, auditor)."""

import csv
import io
import tempfile
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_safe

from budget import access
from budget.money import german_decimal
from budget.reports import xlsx, yearly
from budget.reports.exports import safe_text
from budget.views.files import XLSX_CONTENT_TYPE, download_headers


class Share(Decimal):
    """A share in percent with one decimal (not money): written as it is, "61,5"."""


def _overview(request, year: int) -> yearly.YearlyOverview:
    access.require(request.user, access.EXPORT)
    if not yearly.FIRST_YEAR <= year <= yearly.LAST_YEAR:
        raise Http404(_("Für dieses Jahr gibt es keine Übersicht."))
    return yearly.overview(year)


@login_required
@require_safe
def yearly_report_current(request):
    access.require(request.user, access.EXPORT)
    return redirect("budget:yearly_report", year=timezone.localdate().year)


@login_required
@require_safe
def yearly_report(request, year):
    overview = _overview(request, year)
    return render(
        request,
        "budget/yearly_report.html",
        {"overview": overview, "previous": year - 1, "next": year + 1},
    )


# --- the two tables as rows -------------------------------------------------------------------


def budget_headers() -> list[str]:
    return [
        _("Beschluss-Nr."),
        _("Beschlussdatum"),
        _("Titel"),
        _("Budget"),
        _("Obergrenze"),
        _("ausgegeben"),
        _("davon im Jahr"),
        _("vorgemerkt"),
        _("noch verfügbar"),
        _("Anteil verbraucht (%)"),
        _("Status"),
    ]


def budget_rows(overview):
    for line in overview.budgets:
        budget = line.budget
        yield [
            line.resolution.reference,
            line.resolution.decided_on,
            line.resolution.title,
            budget.name,
            budget.cap,
            budget.spent,
            line.spent_in_year,
            budget.reserved,
            budget.available,
            Share(budget.share_used),
            _("abgeschlossen") if budget.is_closed else pgettext("Budgetstatus", "offen"),
        ]


def budget_total(overview):
    return [
        _("Summe"),
        None,
        None,
        None,
        overview.cap,
        overview.spent,
        overview.spent_in_year,
        overview.reserved,
        overview.available,
        Share(overview.share),
        None,
    ]


def position_headers() -> list[str]:
    return [
        _("Position"),
        _("Bezeichnung"),
        _("Beschluss-Nr."),
        _("Budget"),
        _("Kategorie"),
        _("Sachkonto"),
        _("im Jahr"),
        _("gesamt"),
    ]


def position_rows(overview):
    """Per position one line per category, then the position's sum."""
    for position in overview.positions:
        for line in position.categories:
            category = line.category
            yield [
                position.code,
                position.label,
                category.budget.resolution.reference,
                category.budget.name,
                category.name,
                category.account,
                line.spent_in_year,
                category.spent,
            ]
        yield [
            position.code,
            _("Summe %(label)s") % {"label": position.label},
            None,
            None,
            None,
            None,
            position.spent_in_year,
            position.spent,
        ]
    yield [
        None,
        _("Gesamtausgaben"),
        None,
        None,
        None,
        None,
        overview.positions_spent_in_year,
        overview.positions_spent,
    ]


# --- CSV --------------------------------------------------------------------------------------


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Share):
        return str(value).replace(".", ",")
    if hasattr(value, "quantize"):
        return german_decimal(value)
    if hasattr(value, "strftime"):
        return value.strftime("%d.%m.%Y")
    return safe_text(str(value))


def _csv_response(headers, rows, filename):
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    response = HttpResponse(
        buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    return download_headers(response, filename)


@login_required
@require_safe
def yearly_report_budgets_csv(request, year):
    overview = _overview(request, year)
    rows = [*budget_rows(overview), budget_total(overview)]
    return _csv_response(budget_headers(), rows, f"jahresuebersicht-{year}-beschluesse.csv")


@login_required
@require_safe
def yearly_report_positions_csv(request, year):
    overview = _overview(request, year)
    return _csv_response(
        position_headers(), position_rows(overview), f"jahresuebersicht-{year}-positionen.csv"
    )


# --- Excel ------------------------------------------------------------------------------------


def _xlsx_cells(row, bold=False):
    """``(value, style)`` per column for ``budget.reports.xlsx``: euros, shares in percent."""
    cells = []
    for value in row:
        if value is None:
            cells.append(None)
        elif isinstance(value, Share):
            cells.append((value / 100, xlsx.PERCENT))
        elif isinstance(value, Decimal):
            cells.append((value, xlsx.EURO_BOLD if bold else xlsx.EURO))
        elif hasattr(value, "strftime"):
            cells.append((value, xlsx.DATE))
        else:
            cells.append((str(value), xlsx.BOLD if bold else xlsx.PLAIN))
    return cells


@login_required
@require_safe
def yearly_report_xlsx(request, year):
    overview = _overview(request, year)
    target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    book = xlsx.Workbook(target)
    sheet = book.add_sheet(
        _("Beschlüsse %(year)s") % {"year": year},
        [12, 14, 40, 28, 14, 14, 14, 14, 14, 12, 14],
        freeze_header=True,
    )
    sheet.append([(title, xlsx.BOLD) for title in budget_headers()])
    for row in budget_rows(overview):
        sheet.append(_xlsx_cells(row))
    sheet.append(_xlsx_cells(budget_total(overview), bold=True))
    sheet.close()

    positions = book.add_sheet(
        _("Positionen %(year)s") % {"year": year},
        [9, 50, 12, 28, 26, 10, 14, 14],
        freeze_header=True,
    )
    positions.append([(title, xlsx.BOLD) for title in position_headers()])
    for row in position_rows(overview):
        positions.append(_xlsx_cells(row, bold=row[2] is None))
    positions.close()
    book.close()
    target.seek(0)
    response = FileResponse(target, content_type=XLSX_CONTENT_TYPE)
    return download_headers(response, f"jahresuebersicht-{year}.xlsx")
