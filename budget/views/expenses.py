"""The treasurer's pages: overview, booking, list, detail, reversal, receipt files.

Views are thin: parse the form, call ``budget.services.booking``, turn a ``BookingError`` into a
form
error, redirect on success. Access is checked by ``budget.access``.
"""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_safe

from budget import access, exceptions, services, thumbnails, uploads
from budget.forms.expenses import ExpenseFilterForm, ExpenseForm, LateReceiptForm, ReversalForm
from budget.models import Budget
from budget.money import format_eur
from budget.services import late_receipts
from budget.views.files import private_file, thumbnail_response
from budget.views.receipt_forms import send_with_receipt

logger = logging.getLogger(__name__)

EXPENSES_PER_PAGE = 50


class CountedPaginator(Paginator):
    """A paginator told its count when it is known, so it does not ask the database."""

    def __init__(self, object_list, per_page, *, count=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        if count is not None:
            self.count = count  # shadows the cached_property


@login_required
@require_safe
def home(request):
    if not access.can_view(request.user) and access.can_submit(request.user):
        return redirect("budget:my_claims")  # a helper's start page: their own claims
    access.require(request.user, access.VIEW)
    budgets = Budget.objects.with_resolution().order_by("is_closed", "-starts_on", "name")
    return render(
        request,
        "budget/budget_list.html",
        {"budgets": budgets},
    )


PAYEE_SUGGESTIONS = 100
PAYEE_LOOKBACK = 500


def payee_suggestions(budget) -> list[str]:
    """This budget's recent payees, most recent first: one indexed query over the last few
    hundred receipts, however long the ledger."""
    recent = budget.expenses.order_by("-receipt_number").values_list("payee", flat=True)
    return list(dict.fromkeys(recent[:PAYEE_LOOKBACK]))[:PAYEE_SUGGESTIONS]


def _booking_context(budget, form, pending=None):
    categories = list(budget.categories.all())
    return {
        "budget": budget,
        "form": form,
        "categories": categories,
        "selected_category": form.selected_category(categories),
        "payees": payee_suggestions(budget),
        "pending": pending,
    }


@login_required
@require_http_methods(["GET", "POST"])
def expense_new(request, budget_id):
    budget = access.get_budget_for(request.user, budget_id, access.BOOK)
    if request.method != "POST":
        form = ExpenseForm(budget=budget, initial={"quantity": 1, "spent_on": timezone.localdate()})
        return render(request, "budget/expense_form.html", _booking_context(budget, form))

    form = ExpenseForm(request.POST, request.FILES, budget=budget)

    def book(receipt):
        return services.record_expense(
            budget=budget,
            receipt=receipt,
            created_by=request.user,
            booking_key=form.one_time_key,
            **form.booking_kwargs(),
        )

    def booked(booking):
        expense = booking.expense
        budget.refresh_from_db(fields=["spent"])
        messages.success(
            request,
            _("Beleg Nr. %(number)s über %(amount)s gebucht. Noch verfügbar: %(remaining)s.")
            % {
                "number": expense.receipt_number,
                "amount": format_eur(expense.amount),
                "remaining": format_eur(budget.remaining),
            },
        )
        for warning in booking.warnings:
            messages.warning(request, warning)
        return redirect("budget:expense_detail", budget_id=budget.pk, pk=expense.pk)

    return send_with_receipt(
        request,
        budget=budget,
        form=form,
        submit=book,
        done=booked,
        again=lambda pending: render(
            request, "budget/expense_form.html", _booking_context(budget, form, pending)
        ),
        already=exceptions.AlreadyBooked,
        show_earlier=lambda exc: redirect(
            "budget:expense_detail", budget_id=budget.pk, pk=exc.expense.pk
        ),
    )


@login_required
@require_safe
def pending_receipt_thumbnail(request, budget_id, token):
    budget = access.get_budget_for(request.user, budget_id, access.BOOK)
    pending = uploads.find(token, owner=request.user, budget=budget)
    if pending is None or not pending.is_image:
        raise Http404(_("Diesen vorläufigen Beleg gibt es nicht (mehr)."))
    return thumbnail_response(pending.file, thumbnails.LARGE)


@login_required
@require_safe
def expense_list(request, budget_id):
    budget = access.get_budget_for(request.user, budget_id)
    filters = ExpenseFilterForm(request.GET or None, budget=budget)
    expenses = filters.filter(budget.expenses.all())
    totals = _listing_totals(budget, filters, expenses)
    # The paginator is told the count, so it runs no COUNT(*) of its own.
    page = CountedPaginator(
        expenses.for_listing().order_by("-receipt_number"),
        EXPENSES_PER_PAGE,
        count=totals["count"] + totals["reversed"],
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "budget/expense_list.html",
        {
            "budget": budget,
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "totals": totals,
        },
    )


def _listing_totals(budget, filters, expenses) -> dict:
    """Valid expenses and their sum, reversals apart (counted like the dashboard), without an
    aggregate over the whole history where the running totals already know the answer: the
    budget's counters for the whole list, the category's for one category."""
    if not filters.narrows():
        return {
            "count": budget.active_expense_count,
            "total": budget.spent,
            "reversed": budget.reversal_count,
        }
    category = filters.only_category()
    if category is not None:
        return {
            "count": category.active_expense_count,
            "total": category.spent,
            "reversed": category.reversal_count,
        }
    return expenses.listing_totals()


@login_required
@require_safe
def expense_detail(request, budget_id, pk):
    budget = access.get_budget_for(request.user, budget_id)
    expense = access.get_expense_for(request.user, budget, pk)
    return render(
        request,
        "budget/expense_detail.html",
        {
            "budget": budget,
            "expense": expense,
            "can_reverse": access.can_reverse(request.user) and not expense.is_reversed,
            "can_attach_receipt": access.can_book(request.user)
            and not expense.has_receipt
            and not budget.is_closed,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def expense_attach_receipt(request, budget_id, pk):
    budget = access.get_budget_for(request.user, budget_id, access.BOOK)
    expense = access.get_expense_for(request.user, budget, pk, access.BOOK)
    if expense.has_receipt:
        messages.info(
            request,
            exceptions.ReceiptAlreadyPresent(receipt_number=expense.receipt_number).message,
        )
        return redirect("budget:expense_detail", budget_id=budget.pk, pk=expense.pk)
    form = LateReceiptForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if request.method == "POST" and form.is_valid():
        try:
            late_receipts.attach_receipt(
                expense=expense, receipt=form.cleaned_data["receipt"], created_by=request.user
            )
        except exceptions.ReceiptAlreadyPresent as exc:
            messages.info(request, exc.message)
        except exceptions.BookingError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("Die Belegdatei zu Beleg Nr. %(number)s wurde nachgereicht.")
                % {"number": expense.receipt_number},
            )
            return redirect("budget:expense_detail", budget_id=budget.pk, pk=expense.pk)
        if not form.errors:
            return redirect("budget:expense_detail", budget_id=budget.pk, pk=expense.pk)
    return render(
        request,
        "budget/expense_attach_receipt.html",
        {"budget": budget, "expense": expense, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def expense_reverse(request, budget_id, pk):
    budget = access.get_budget_for(request.user, budget_id, access.REVERSE)
    expense = access.get_expense_for(request.user, budget, pk, access.REVERSE)
    form = ReversalForm(request.POST or None)
    # A sent form goes to the service even for a reversed expense: it tells a resend of the
    # same form (answered calmly) from a second reversal (refused).
    if request.method == "POST" and form.is_valid():
        try:
            services.reverse_expense(
                expense=expense,
                reason=form.cleaned_data["reason"],
                created_by=request.user,
                booking_key=form.one_time_key,
            )
        except exceptions.ReversalAlreadyBooked as exc:
            messages.info(request, exc.message)
        except exceptions.BookingError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Beleg Nr. %(number)s storniert; %(amount)s stehen wieder zur Verfügung.")
                % {"number": expense.receipt_number, "amount": format_eur(expense.amount)},
            )
        return redirect("budget:expense_detail", budget_id=budget.pk, pk=expense.pk)
    if expense.is_reversed:
        messages.error(
            request, exceptions.AlreadyReversed(receipt_number=expense.receipt_number).message
        )
        return redirect("budget:expense_detail", budget_id=budget.pk, pk=expense.pk)
    return render(
        request, "budget/expense_reverse.html", {"budget": budget, "expense": expense, "form": form}
    )


@login_required
@require_safe
@xframe_options_sameorigin
def expense_receipt(request, budget_id, pk):
    budget = access.get_budget_for(request.user, budget_id)
    expense = access.get_expense_for(request.user, budget, pk)
    receipt = expense.receipt_file
    if receipt is None:
        raise Http404(_("Zu dieser Ausgabe gibt es keine Belegdatei."))
    return private_file(
        receipt.file,
        receipt.download_name,
        receipt.content_type or "application/octet-stream",
        as_attachment="download" in request.GET,
    )


@login_required
@require_safe
def expense_thumbnail(request, budget_id, pk, size):
    budget = access.get_budget_for(request.user, budget_id)
    expense = access.get_expense_for(request.user, budget, pk)
    receipt = expense.receipt_file
    if receipt is None or not receipt.is_image or size not in thumbnails.SIZES:
        raise Http404(_("Für diese Ausgabe gibt es keine Vorschau."))
    return thumbnail_response(receipt.file, thumbnails.SIZES[size])
