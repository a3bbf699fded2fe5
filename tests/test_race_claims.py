"""Claims at the same moment, with real concurrent connections (PostgreSQL row lock, SQLite
IMMEDIATE transactions): reservations never exceed what is available, and a claim is booked once
however many approvals arrive together."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection

from budget import exceptions
from budget.models import Budget, Claim, Expense
from budget.services import claims, record_expense
from tests.claim_helpers import IBAN
from tests.factories import BudgetFactory, CategoryFactory, UserFactory
from tests.helpers import image_upload
from tests.test_race import run_concurrently

HELPERS = 16


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sixteen_helpers_submitting_at_once_never_reserve_more_than_is_available():
    treasurer = UserFactory(username="race-kasse")
    helpers = [UserFactory(username=f"helfer{i}") for i in range(HELPERS)]
    budget = BudgetFactory(cap=Decimal("2500.00"), accepts_claims=True)
    category = CategoryFactory(budget=budget)
    record_expense(
        budget=budget,
        category=category,
        spent_on=datetime.date(2024, 1, 2),
        payee="Vorher",
        description="bereits ausgegeben",
        amount=Decimal("1500.00"),
        created_by=treasurer,
    )  # 1,000.00 € available

    def submit(i):
        return claims.submit_claim(
            budget=budget.pk,
            category=category.pk,
            submitted_by=helpers[i],
            spent_on=datetime.date(2024, 1, 3),
            payee="Bäckerei",
            description=f"Verpflegung {i}",
            amount=Decimal("150.00"),
            receipt=image_upload(),
            iban=IBAN,
            account_holder=f"Helfer {i}",
        )

    results, errors = run_concurrently(submit, HELPERS)

    assert len(results) == 6, f"{connection.vendor}: {len(results)} claims got through"
    assert len(errors) == HELPERS - 6
    budget.refresh_from_db()
    assert budget.reserved_claims == Decimal("900.00")
    assert budget.available == Decimal("100.00")
    assert Claim.objects.filter(budget=budget).count() == 6
    assert sorted(Claim.objects.filter(budget=budget).values_list("number", flat=True)) == list(
        range(1, 7)
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_approvals_book_the_claim_once():
    helper = UserFactory(username="race-helfer")
    approvers = [UserFactory(username=f"race-kasse{i}", role="treasurer") for i in range(2)]
    budget = BudgetFactory(cap=Decimal("2500.00"), accepts_claims=True)
    category = CategoryFactory(budget=budget)
    claim = claims.submit_claim(
        budget=budget,
        category=category,
        submitted_by=helper,
        spent_on=datetime.date(2024, 1, 3),
        payee="Bäckerei",
        description="Verpflegung",
        amount=Decimal("99.99"),
        receipt=image_upload(),
        iban=IBAN,
        account_holder="Helfer",
    )

    results, errors = run_concurrently(
        lambda i: claims.approve_claim(claim=claim.pk, approver=approvers[i]), 2
    )

    assert len(results) == 1, f"{connection.vendor}: {len(results)} approvals booked"
    assert isinstance(errors[0], exceptions.WrongState)
    assert Expense.objects.filter(budget=budget).count() == 1
    budget = Budget.objects.get(pk=budget.pk)
    assert budget.spent == Decimal("99.99")
    assert budget.reserved_claims == Decimal("0.00")
