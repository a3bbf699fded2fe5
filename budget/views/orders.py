"""Order pages: record an order, list, one order, its second approval, booking its invoice,
cancelling. Thin: parse, call ``budget.orders``, show the refusal, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from budget import access, exceptions
from budget.forms.claims import OrderBookForm, OrderForm, ReasonForm
from budget.money import format_eur
from budget.services import orders
from budget.views.receipt_forms import send_with_receipt


@login_required
@require_safe
def order_list(request, budget_id):
    budget = access.get_budget_for(request.user, budget_id, access.VIEW_ORDERS)
    rows = budget.orders.select_related("category", "created_by", "expense").order_by("-number")
    return render(
        request,
        "budget/order_list.html",
        {"budget": budget, "orders": rows},
    )


@login_required
@require_http_methods(["GET", "POST"])
def order_new(request, budget_id):
    budget = access.get_budget_for(request.user, budget_id, access.ADD_ORDER)
    form = OrderForm(request.POST or None, budget=budget, initial={"quantity": 1})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = orders.record_order(
                budget=budget,
                category=data["category"],
                supplier=data["supplier"],
                description=data["description"],
                amount=data["amount"],
                quantity=data["quantity"],
                created_by=request.user,
                submission_key=form.one_time_key,
            )
        except exceptions.AlreadyOrdered as exc:
            messages.info(request, exc.message)
            return redirect("budget:order_detail", budget_id=budget.pk, pk=exc.order.pk)
        except exceptions.BookingError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            budget.refresh_from_db()
        else:
            messages.success(
                request,
                _("Bestellung %(reference)s über %(amount)s erfasst und vorgemerkt.")
                % {"reference": order.reference, "amount": format_eur(order.amount)},
            )
            return redirect("budget:order_detail", budget_id=budget.pk, pk=order.pk)
    return render(request, "budget/order_form.html", {"budget": budget, "form": form})


@login_required
@require_safe
def order_detail(request, budget_id, pk):
    budget = access.get_budget_for(request.user, budget_id, access.VIEW_ORDERS)
    order = access.get_order_for(request.user, budget, pk)
    user = request.user
    return render(
        request,
        "budget/order_detail.html",
        {
            "budget": budget,
            "order": order,
            "events": order.events.select_related("actor"),
            "can_book": order.state == order.State.OPEN and access.can_order(user),
            "can_cancel": order.is_open and access.can_order(user),
            "can_approve": order.state == order.State.AWAITING_APPROVAL
            and access.can_approve_orders(user)
            and order.created_by_id != user.pk,
            "cancel_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def order_approve(request, budget_id, pk):
    budget = access.get_budget_for(request.user, budget_id, access.VIEW_ORDERS)
    order = access.get_order_for(request.user, budget, pk, access.APPROVE_ORDER)
    try:
        orders.approve_order(order=order, approver=request.user)
    except exceptions.BookingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Bestellung %(reference)s freigegeben.") % {"reference": order.reference}
        )
    return redirect("budget:order_detail", budget_id=budget.pk, pk=order.pk)


@login_required
@require_POST
def order_cancel(request, budget_id, pk):
    budget = access.get_budget_for(request.user, budget_id, access.ADD_ORDER)
    order = access.get_order_for(request.user, budget, pk, access.ADD_ORDER)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte einen Grund für die Stornierung angeben."))
    else:
        try:
            orders.cancel_order(order=order, actor=request.user, reason=form.cleaned_data["reason"])
        except exceptions.BookingError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Bestellung %(reference)s storniert; %(amount)s sind wieder frei.")
                % {"reference": order.reference, "amount": format_eur(order.amount)},
            )
    return redirect("budget:order_detail", budget_id=budget.pk, pk=order.pk)


@login_required
@require_http_methods(["GET", "POST"])
def order_book(request, budget_id, pk):
    budget = access.get_budget_for(request.user, budget_id, access.ADD_ORDER)
    order = access.get_order_for(request.user, budget, pk, access.ADD_ORDER)
    order.budget = budget
    if request.method != "POST":
        form = OrderBookForm(
            order=order,
            initial={
                "spent_on": timezone.localdate(),
                "payee": order.supplier,
                "description": order.description,
                "amount": order.amount,
                "quantity": order.quantity,
            },
        )
        return render(request, "budget/order_book.html", _book_context(budget, order, form))
    form = OrderBookForm(request.POST, request.FILES, order=order)

    def book(receipt):
        return orders.book_order(
            order=order,
            receipt=receipt,
            created_by=request.user,
            booking_key=form.one_time_key,
            **form.booking_kwargs(),
        )

    def booked(booking):
        messages.success(
            request,
            _("Rechnung zu %(reference)s als Beleg Nr. %(number)s über %(amount)s gebucht.")
            % {
                "reference": order.reference,
                "number": booking.expense.receipt_number,
                "amount": format_eur(booking.expense.amount),
            },
        )
        for warning in booking.warnings:
            messages.warning(request, warning)
        return redirect("budget:expense_detail", budget_id=budget.pk, pk=booking.expense.pk)

    return send_with_receipt(
        request,
        budget=budget,
        form=form,
        submit=book,
        done=booked,
        again=lambda pending: render(
            request, "budget/order_book.html", _book_context(budget, order, form, pending)
        ),
        already=exceptions.AlreadyBooked,
        show_earlier=lambda exc: redirect(
            "budget:expense_detail", budget_id=budget.pk, pk=exc.expense.pk
        ),
    )


def _book_context(budget, order, form, pending=None):
    return {"budget": budget, "order": order, "form": form, "pending": pending}
