"""``verify_totals`` recomputes every running total from the ledger, reports and repairs drift;
the migration that introduced the category counters fills them the same way."""

import datetime
import importlib
import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from budget.models import Budget, Category
from budget.services import reverse_expense
from budget.services.late_receipts import attach_receipt
from tests.helpers import pdf_upload

pytestmark = pytest.mark.django_db

EARLIER = datetime.datetime(2024, 1, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def ledger(book, category, headsets, treasurer):
    """Two valid and one reversed expense in one category, one in another, a late receipt."""
    book(category, "10.00")
    gone = book(category, "20.00").expense
    reverse_expense(expense=gone, reason="doppelt", created_by=treasurer)
    late = book(category, "5.00").expense
    book(headsets, "30.00", quantity=2)
    attach_receipt(expense=late, receipt=pdf_upload(), created_by=treasurer)
    return late.late_receipt


def verify(*args) -> str:
    out = io.StringIO()
    call_command("verify_totals", *args, stdout=out)
    return out.getvalue()


def test_the_counters_kept_by_the_services_agree_with_the_ledger(ledger, category, headsets):
    assert "0 Abweichung(en)" in verify()
    food, pieces = Category.objects.get(pk=category.pk), Category.objects.get(pk=headsets.pk)
    assert (food.active_expense_count, food.reversal_count) == (2, 1)
    assert (pieces.active_expense_count, pieces.reversal_count) == (1, 0)
    assert Budget.objects.get(pk=category.budget_id).last_booked_at == ledger.created_at


@pytest.mark.parametrize(
    ("field", "tampered", "kept"),
    [("active_expense_count", 3, 2), ("active_expense_count", 1, 2), ("reversal_count", 0, 1)],
)
def test_a_tampered_category_counter_is_found_and_fixed(ledger, category, field, tampered, kept):
    Category.objects.filter(pk=category.pk).update(**{field: tampered})
    with pytest.raises(CommandError, match="^1 Abweichung"):
        verify()
    assert f"Kategorie {category.pk} „Verpflegung“" in verify("--fix")
    assert getattr(Category.objects.get(pk=category.pk), field) == kept
    assert "0 Abweichung(en)" in verify()


@pytest.mark.parametrize("tampered", [None, EARLIER])
def test_a_tampered_last_booking_is_found_and_fixed(ledger, budget, tampered):
    Budget.objects.filter(pk=budget.pk).update(last_booked_at=tampered)
    with pytest.raises(CommandError, match="^1 Abweichung"):
        verify()
    verify("--fix")
    assert Budget.objects.get(pk=budget.pk).last_booked_at == ledger.created_at
    assert "0 Abweichung(en)" in verify()


def test_a_budget_without_bookings_has_no_last_booking(budget):
    assert Budget.objects.get(pk=budget.pk).last_booked_at is None
    assert "0 Abweichung(en)" in verify()


def test_the_migration_fills_the_new_totals_from_the_ledger(ledger, budget, category, headsets):
    Category.objects.update(active_expense_count=0, reversal_count=0)
    Budget.objects.update(last_booked_at=None)
    migration = importlib.import_module("budget.migrations.0017_category_counters_and_last_booking")
    migration.fill_from_the_ledger(apps, schema_editor=None)
    assert "0 Abweichung(en)" in verify()
    food = Category.objects.get(pk=category.pk)
    assert (food.active_expense_count, food.reversal_count) == (2, 1)
    assert Budget.objects.get(pk=budget.pk).last_booked_at == ledger.created_at
