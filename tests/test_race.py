"""Many treasurers booking at the same moment: the cap holds with real, concurrent connections.

On PostgreSQL this proves the row lock (SELECT ... FOR UPDATE); on a SQLite file it proves the
IMMEDIATE transaction mode. Each thread opens its own database connection.
"""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from budget.exceptions import BookingError
from budget.models import Budget, Category, Expense
from budget.services import record_expense, reverse_expense
from tests.factories import BudgetFactory, CategoryFactory, UserFactory

THREADS = 20


def run_concurrently(target, count=THREADS):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def worker(i):
        try:
            barrier.wait()
            results.append(target(i))
        except BookingError as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_bookings_of_200_against_1000_remaining_exactly_five_succeed():
    user = UserFactory(username="race")
    budget = BudgetFactory(cap=Decimal("2500.00"))
    category = CategoryFactory(budget=budget)
    record_expense(
        budget=budget,
        category=category,
        spent_on=datetime.date(2024, 1, 2),
        payee="Vorher",
        description="bereits ausgegeben",
        amount=Decimal("1500.00"),
        created_by=user,
    )

    def book(i):
        return record_expense(
            budget=budget.pk,
            category=category.pk,
            spent_on=datetime.date(2024, 1, 3),
            payee=f"Telefonist {i}",
            description="Headset",
            amount=Decimal("200.00"),
            created_by=user,
        )

    results, errors = run_concurrently(book)

    assert len(results) == 5, f"{connection.vendor}: {len(results)} bookings succeeded"
    assert len(errors) == THREADS - 5
    budget.refresh_from_db()
    assert budget.spent == Decimal("2500.00")
    assert Expense.objects.filter(budget=budget).count() == 6
    assert sorted(
        Expense.objects.filter(budget=budget).values_list("receipt_number", flat=True)
    ) == list(range(1, 7))
    ledger = sum(Expense.objects.filter(budget=budget).values_list("amount", flat=True))
    assert ledger == Decimal("2500.00")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_reversals_of_one_expense_release_it_once():
    user = UserFactory(username="race")
    budget = BudgetFactory(cap=Decimal("2500.00"))
    category = CategoryFactory(budget=budget, quantity_cap=15)
    expense = record_expense(
        budget=budget,
        category=category,
        spent_on=datetime.date(2024, 1, 2),
        payee="Elektro",
        description="Headsets",
        amount=Decimal("300.00"),
        quantity=3,
        created_by=user,
    ).expense

    results, errors = run_concurrently(
        lambda i: reverse_expense(expense=expense.pk, reason=f"Versuch {i}", created_by=user),
        count=10,
    )

    assert len(results) == 1
    assert len(errors) == 9
    assert Budget.objects.get(pk=budget.pk).spent == Decimal("0.00")
    assert Category.objects.get(pk=category.pk).quantity == 0
