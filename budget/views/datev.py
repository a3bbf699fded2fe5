"""The DATEV export page and the Buchungsstapel download (treasurer, director, auditor).

The download answers with the file or, when something is missing, with the export page that says
what (400 for a bad date range, 409 while the settings or an account are missing) — never a file
DATEV would refuse. Without any range it sends the user to the export page.
"""

from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from budget import access
from budget.models.datev import DatevSettings
from budget.reports import datev
from budget.views.files import download_headers


def _page(request, budget, settings, form, problems, status=200):
    return render(
        request,
        "budget/datev_export.html",
        {
            "budget": budget,
            "settings": settings,
            "form": form,
            "problems": problems,
            "categories": budget.categories.all(),
        },
        status=status,
    )


@login_required
@require_safe
def budget_datev(request, budget_id):
    budget = access.get_budget_for(request.user, budget_id, access.EXPORT)
    settings = DatevSettings.load()
    start, end = datev.default_range(budget, settings, timezone.localdate())
    form = datev.DatevRangeForm(settings=settings, initial={"from": start, "to": end})
    problems = _settings_problems(settings) or datev.problems(
        datev.Batch(budget=budget, settings=settings, start=start, end=end)
    )
    return _page(request, budget, settings, form, problems)


@login_required
@require_safe
def budget_export_datev(request, budget_id):
    budget = access.get_budget_for(request.user, budget_id, access.EXPORT)
    if "from" not in request.GET and "to" not in request.GET:
        # No range asked for: the export page proposes one.
        return redirect("budget:budget_datev", budget_id=budget.pk)
    settings = DatevSettings.load()
    form = datev.DatevRangeForm(request.GET, settings=settings)
    if not form.is_valid():
        return _page(request, budget, settings, form, _settings_problems(settings), status=400)
    missing = _settings_problems(settings)
    if missing:
        return _page(request, budget, settings, form, missing, status=409)
    batch = datev.Batch(
        budget=budget,
        settings=settings,
        start=form.cleaned_data["from"],
        end=form.cleaned_data["to"],
    )
    problems = datev.problems(batch)
    if problems:
        return _page(request, budget, settings, form, problems, status=409)
    user = request.user.get_full_name() or request.user.get_username()
    response = StreamingHttpResponse(
        datev.file_chunks(batch, exported_by=user), content_type="text/csv; charset=windows-1252"
    )
    return download_headers(response, batch.filename)


def _settings_problems(settings) -> list[str]:
    if settings is None:
        return [
            _(
                "Es gibt noch keine DATEV-Einstellungen (Beraternummer, Mandantennummer, "
                "Gegenkonto …). Eine Person mit Zugang zur Verwaltung legt sie unter "
                "„DATEV-Einstellungen“ an."
            )
        ]
    return []
