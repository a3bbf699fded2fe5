"""The same form sent at the same moment over several connections books once.

Real, concurrent connections (``transaction=True``): each thread has its own database connection
and its own logged-in test client, so the requests meet in the database as two phones would.
"""

import datetime
import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from budget.exceptions import AlreadyBooked, ReversalAlreadyBooked
from budget.models import Budget, Expense, Reversal
from budget.services import record_expense, reverse_expense
from tests.factories import BudgetFactory, CategoryFactory, UserFactory
from tests.helpers import files_under, pdf_upload

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def at_once(target, count):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def worker(i):
        try:
            barrier.wait()
            results.append(target(i))
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors


@pytest.fixture
def setup():
    user = UserFactory(username="schatzmeisterin", role="treasurer")
    budget = BudgetFactory(cap=Decimal("2500.00"))
    category = CategoryFactory(budget=budget)
    return user, budget, category


def test_ten_simultaneous_sends_of_one_key_book_once(setup):
    user, budget, category = setup
    key = uuid.uuid4()

    def send(i):
        return record_expense(
            budget=budget.pk,
            category=category.pk,
            spent_on=datetime.date(2024, 1, 3),
            payee="Bäckerei Roth",
            description="Frühstück",
            amount=Decimal("86.45"),
            created_by=user,
            booking_key=key,
        )

    results, errors = at_once(send, 10)
    assert len(results) == 1, f"{connection.vendor}: {len(results)} bookings"
    assert len(errors) == 9 and all(isinstance(e, AlreadyBooked) for e in errors), errors
    assert {e.expense.pk for e in errors} == {results[0].expense.pk}
    assert Expense.objects.count() == 1
    assert Budget.objects.get(pk=budget.pk).spent == Decimal("86.45")


def test_two_phones_posting_the_same_form_at_once_book_once(setup, settings):
    user, budget, category = setup
    key = str(uuid.uuid4())
    clients = [Client() for _ in range(2)]
    for c in clients:
        c.force_login(user)
    url = reverse("budget:expense_new", args=[budget.pk])

    def post(i):
        data = {
            "category": category.pk,
            "spent_on": "15.01.2024",
            "payee": "Bäckerei Roth",
            "description": "Frühstück",
            "amount": "86,45",
            "quantity": "1",
            "one_time_key": key,
            "receipt": pdf_upload(),
        }
        return clients[i].post(url, data)

    responses, errors = at_once(post, 2)
    assert errors == []
    expense = Expense.objects.get()
    detail = reverse("budget:expense_detail", args=[budget.pk, expense.pk])
    assert [(r.status_code, r["Location"]) for r in responses] == [(302, detail)] * 2
    assert Budget.objects.get(pk=budget.pk).spent == Decimal("86.45")
    assert len(files_under(settings.MEDIA_ROOT)) == 1


def test_two_simultaneous_sends_of_one_reversal_form_reverse_once_without_error(setup):
    user, budget, category = setup
    expense = record_expense(
        budget=budget,
        category=category,
        spent_on=datetime.date(2024, 1, 3),
        payee="Elektro",
        description="Headset",
        amount=Decimal("300.00"),
        created_by=user,
    ).expense
    key = str(uuid.uuid4())
    clients = [Client() for _ in range(2)]
    for c in clients:
        c.force_login(user)
    url = reverse("budget:expense_reverse", args=[budget.pk, expense.pk])

    responses, errors = at_once(
        lambda i: clients[i].post(url, {"reason": "doppelt", "one_time_key": key}), 2
    )
    assert errors == []
    detail = reverse("budget:expense_detail", args=[budget.pk, expense.pk])
    assert [(r.status_code, r["Location"]) for r in responses] == [(302, detail)] * 2
    assert Reversal.objects.count() == 1
    assert Budget.objects.get(pk=budget.pk).spent == Decimal("0.00")
    with pytest.raises(ReversalAlreadyBooked):
        reverse_expense(
            expense=expense, reason="doppelt", created_by=user, booking_key=uuid.UUID(key)
        )
