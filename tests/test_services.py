"""The booking rules, at their boundaries."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from budget.exceptions import (
    AlreadyReversed,
    BudgetClosed,
    CapExceeded,
    CategoryMismatch,
    InvalidExpense,
    OutsideBudgetPeriod,
    PlanExceeded,
    QuantityCapExceeded,
)
from budget.models import Budget, Category, Expense, Reversal
from budget.services import reverse_expense
from tests.factories import BudgetFactory, CategoryFactory

pytestmark = pytest.mark.django_db


def fresh(budget):
    return Budget.objects.get(pk=budget.pk)


def test_exactly_the_cap_is_accepted(book, category, budget):
    book(category, "2500.00")
    assert fresh(budget).spent == Decimal("2500.00")
    assert fresh(budget).remaining == Decimal("0.00")


def test_one_cent_over_the_cap_is_refused_with_the_figures(book, category, budget):
    with pytest.raises(CapExceeded) as refused:
        book(category, "2500.01")
    assert refused.value.overshoot == Decimal("0.01")
    assert refused.value.remaining == Decimal("2500.00")
    assert Expense.objects.count() == 0
    assert fresh(budget).spent == Decimal("0.00")


def test_over_cap_message_is_german_and_names_overshoot_and_remaining(book, category):
    book(category, "2067.60")
    with pytest.raises(CapExceeded) as refused:
        book(category, "552.40")
    assert str(refused.value) == (
        "Diese Ausgabe würde das Budget um 120,00\u00a0€ überschreiten. "
        "Noch verfügbar: 432,40\u00a0€."
    )


def test_cents_that_float_cannot_hold_land_exactly_on_the_cap(book, category, budget):
    budget.cap = Decimal("0.30")
    budget.save()
    book(category, "0.10")
    book(category, "0.20")
    assert fresh(budget).spent == Decimal("0.30")
    with pytest.raises(CapExceeded):
        book(category, "0.01")


def test_many_small_amounts_sum_exactly(book, category, budget):
    budget.cap = Decimal("1.00")
    budget.save()
    for _ in range(10):
        book(category, "0.10")
    assert fresh(budget).spent == Decimal("1.00")
    with pytest.raises(CapExceeded):
        book(category, "0.01")


def test_fifteenth_headset_accepted_sixteenth_refused(book, headsets):
    book(headsets, "100.00", quantity=14)
    book(headsets, "10.00", quantity=1)
    with pytest.raises(QuantityCapExceeded) as refused:
        book(headsets, "10.00", quantity=1)
    assert refused.value.remaining == 0
    assert "höchstens 15 Stück" in str(refused.value)
    assert Category.objects.get(pk=headsets.pk).quantity == 15


def test_quantity_cap_message_says_how_many_are_still_allowed(book, headsets):
    book(headsets, "100.00", quantity=12)
    with pytest.raises(QuantityCapExceeded) as refused:
        book(headsets, "50.00", quantity=5)
    assert "Noch möglich: 3 Stück" in str(refused.value)


def test_reversal_releases_amount_and_quantity(book, headsets, budget, treasurer):
    booked = book(headsets, "2500.00", quantity=15).expense
    reverse_expense(expense=booked, reason="Falscher Betrag", created_by=treasurer)
    assert fresh(budget).spent == Decimal("0.00")
    assert Category.objects.get(pk=headsets.pk).quantity == 0
    book(headsets, "2500.00", quantity=15)
    assert fresh(budget).spent == Decimal("2500.00")


def test_an_expense_is_reversed_only_once(book, category, treasurer, budget):
    booked = book(category, "100.00").expense
    reverse_expense(expense=booked, reason="doppelt erfasst", created_by=treasurer)
    with pytest.raises(AlreadyReversed):
        reverse_expense(expense=booked, reason="nochmal", created_by=treasurer)
    assert Reversal.objects.count() == 1
    assert fresh(budget).spent == Decimal("0.00")


def counters(category):
    row = Category.objects.get(pk=category.pk)
    return row.active_expense_count, row.reversal_count


def test_category_counters_follow_bookings_and_reversals_at_the_caps(
    book, category, headsets, treasurer, budget
):
    book(headsets, "499.99", quantity=15)  # exactly at the quantity cap
    with pytest.raises(QuantityCapExceeded):
        book(headsets, "1.00")
    first = book(category, "2000.00").expense
    last = book(category, "0.01").expense  # exactly at the budget's cap
    with pytest.raises(CapExceeded):
        book(category, "0.01")
    # The refused bookings left no trace in the counters.
    assert counters(category) == (2, 0) and counters(headsets) == (1, 0)
    assert fresh(budget).last_booked_at == last.created_at
    reversal = reverse_expense(expense=first, reason="doppelt erfasst", created_by=treasurer)
    assert counters(category) == (1, 1) and counters(headsets) == (1, 0)
    assert fresh(budget).last_booked_at == reversal.created_at
    with pytest.raises(AlreadyReversed):
        reverse_expense(expense=first, reason="nochmal", created_by=treasurer)
    assert counters(category) == (1, 1)
    reverse_expense(expense=last, reason="Irrtum", created_by=treasurer)
    assert counters(category) == (0, 2)
    assert fresh(budget).active_expense_count == 1


def test_reversal_needs_a_reason(book, category, treasurer):
    booked = book(category, "100.00").expense
    with pytest.raises(InvalidExpense):
        reverse_expense(expense=booked, reason="   ", created_by=treasurer)
    assert Reversal.objects.count() == 0


def test_category_of_another_budget_is_refused(book, budget):
    other = CategoryFactory(budget=BudgetFactory())
    with pytest.raises(CategoryMismatch):
        book(other, "10.00", budget=budget.pk)
    assert Expense.objects.count() == 0


def test_closed_budget_refuses(book, category, budget):
    Budget.objects.filter(pk=budget.pk).update(is_closed=True)
    with pytest.raises(BudgetClosed):
        book(category, "10.00")
    assert Expense.objects.count() == 0


def test_dates_outside_the_period_are_refused(book, category, budget):
    budget.ends_on = datetime.date(2024, 12, 31)
    budget.save()
    book(category, "1.00", spent_on=datetime.date(2023, 11, 24))
    book(category, "1.00", spent_on=datetime.date(2024, 12, 31))
    with pytest.raises(OutsideBudgetPeriod):
        book(category, "1.00", spent_on=datetime.date(2023, 11, 23))
    with pytest.raises(OutsideBudgetPeriod):
        book(category, "1.00", spent_on=datetime.date(2025, 1, 1))
    assert Expense.objects.count() == 2


def test_stop_category_refuses_beyond_plan(book, category):
    Category.objects.filter(pk=category.pk).update(planned=Decimal("500.00"), over_plan="stop")
    category.refresh_from_db()
    book(category, "500.00")
    with pytest.raises(PlanExceeded) as refused:
        book(category, "0.01")
    assert refused.value.overshoot == Decimal("0.01")
    assert Expense.objects.count() == 1


def test_warn_category_books_beyond_plan_and_says_so(book, category, budget):
    Category.objects.filter(pk=category.pk).update(planned=Decimal("500.00"), over_plan="warn")
    assert book(category, "500.00").warnings == []
    result = book(category, "20.00")
    assert result.expense.pk
    assert result.warnings == [
        "Die Kategorie „Verpflegung“ liegt damit 20,00\u00a0€ über ihrem Plan von 500,00\u00a0€."
    ]
    assert fresh(budget).spent == Decimal("520.00")


def test_receipt_numbers_are_sequential_per_budget_and_never_reused(book, category, treasurer):
    first = book(category, "1.00").expense
    second = book(category, "1.00").expense
    reverse_expense(expense=second, reason="Fehler", created_by=treasurer)
    third = book(category, "1.00").expense
    other_budget_category = CategoryFactory(budget=BudgetFactory())
    elsewhere = book(other_budget_category, "1.00").expense
    assert [first.receipt_number, second.receipt_number, third.receipt_number] == [1, 2, 3]
    assert elsewhere.receipt_number == 1


def test_refused_amounts_change_nothing(book, category):
    for amount in ["0", "-1.00", "0.001", "NaN", "Infinity", "10000000000.00"]:
        with pytest.raises(InvalidExpense):
            book(category, amount)
    with pytest.raises(InvalidExpense):
        book(category, "1.00", quantity=0)
    with pytest.raises(InvalidExpense):
        book(category, "1.00", payee="")
    with pytest.raises(InvalidExpense):
        book(category, "1.00", description="x" * 501)
    assert Expense.objects.count() == 0


def test_a_refused_booking_leaves_no_file(book, category, settings):
    pdf = SimpleUploadedFile("beleg.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")
    with pytest.raises(CapExceeded):
        book(category, "9999.00", receipt=pdf)
    assert list(settings.MEDIA_ROOT.rglob("*.*")) == []


def test_receipt_is_stored_under_a_generated_name(book, category, settings):
    pdf = SimpleUploadedFile("Rechnung März.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")
    expense = book(category, "12.00", receipt=pdf).expense
    assert expense.receipt_original_name == "Rechnung März.pdf"
    assert expense.receipt_content_type == "application/pdf"
    assert "März" not in expense.receipt.name
    assert (settings.MEDIA_ROOT / expense.receipt.name).exists()


def test_booked_expense_cannot_be_edited_or_deleted(book, category):
    expense = book(category, "12.00").expense
    expense.amount = Decimal("1.00")
    with pytest.raises(ValueError):
        expense.save()
    with pytest.raises(ValueError):
        expense.delete()
    assert Expense.objects.get(pk=expense.pk).amount == Decimal("12.00")


def test_booked_by_and_when_are_recorded(book, category, treasurer):
    expense = book(category, "12.00").expense
    assert expense.created_by == treasurer
    assert expense.created_at is not None


def test_future_dates_are_refused(book, category):
    from django.utils import timezone

    today = timezone.localdate()
    book(category, "1.00", spent_on=today)
    with pytest.raises(InvalidExpense) as refused:
        book(category, "1.00", spent_on=today + datetime.timedelta(days=1))
    assert refused.value.field == "spent_on"
    assert Expense.objects.count() == 1


@pytest.mark.parametrize("text", ["a\x01b", "Tab\x0bstop", "esc\x1b[31m", "del\x7f"])
def test_control_characters_are_refused(book, category, treasurer, text):
    with pytest.raises(InvalidExpense):
        book(category, "1.00", payee=text)
    expense = book(category, "1.00").expense
    with pytest.raises(InvalidExpense):
        reverse_expense(expense=expense, reason=text, created_by=treasurer)
    assert Expense.objects.count() == 1 and Reversal.objects.count() == 0


def test_stored_receipt_extension_follows_the_content(book, category):
    from tests.helpers import image_upload

    upload = image_upload("PNG", "scan.txt")
    expense = book(category, "1.00", receipt=upload).expense
    assert expense.receipt.name.endswith(".png")
    assert expense.receipt_download_name == "scan.png"
    assert expense.receipt_original_name == "scan.txt"
