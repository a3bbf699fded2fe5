"""The database itself refuses rows that break a one-row rule."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from budget.models import Budget, Category, Expense, Resolution

pytestmark = pytest.mark.django_db


@pytest.fixture
def expense(book, category):
    return book(category, "10.00").expense


def insert_bypassing_the_service(expense, **changes):
    """Write a new ledger row straight through the ORM; rows are append-only, so a bad row can
    only be tried as an INSERT."""
    values = {
        f.attname: getattr(expense, f.attname)
        for f in Expense._meta.concrete_fields
        if not f.primary_key
    }
    values["receipt_number"] = expense.receipt_number + 100
    values.update(changes)
    Expense.objects.bulk_create([Expense(**values)])


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        ("amount", Decimal("0.00"), "expense_amount_positive"),
        ("amount", Decimal("-5.00"), "expense_amount_positive"),
        ("quantity", 0, "expense_quantity_positive"),
    ],
)
def test_database_refuses_bad_expense_rows(expense, field, value, constraint):
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        insert_bypassing_the_service(expense, **{field: value})
    assert Expense.objects.count() == 1


def test_database_refuses_duplicate_receipt_numbers(expense):
    with pytest.raises(IntegrityError, match="receipt_number"), transaction.atomic():
        insert_bypassing_the_service(expense, receipt_number=expense.receipt_number)
    assert Expense.objects.count() == 1


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
    booked = book(category, "150.00").expense
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
    assert fresh.last_booked_at == booked.created_at
    fresh_category = type(category).objects.get(pk=category.pk)
    assert (fresh_category.spent, fresh_category.planned) == (Decimal("150.00"), Decimal("500.00"))
    assert fresh_category.active_expense_count == 1
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


# Category rules the running totals made possible: CHECK constraints, mirrored in clean().


def test_database_refuses_more_pieces_than_the_quantity_cap(book, headsets):
    book(headsets, "100.00", quantity=15)
    with pytest.raises(IntegrityError, match="category_quantity_within_cap"), transaction.atomic():
        Category.objects.filter(pk=headsets.pk).update(quantity=16)
    assert Category.objects.get(pk=headsets.pk).quantity == 15


def test_database_refuses_a_quantity_cap_below_what_is_booked(book, headsets):
    book(headsets, "100.00", quantity=7)
    Category.objects.filter(pk=headsets.pk).update(quantity_cap=7)  # exactly at the cap
    with pytest.raises(IntegrityError, match="category_quantity_within_cap"), transaction.atomic():
        Category.objects.filter(pk=headsets.pk).update(quantity_cap=6)
    assert Category.objects.get(pk=headsets.pk).quantity_cap == 7


def test_database_refuses_a_stop_category_spending_over_its_plan(book, category):
    Category.objects.filter(pk=category.pk).update(planned=Decimal("100.00"), over_plan="stop")
    book(category, "100.00")  # exactly the plan
    with pytest.raises(IntegrityError, match="category_stop_within_plan"), transaction.atomic():
        Category.objects.filter(pk=category.pk).update(spent=Decimal("100.01"))
    with pytest.raises(IntegrityError, match="category_stop_within_plan"), transaction.atomic():
        Category.objects.filter(pk=category.pk).update(planned=Decimal("99.99"))
    assert Category.objects.get(pk=category.pk).spent == Decimal("100.00")


def test_database_refuses_switching_an_overspent_category_to_stop(book, category):
    Category.objects.filter(pk=category.pk).update(planned=Decimal("100.00"), over_plan="warn")
    book(category, "100.01")  # a warn category may go over its plan
    with pytest.raises(IntegrityError, match="category_stop_within_plan"), transaction.atomic():
        Category.objects.filter(pk=category.pk).update(over_plan="stop")
    assert Category.objects.get(pk=category.pk).over_plan == "warn"


def test_clean_explains_a_stop_plan_below_what_is_spent(book, category):
    Category.objects.filter(pk=category.pk).update(planned=Decimal("200.00"), over_plan="stop")
    book(category, "150.00")
    category.refresh_from_db()
    category.planned = Decimal("149.99")
    with pytest.raises(ValidationError) as error:
        category.full_clean()
    assert "150,00\u00a0€" in error.value.message_dict["planned"][0]
    category.planned = Decimal("150.00")
    category.full_clean()
    category.planned = Decimal("100.00")
    category.over_plan = "warn"
    category.full_clean()  # a warn category may lie under what is spent
