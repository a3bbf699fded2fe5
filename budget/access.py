"""Who may see and do what: one access helper per object, used by every view.

Roles are the groups ``treasurer``, ``director``, ``auditor`` and ``helper`` (created by
migrations); superusers may do everything. A logged-in user without a role may see nothing.

* ``treasurer``: books, reverses, exports; sees every claim of a budget with the bank details,
  approves, rejects, records orders, makes payouts.
* ``director``: dashboard, exports, statement, closing; sees claims, orders and payouts read-only
  (bank details masked). Approves only where four eyes call for a second person: the claim of
  somebody who holds the treasurer's permission (``acts_as_treasurer``), and the second approval
  of a claim or order above ``second_approval_above``. ``budget.services.claims`` enforces it.
* ``auditor``: holds the director's read permissions and nothing that changes data.
* ``helper`` (Helfer*in): may submit claims to an open budget that accepts them and sees only
  their own claims: 404 for anybody else's, 403 for the budget's lists.

The ``get_*_for`` helpers answer 403 (``PermissionDenied``) to a user without the right and 404
for an object that does not exist or lies outside the user's scope. Templates ask the same
functions through ``can`` (``budget.context_processors``), never ``perms.budget.…`` directly.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from budget.models import (
    Budget,
    Claim,
    Expense,
    Order,
    PayoutBatch,
    Resolution,
    ResolutionAttachment,
)

VIEW = "budget.view_budget"
BOOK = "budget.add_expense"
REVERSE = "budget.add_reversal"
EXPORT = "budget.export_budget"
CLOSE = "budget.close_budget"  # directors; reopening is for superusers only
VIEW_EXPENSE = "budget.view_expense"
CHANGE_RESOLUTION = "budget.change_resolution"
CHANGE_CATEGORY = "budget.change_category"


def can_view(user) -> bool:
    return user.is_authenticated and user.has_perm(VIEW)


def can_book(user) -> bool:
    return user.is_authenticated and user.has_perm(BOOK)


def can_reverse(user) -> bool:
    return user.is_authenticated and user.has_perm(REVERSE)


def can_export(user) -> bool:
    return user.is_authenticated and user.has_perm(EXPORT)


def can_close(user) -> bool:
    return user.is_authenticated and user.has_perm(CLOSE)


def can_reopen(user) -> bool:
    return user.is_authenticated and user.is_superuser


def can_see_expenses(user) -> bool:
    return user.is_authenticated and user.has_perm(VIEW_EXPENSE)


def can_edit_resolutions(user) -> bool:
    """May open a resolution's record in the admin (to add a missing Zusatz)."""
    return user.is_authenticated and user.is_staff and user.has_perm(CHANGE_RESOLUTION)


def can_edit_budgets(user) -> bool:
    """May open a budget's record in the admin (to assign its categories' statement positions)."""
    return user.is_authenticated and user.is_staff and user.has_perm(CHANGE_CATEGORY)


def acts_as_treasurer(user) -> bool:
    """Whether ``user`` holds the treasurer's permission: to book. Approving a claim books it, so
    only such a user approves a claim on their own; anybody else with the right to approve (the
    director) approves a treasurer's claim or gives a second approval. Superusers count."""
    return user.is_authenticated and user.has_perm(BOOK)


def require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def get_budget_for(user, budget_id: int, perm: str = VIEW) -> Budget:
    """The budget if ``user`` holds ``perm``; 403 without the role, 404 for an unknown id."""
    require(user, perm)
    return get_object_or_404(Budget.objects.with_resolution(), pk=budget_id)


def get_resolution_for(user, pk: int) -> Resolution:
    require(user, VIEW)
    return get_object_or_404(Resolution, pk=pk)


def get_attachment_for(user, resolution_id: int, pk: int) -> ResolutionAttachment:
    require(user, VIEW)
    return get_object_or_404(ResolutionAttachment, resolution_id=resolution_id, pk=pk)


def get_expense_for(user, budget: Budget, pk: int, perm: str = VIEW) -> Expense:
    require(user, perm)
    return get_object_or_404(Expense.objects.for_listing(), budget=budget, pk=pk)


# --- Claims, orders, payouts ----------------------------------------------------------------------

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


def can_see_orders(user) -> bool:
    return user.is_authenticated and user.has_perm(VIEW_ORDERS)


def can_order(user) -> bool:
    return user.is_authenticated and user.has_perm(ADD_ORDER)


def can_approve_orders(user) -> bool:
    return user.is_authenticated and user.has_perm(APPROVE_ORDER)


def can_see_payouts(user) -> bool:
    return user.is_authenticated and user.has_perm(VIEW_PAYOUTS)


def sees_bank_details(user, claim: Claim) -> bool:
    """Only the claimant and the treasurer see an IBAN in full; everybody else gets it masked."""
    return claim.submitted_by_id == user.pk or can_pay(user)


def get_claim_for(user, budget_id: int, pk: int) -> Claim:
    """The claim for its submitter and for those who see all claims; 404 for everybody else
    (a helper learns nothing about other people's claims, not even that they exist)."""
    claim = get_object_or_404(
        Claim.objects.select_related("budget__resolution", "category", "submitted_by"),
        budget_id=budget_id,
        pk=pk,
    )
    if claim.submitted_by_id != user.pk and not can_see_claims(user):
        raise Http404
    return claim


def get_own_claim_for(user, budget_id: int, pk: int) -> Claim:
    """The claim for its submitter, who alone may withdraw it or waive its payout: 404 for those
    who may not see it, 403 for those who see it but did not submit it."""
    claim = get_claim_for(user, budget_id, pk)
    if claim.submitted_by_id != user.pk:
        raise PermissionDenied
    return claim


def get_order_for(user, budget: Budget, pk: int, perm: str = VIEW_ORDERS) -> Order:
    require(user, perm)
    return get_object_or_404(
        Order.objects.select_related("category", "created_by"), budget=budget, pk=pk
    )


def get_batch_for(user, budget: Budget, pk: int, perm: str = VIEW_PAYOUTS) -> PayoutBatch:
    require(user, perm)
    return get_object_or_404(PayoutBatch.objects.select_related("created_by"), budget=budget, pk=pk)


class Abilities:
    """What ``user`` may do, for templates (``{% if can.book %}``): each answer comes from the
    functions above and is computed once per request, when a template first asks."""

    QUESTIONS = {
        "view": can_view,
        "book": can_book,
        "reverse": can_reverse,
        "export": can_export,
        "close": can_close,
        "reopen": can_reopen,
        "see_expenses": can_see_expenses,
        "edit_resolutions": can_edit_resolutions,
        "edit_budgets": can_edit_budgets,
        "submit_claims": can_submit,
        "see_claims": can_see_claims,
        "approve_claims": can_approve,
        "pay": can_pay,
        "see_orders": can_see_orders,
        "order": can_order,
        "approve_orders": can_approve_orders,
        "see_payouts": can_see_payouts,
    }

    def __init__(self, user):
        self._user = user
        self._answers: dict[str, bool] = {}

    def __getattr__(self, name: str) -> bool:
        question = type(self).QUESTIONS.get(name)
        if question is None:
            raise AttributeError(name)
        if name not in self._answers:
            self._answers[name] = question(self._user)
        return self._answers[name]
