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


def test_saving_a_stale_budget_or_category_keeps_the_running_totals(book, category, budget):
    stale_budget = Budget.objects.get(pk=budget.pk)
    stale_category = type(category).objects.get(pk=category.pk)
    book(category, "150.00")
    stale_budget.name = "Telefonaktion 2024 (umbenannt)"
    stale_budget.save()
    stale_category.planned = Decimal("500.00")
    stale_category.save()
    fresh = Budget.objects.get(pk=budget.pk)
    assert fresh.name == "Telefonaktion 2024 (umbenannt)"
    assert (fresh.spent, fresh.last_receipt_number, fresh.active_expense_count) == (
        Decimal("150.00"),
        1,
        1,
    )
    fresh_category = type(category).objects.get(pk=category.pk)
    assert (fresh_category.spent, fresh_category.planned) == (Decimal("150.00"), Decimal("500.00"))
    book(category, "1.00")  # the next receipt number is still free


def test_period_may_not_shut_out_booked_expenses(book, category, budget):
    import datetime

    book(category, "10.00", spent_on=datetime.date(2024, 1, 15))
    budget.refresh_from_db()
    budget.starts_on = datetime.date(2024, 2, 1)
    with pytest.raises(ValidationError) as error:
        budget.full_clean()
    assert "15.01.2024" in error.value.message_dict["starts_on"][0]
    budget.starts_on = datetime.date(2023, 11, 24)
    budget.ends_on = datetime.date(2024, 1, 14)
    with pytest.raises(ValidationError) as error:
        budget.full_clean()
    assert "ends_on" in error.value.message_dict
    budget.ends_on = datetime.date(2024, 1, 15)
    budget.full_clean()


def test_quantity_cap_may_not_drop_below_what_is_booked(book, headsets):
    book(headsets, "100.00", quantity=7)
    headsets.refresh_from_db()
    headsets.quantity_cap = 6
    with pytest.raises(ValidationError) as error:
        headsets.full_clean()
    assert "bereits 7 Stück" in error.value.message_dict["quantity_cap"][0]
    headsets.quantity_cap = 7
    headsets.full_clean()
