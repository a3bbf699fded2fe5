"""The director's pages: dashboard, ``summary.json``, CSV/Excel exports, statement of use (HTML
and PDF). They only read; the figures come from ``budget.reports.dashboard`` and ``statement``,
the files from ``budget.reports.exports``. Dashboard and summary need the view permission,
exports and the statement the export permission (treasurer and director hold both).
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from budget import access
from budget.reports import audit, exports
from budget.reports import dashboard as reports
from budget.reports import statement as statement_of_use
from budget.views.files import XLSX_CONTENT_TYPE, download_headers


@login_required
@require_safe
def budget_dashboard(request, budget_id):
    budget = access.get_budget_for(request.user, budget_id)
    return render(
        request,
        "budget/budget_dashboard.html",
        {
            "budget": budget,
            "dashboard": reports.dashboard(budget),
        },
    )


@login_required
@require_safe
def budget_history(request, budget_id):
    """Who changed the budget, its categories or its resolution, when, old → new."""
    budget = access.get_budget_for(request.user, budget_id)
    return render(
        request,
        "budget/budget_history.html",
        {"budget": budget, "entries": audit.budget_history(budget)},
    )


@login_required
@require_safe
def budget_summary(request, budget_id):
    budget = access.get_budget_for(request.user, budget_id)
    response = JsonResponse(reports.summary(budget), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, max-age=0, no-store"
    return response


@login_required
@require_safe
def budget_export_csv(request, budget_id):
    budget = access.get_budget_for(request.user, budget_id, access.EXPORT)
    response = StreamingHttpResponse(
        exports.csv_chunks(budget), content_type="text/csv; charset=utf-8"
    )
    return download_headers(response, exports.filename(budget, "ausgaben.csv"))


@login_required
@require_safe
def budget_export_xlsx(request, budget_id):
    budget = access.get_budget_for(request.user, budget_id, access.EXPORT)
    handle = exports.xlsx_file(budget, reports.category_lines(budget))
    response = FileResponse(handle, content_type=XLSX_CONTENT_TYPE)
    return download_headers(response, exports.filename(budget, "ausgaben.xlsx"))


@login_required
@require_safe
def budget_statement(request, budget_id):
    budget = access.get_budget_for(request.user, budget_id, access.EXPORT)
    return render(
        request,
        "budget/statement.html",
        {"budget": budget, "statement": statement_of_use.statement(budget)},
    )


@login_required
@require_safe
def budget_statement_pdf(request, budget_id):
    # Imported here: WeasyPrint loads Pango and fonts, which no other page needs.
    from budget.reports.pdf import html_to_pdf

    budget = access.get_budget_for(request.user, budget_id, access.EXPORT)
    html = render_to_string(
        "budget/statement_pdf.html",
        {"budget": budget, "statement": statement_of_use.statement(budget)},
        request=request,
    )
    pdf = html_to_pdf(html, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    return download_headers(response, exports.filename(budget, "verwendungsnachweis.pdf"))
