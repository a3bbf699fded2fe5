"""Closing a budget (director or admin) and reopening it (admins only, with a reason).

Both are a confirmation page (GET) and a POST; the change itself is ``budget.services.closing``.
The closing page says before anything is sent what is still open and keeps the budget from
closing until it is settled.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from budget import access, exceptions
from budget.exceptions import BookingError
from budget.forms.expenses import CloseBudgetForm, ReopenBudgetForm
from budget.services import closing


@login_required
@require_http_methods(["GET", "POST"])
def budget_close(request, budget_id):
    budget = access.get_budget_for(request.user, budget_id, access.CLOSE)
    if budget.is_closed:
        # A second send of the form, or a stale tab: say so calmly.
        messages.info(request, exceptions.BudgetAlreadyClosed(budget=budget).message)
        return redirect("budget:budget_dashboard", budget_id=budget.pk)
    form = CloseBudgetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            closing.close_budget(
                budget=budget, closed_by=request.user, note=form.cleaned_data["note"]
            )
        except exceptions.BudgetAlreadyClosed as exc:
            messages.info(request, exc.message)
        except exceptions.BudgetStillOpen as exc:
            return _close_page(request, budget, form, still_open=exc)
        except BookingError as exc:
            form.add_error("note", exc.message)
            return _close_page(request, budget, form)
        else:
            messages.success(
                request,
                _("Das Budget „%(budget)s“ ist abgeschlossen; es nimmt keine Buchungen mehr an.")
                % {"budget": budget.name},
            )
        return redirect("budget:budget_dashboard", budget_id=budget.pk)
    return _close_page(request, budget, form)


def _close_page(request, budget, form, still_open=None):
    if still_open is None:
        items = closing.open_items(budget)
        still_open = items.refusal() if items else None
    return render(
        request,
        "budget/budget_close.html",
        {
            "budget": budget,
            "form": form,
            "still_open": still_open.message if still_open else "",
            "show_lists": access.can_see_claims(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def budget_reopen(request, budget_id):
    budget = access.get_budget_for(request.user, budget_id)
    if not access.can_reopen(request.user):
        raise PermissionDenied
    if not budget.is_closed:
        messages.info(request, exceptions.BudgetNotClosed(budget=budget).message)
        return redirect("budget:budget_dashboard", budget_id=budget.pk)
    form = ReopenBudgetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            closing.reopen_budget(
                budget=budget, reopened_by=request.user, reason=form.cleaned_data["reason"]
            )
        except exceptions.BudgetNotClosed as exc:
            messages.info(request, exc.message)
        except BookingError as exc:
            form.add_error("reason", exc.message)
            return render(request, "budget/budget_reopen.html", {"budget": budget, "form": form})
        else:
            messages.success(
                request,
                _("Das Budget „%(budget)s“ ist wieder geöffnet und nimmt Buchungen an.")
                % {"budget": budget.name},
            )
        return redirect("budget:budget_dashboard", budget_id=budget.pk)
    return render(request, "budget/budget_reopen.html", {"budget": budget, "form": form})
