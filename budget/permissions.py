"""Who may do what: one place for the role checks every view uses.

Roles are the groups ``treasurer``, ``director`` and ``auditor`` (created by migrations);
superusers may do everything. A logged-in user without a role may see nothing. The auditor holds
the director's permissions and nothing that changes data.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import Budget, Expense

VIEW = "budget.view_budget"
BOOK = "budget.add_expense"
REVERSE = "budget.add_reversal"
EXPORT = "budget.export_budget"
CLOSE = "budget.close_budget"  # directors; reopening is for superusers only


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


def require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def get_budget_for(user, budget_id: int, perm: str = VIEW, queryset=None) -> Budget:
    """The budget if ``user`` holds ``perm``; 403 without the role, 404 for an unknown id."""
    require(user, perm)
    return get_object_or_404(
        queryset if queryset is not None else Budget.objects.with_resolution(), pk=budget_id
    )


def get_expense_for(user, budget: Budget, pk: int, perm: str = VIEW) -> Expense:
    require(user, perm)
    return get_object_or_404(Expense.objects.for_listing(), budget=budget, pk=pk)
