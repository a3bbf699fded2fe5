"""The database itself refuses rows that break a one-row rule."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from budget.models import Budget, Expense, Resolution

pytestmark = pytest.mark.django_db


@pytest.fixture
def expense(book, category):
    return book(category, "10.00").expense


@pytest.mark.parametrize(
    ("field", "value"),
    [("amount", Decimal("0.00")), ("amount", Decimal("-5.00")), ("quantity", 0)],
)
def test_database_refuses_bad_expense_rows(expense, field, value):
    with pytest.raises(IntegrityError), transaction.atomic():
        Expense.objects.filter(pk=expense.pk).update(**{field: value})
    assert Expense.objects.get(pk=expense.pk).amount == Decimal("10.00")


def test_database_refuses_duplicate_receipt_numbers(book, category):
    first = book(category, "1.00").expense
    second = book(category, "1.00").expense
    with pytest.raises(IntegrityError), transaction.atomic():
        Expense.objects.filter(pk=second.pk).update(receipt_number=first.receipt_number)


def test_database_refuses_negative_votes(budget):
    with pytest.raises(IntegrityError), transaction.atomic():
        Resolution.objects.filter(pk=budget.resolution_id).update(votes_against=-1)


def test_database_refuses_spending_beyond_the_cap(budget):
    with pytest.raises(IntegrityError), transaction.atomic():
        Budget.objects.filter(pk=budget.pk).update(spent=Decimal("2500.01"))


def test_database_refuses_a_zero_cap(budget):
    with pytest.raises(IntegrityError), transaction.atomic():
        Budget.objects.filter(pk=budget.pk).update(cap=Decimal("0.00"))


def test_resolution_number_is_unique_per_year(budget):
    resolution = budget.resolution
    with pytest.raises(IntegrityError), transaction.atomic():
        Resolution.objects.create(
            number=resolution.number,
            year=resolution.year,
            title="Doppelt",
            decided_on=resolution.decided_on,
            outcome="passed",
            text="x",
            responsible="LGF",
        )


def test_clean_gives_a_readable_message_for_cap_below_spent(book, category, budget):
    book(category, "100.00")
    budget.refresh_from_db()
    budget.cap = Decimal("99.99")
    with pytest.raises(ValidationError) as error:
        budget.full_clean()
    assert "cap" in error.value.message_dict


def test_resolution_reference_reads_like_the_paper(budget):
    assert budget.resolution.reference == f"{budget.resolution.number}/2023"
