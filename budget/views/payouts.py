"""Payout pages: the paying account, approved claims to pay, batches, the SEPA file, paid."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from budget import access, exceptions
from budget.forms.claims import PaidForm, PayoutAccountForm
from budget.forms.one_time_keys import OneTimeKeyField
from budget.models import Claim, PayoutAccount, format_iban
from budget.money import format_eur
from budget.services import payouts
from budget.views.files import download_headers


@login_required
@require_http_methods(["GET", "POST"])
def payout_account(request, budget_id):
    budget = access.get_budget_for(request.user, budget_id, access.CHANGE_ACCOUNT)
    account = PayoutAccount.objects.filter(budget=budget).first()
    initial = (
        {
            "account_holder": account.account_holder,
            "iban": format_iban(account.iban),
            "bic": account.bic,
        }
        if account
        else {}
    )
    form = PayoutAccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            payouts.save_account(budget=budget, user=request.user, **form.cleaned_data)
        except exceptions.BookingError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Auszahlungskonto gespeichert."))
            return redirect("budget:payout_list", budget_id=budget.pk)
    history = account.history.all()[:20] if account and hasattr(account, "history") else []
    return render(
        request,
        "budget/payout_account.html",
        {"budget": budget, "form": form, "account": account, "history": history},
    )


@login_required
@require_http_methods(["GET", "POST"])
def payout_list(request, budget_id):
    budget = access.get_budget_for(request.user, budget_id, access.VIEW_PAYOUTS)
    if request.method == "POST":
        access.require(request.user, access.ADD_PAYOUT)
        key = OneTimeKeyField().clean(request.POST.get("one_time_key"))
        chosen = request.POST.getlist("claims")
        try:
            ids = [int(value) for value in chosen] if chosen else None
        except ValueError:
            ids = []
        try:
            batch = payouts.create_batch(
                budget=budget, created_by=request.user, claim_ids=ids, submission_key=key
            )
        except exceptions.AlreadyBatched as exc:
            messages.info(request, exc.message)
            return redirect("budget:payout_detail", budget_id=budget.pk, batch=exc.batch.pk)
        except exceptions.BookingError as exc:
            messages.error(request, exc.message)
            return redirect("budget:payout_list", budget_id=budget.pk)
        messages.success(
            request,
            _("Auszahlung %(reference)s mit %(count)s Erstattungen über %(total)s erstellt.")
            % {
                "reference": batch.reference,
                "count": batch.claim_count,
                "total": format_eur(batch.total),
            },
        )
        return redirect("budget:payout_detail", budget_id=budget.pk, batch=batch.pk)
    payable = list(
        Claim.objects.payable()
        .filter(budget=budget)
        .select_related("submitted_by")
        .order_by("number")
    )
    return render(
        request,
        "budget/payout_list.html",
        {
            "budget": budget,
            "payable": payable,
            "total": sum((c.amount for c in payable), 0),
            "batches": budget.payout_batches.order_by("-number"),
            "account": PayoutAccount.objects.filter(budget=budget).first(),
            "one_time_key": uuid.uuid4(),
        },
    )


@login_required
@require_safe
def payout_detail(request, budget_id, batch):
    budget = access.get_budget_for(request.user, budget_id, access.VIEW_PAYOUTS)
    row = access.get_batch_for(request.user, budget, batch)
    return render(
        request,
        "budget/payout_detail.html",
        {
            "budget": budget,
            "batch": row,
            "claims": row.claims.select_related("submitted_by").order_by("number"),
            "paid_form": PaidForm(initial={"paid_on": timezone.localdate()}),
        },
    )


@login_required
@require_safe
def payout_sepa(request, budget_id, batch):
    budget = access.get_budget_for(request.user, budget_id, access.ADD_PAYOUT)
    row = access.get_batch_for(request.user, budget, batch, access.ADD_PAYOUT)
    response = HttpResponse(payouts.sepa_xml(row), content_type="application/xml")
    return download_headers(response, f"sepa-{row.reference}.xml")


@login_required
@require_POST
def payout_paid(request, budget_id, batch):
    budget = access.get_budget_for(request.user, budget_id, access.ADD_PAYOUT)
    row = access.get_batch_for(request.user, budget, batch, access.ADD_PAYOUT)
    form = PaidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte ein gültiges Datum angeben, z. B. 24.11.2023."))
        return redirect("budget:payout_detail", budget_id=budget.pk, batch=row.pk)
    paid_on = form.cleaned_data["paid_on"] or timezone.localdate()
    try:
        payouts.mark_paid(batch=row, paid_on=paid_on, user=request.user)
    except exceptions.BookingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Auszahlung %(reference)s am %(date)s bezahlt; die Erstattungen sind ausgezahlt.")
            % {"reference": row.reference, "date": paid_on.strftime("%d.%m.%Y")},
        )
    return redirect("budget:payout_detail", budget_id=budget.pk, batch=row.pk)
