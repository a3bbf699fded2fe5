"""Claim pages: submit (phone first), my claims, a budget's claims, one claim, its decisions.

Thin views: parse the form, call ``budget.claims``, turn a ``BookingError`` into a form error or a
message, redirect. Access is decided by ``budget.access``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from budget import access, exceptions, thumbnails, uploads
from budget.forms.claims import ClaimFilterForm, ClaimForm, ReasonForm
from budget.models import Budget, Claim
from budget.money import format_eur
from budget.services import claims
from budget.views.files import private_file, thumbnail_response
from budget.views.receipt_forms import send_with_receipt


@login_required
@require_safe
def my_claims(request):
    access.require(request.user, access.SUBMIT_CLAIM)
    own = Claim.objects.filter(submitted_by=request.user).select_related("budget", "category")
    open_budgets = Budget.objects.filter(accepts_claims=True, is_closed=False).order_by("name")
    return render(
        request,
        "budget/claim_mine.html",
        {"claims": own.order_by("-submitted_at"), "open_budgets": open_budgets},
    )


def _form_context(budget, form, pending=None):
    return {
        "budget": budget,
        "form": form,
        "pending": pending,
    }


@login_required
@require_http_methods(["GET", "POST"])
def claim_new(request, budget_id):
    budget = access.get_budget_for(request.user, budget_id, access.SUBMIT_CLAIM)
    if (not budget.accepts_claims or budget.is_closed) and not access.can_see_claims(request.user):
        raise Http404  # the budget takes no claims: helpers may not even learn it exists
    if request.method != "POST":
        form = ClaimForm(
            budget=budget,
            initial={
                "spent_on": timezone.localdate(),
                "account_holder": request.user.get_full_name(),
                **_last_account(request.user),
            },
        )
        return render(request, "budget/claim_form.html", _form_context(budget, form))

    form = ClaimForm(request.POST, request.FILES, budget=budget)

    def submitted(claim):
        messages.success(
            request,
            _("Erstattung %(reference)s über %(amount)s eingereicht.")
            % {"reference": claim.reference, "amount": format_eur(claim.amount)},
        )
        return redirect("budget:claim_detail", budget_id=budget.pk, pk=claim.pk)

    return send_with_receipt(
        request,
        budget=budget,
        form=form,
        submit=lambda receipt: claims.submit_claim(
            budget=budget, submitted_by=request.user, receipt=receipt, **form.claim_kwargs()
        ),
        done=submitted,
        again=lambda pending: render(
            request, "budget/claim_form.html", _form_context(budget, form, pending)
        ),
        already=exceptions.AlreadySubmitted,
        show_earlier=lambda exc: redirect(
            "budget:claim_detail", budget_id=budget.pk, pk=exc.claim.pk
        ),
    )


def _last_account(user) -> dict:
    last = Claim.objects.filter(submitted_by=user).order_by("-submitted_at").first()
    if last is None:
        return {}
    return {"iban": last.formatted_iban, "account_holder": last.account_holder}


@login_required
@require_safe
def budget_claims(request, budget_id):
    budget = access.get_budget_for(request.user, budget_id, access.VIEW_CLAIMS)
    filters = ClaimFilterForm(request.GET or None)
    rows = budget.claims.select_related("category", "submitted_by", "first_approved_by")
    if filters.is_valid() and filters.cleaned_data["state"]:
        rows = rows.filter(state=filters.cleaned_data["state"])
    return render(
        request,
        "budget/claim_list.html",
        {
            "budget": budget,
            "claims": rows.order_by("-number"),
            "filters": filters,
        },
    )


@login_required
@require_safe
def claim_detail(request, budget_id, pk):
    claim = access.get_claim_for(request.user, budget_id, pk)
    user = request.user
    is_own = claim.submitted_by_id == user.pk
    may_approve = claim.is_open and access.can_approve(user) and not is_own
    # The director sees a claim that is the treasurer's to decide read-only, and why.
    treasurer_first = may_approve and not claims.may_decide(claim, user)
    return render(
        request,
        "budget/claim_detail.html",
        {
            "budget": claim.budget,
            "claim": claim,
            "events": claim.events.select_related("actor"),
            "show_bank": access.sees_bank_details(user, claim),
            "can_decide": may_approve and not treasurer_first,
            "treasurer_decides_first": (
                exceptions.TreasurerDecidesFirst(claim=claim).message if treasurer_first else ""
            ),
            # The first of two approvals is given; its giver may still reject, not approve again.
            "can_approve_now": claim.first_approved_by_id != user.pk,
            "can_withdraw": claim.is_open and is_own,
            "can_waive": is_own
            and claim.state == Claim.State.APPROVED
            and claim.payout_batch_id is None,
            "reject_form": ReasonForm(),
        },
    )


def _decision(request, budget_id, pk, operation, *, own=False, perm=None):
    """Fetch the claim (404 outside one's scope), then require ``perm`` (403), then decide."""
    get = access.get_own_claim_for if own else access.get_claim_for
    claim = get(request.user, budget_id, pk)
    if perm is not None:
        access.require(request.user, perm)
    try:
        done = operation(claim)
    except exceptions.BookingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("budget:claim_detail", budget_id=claim.budget_id, pk=claim.pk)


@login_required
@require_POST
def claim_approve(request, budget_id, pk):

    def approve(claim):
        row = claims.approve_claim(claim=claim, approver=request.user)
        if row.state == Claim.State.APPROVED:
            return _("Erstattung %(reference)s genehmigt und als Beleg Nr. %(number)s gebucht.") % {
                "reference": row.reference,
                "number": row.expense.receipt_number,
            }
        return _("Erste Freigabe erteilt; %(reference)s braucht noch eine zweite Person.") % {
            "reference": row.reference
        }

    return _decision(request, budget_id, pk, approve, perm=access.APPROVE_CLAIM)


@login_required
@require_POST
def claim_reject(request, budget_id, pk):
    access.get_claim_for(request.user, budget_id, pk)
    access.require(request.user, access.APPROVE_CLAIM)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte einen Grund für die Ablehnung angeben."))
        return redirect("budget:claim_detail", budget_id=budget_id, pk=pk)

    def reject(claim):
        row = claims.reject_claim(
            claim=claim, actor=request.user, reason=form.cleaned_data["reason"]
        )
        return _("Erstattung %(reference)s abgelehnt; %(amount)s sind wieder frei.") % {
            "reference": row.reference,
            "amount": format_eur(row.amount),
        }

    return _decision(request, budget_id, pk, reject)


@login_required
@require_POST
def claim_withdraw(request, budget_id, pk):
    def withdraw(claim):
        row = claims.withdraw_claim(claim=claim, actor=request.user)
        return _("Erstattung %(reference)s zurückgezogen.") % {"reference": row.reference}

    return _decision(request, budget_id, pk, withdraw, own=True)


@login_required
@require_POST
def claim_waive(request, budget_id, pk):
    def waive(claim):
        row = claims.waive_claim(claim=claim, actor=request.user)
        return _("Danke! Du verzichtest auf die Auszahlung von %(reference)s (Aufwandsspende).") % {
            "reference": row.reference
        }

    return _decision(request, budget_id, pk, waive, own=True)


@login_required
@require_safe
def waived_claims(request, budget_id):
    budget = access.get_budget_for(request.user, budget_id, access.ADD_PAYOUT)
    rows = (
        budget.claims.filter(state=Claim.State.WAIVED)
        .select_related("submitted_by")
        .order_by("waived_at")
    )
    rows = list(rows)
    return render(
        request,
        "budget/claim_waived.html",
        {"budget": budget, "claims": rows, "total": sum((c.amount for c in rows), 0)},
    )


@login_required
@xframe_options_sameorigin
@require_safe
def claim_receipt(request, budget_id, pk):
    claim = access.get_claim_for(request.user, budget_id, pk)
    if not claim.receipt:
        raise Http404(_("Zu dieser Erstattung gibt es keine Belegdatei."))
    return private_file(
        claim.receipt,
        claim.receipt_download_name,
        claim.receipt_content_type or "application/octet-stream",
        as_attachment="download" in request.GET,
    )


@login_required
@require_safe
def claim_thumbnail(request, budget_id, pk):
    claim = access.get_claim_for(request.user, budget_id, pk)
    if not claim.receipt or not claim.receipt_is_image:
        raise Http404(_("Für diese Erstattung gibt es keine Vorschau."))
    return thumbnail_response(claim.receipt, thumbnails.LARGE)


@login_required
@require_safe
def pending_thumbnail(request, budget_id, token):
    budget = access.get_budget_for(request.user, budget_id, access.SUBMIT_CLAIM)
    pending = uploads.find(token, owner=request.user, budget=budget)
    if pending is None or not pending.is_image:
        raise Http404(_("Diesen vorläufigen Beleg gibt es nicht (mehr)."))
    return thumbnail_response(pending.file, thumbnails.LARGE)
