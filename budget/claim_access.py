"""Who may see and do what with claims, orders and payouts: one access helper per object.

* ``helper`` (Helfer*in): may submit claims to an open budget that accepts them and sees only
  their own claims: 404 for anybody else's, 403 for the budget's lists.
* ``treasurer``: sees every claim of a budget with the bank details, approves, rejects, records
  orders, makes payouts.
* ``director``: sees claims, orders and payouts read-only (bank details masked) and may approve
  (the second approval, or the treasurer's own claim).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import Budget, Claim, Order, PayoutBatch

SUBMIT_CLAIM = "budget.add_claim"
VIEW_CLAIMS = "budget.view_claim"
APPROVE_CLAIM = "budget.approve_claim"
ADD_ORDER = "budget.add_order"
VIEW_ORDERS = "budget.view_order"
APPROVE_ORDER = "budget.approve_order"
ADD_PAYOUT = "budget.add_payoutbatch"
VIEW_PAYOUTS = "budget.view_payoutbatch"
CHANGE_ACCOUNT = "budget.change_payoutaccount"


def can_submit(user) -> bool:
    return user.is_authenticated and user.has_perm(SUBMIT_CLAIM)


def can_see_claims(user) -> bool:
    return user.is_authenticated and user.has_perm(VIEW_CLAIMS)


def can_approve(user) -> bool:
    return user.is_authenticated and user.has_perm(APPROVE_CLAIM)


def can_pay(user) -> bool:
    return user.is_authenticated and user.has_perm(ADD_PAYOUT)


def sees_bank_details(user, claim: Claim) -> bool:
    """Only the claimant and the treasurer see an IBAN in full; everybody else gets it masked."""
    return claim.submitted_by_id == user.pk or can_pay(user)


def require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def get_budget_for(user, budget_id: int, perm: str) -> Budget:
    require(user, perm)
    return get_object_or_404(Budget.objects.with_resolution(), pk=budget_id)


def get_claim_budget_for_submitter(user, budget_id: int) -> Budget:
    require(user, SUBMIT_CLAIM)
    return get_object_or_404(Budget.objects.with_resolution(), pk=budget_id)


def get_claim_for(user, budget_id: int, pk: int) -> Claim:
    """The claim for its submitter and for those who see all claims; 404 for everybody else
    (a helper learns nothing about other people's claims, not even that they exist)."""
    claim = get_object_or_404(
        Claim.objects.select_related("budget__resolution", "category", "submitted_by"),
        budget_id=budget_id,
        pk=pk,
    )
    if claim.submitted_by_id != user.pk and not can_see_claims(user):
        from django.http import Http404

        raise Http404
    return claim


def get_order_for(user, budget: Budget, pk: int, perm: str = VIEW_ORDERS) -> Order:
    require(user, perm)
    return get_object_or_404(
        Order.objects.select_related("category", "created_by"), budget=budget, pk=pk
    )


def get_batch_for(user, budget: Budget, pk: int, perm: str = VIEW_PAYOUTS) -> PayoutBatch:
    require(user, perm)
    return get_object_or_404(PayoutBatch.objects.select_related("created_by"), budget=budget, pk=pk)
