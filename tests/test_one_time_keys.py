"""A receipt is booked exactly once: the one-time key of the booking and reversal forms."""

import re
import uuid
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.db import IntegrityError, transaction
from django.urls import reverse

from budget.exceptions import AlreadyBooked, AlreadyReversed, ReversalAlreadyBooked
from budget.models import Budget, Category, Expense, Reversal
from budget.services import reverse_expense
from tests.factories import BudgetFactory, CategoryFactory
from tests.helpers import files_under, fresh_key, pdf_upload

pytestmark = pytest.mark.django_db

KEY_INPUT = re.compile(r'<input type="hidden" name="one_time_key" value="([0-9a-f-]{36})"')


def new_url(budget):
    return reverse("budget:expense_new", args=[budget.pk])


def detail_url(expense):
    return reverse("budget:expense_detail", args=[expense.budget_id, expense.pk])


def reverse_url(expense):
    return reverse("budget:expense_reverse", args=[expense.budget_id, expense.pk])


def key_on(page: bytes) -> str:
    keys = KEY_INPUT.findall(page.decode())
    assert len(keys) == 1, keys
    return keys[0]


def booking_data(category, key, **overrides):
    return {
        "category": category.pk,
        "spent_on": "15.01.2024",
        "payee": "Bäckerei Roth",
        "description": "Frühstück",
        "amount": "86,45",
        "quantity": "1",
        "one_time_key": key,
        **overrides,
    }


# -- the service -------------------------------------------------------------------------------


def test_a_second_send_with_the_same_key_books_nothing(book, category, budget):
    key = uuid.uuid4()
    first = book(category, "86.45", booking_key=key).expense
    with pytest.raises(AlreadyBooked) as refused:
        book(category, "86.45", booking_key=key)
    assert refused.value.expense == first
    assert refused.value.message == "Dieser Beleg wurde bereits gebucht (Nr. 1)."
    assert Expense.objects.count() == 1
    fresh = Budget.objects.get(pk=budget.pk)
    assert (fresh.spent, fresh.last_receipt_number) == (Decimal("86.45"), 1)
    assert Category.objects.get(pk=category.pk).spent == Decimal("86.45")


def test_the_resend_is_recognised_before_the_cap_is_checked(book, category):
    key = uuid.uuid4()
    book(category, "2500.00", booking_key=key)  # exactly the cap
    with pytest.raises(AlreadyBooked):
        book(category, "2500.00", booking_key=key)


def test_a_new_key_books_a_genuine_second_receipt_of_the_same_amount(book, category):
    book(category, "86.45", booking_key=uuid.uuid4())
    second = book(category, "86.45", booking_key=uuid.uuid4()).expense
    assert second.receipt_number == 2


def test_the_key_is_unique_per_budget(book, category):
    key = uuid.uuid4()
    book(category, "10.00", booking_key=key)
    other = CategoryFactory(budget=BudgetFactory())
    assert book(other, "10.00", budget=other.budget_id, booking_key=key).expense.receipt_number == 1


def test_the_database_refuses_a_second_row_with_the_same_key(book, category):
    first = book(category, "10.00", booking_key=uuid.uuid4()).expense
    values = {f.attname: getattr(first, f.attname) for f in Expense._meta.concrete_fields}
    values.update(id=None, receipt_number=2)
    # PostgreSQL names the constraint; SQLite names its columns.
    unique = "expense_booking_key_unique|budget_expense.budget_id, budget_expense.booking_key"
    with pytest.raises(IntegrityError, match=unique), transaction.atomic():
        Expense.objects.bulk_create([Expense(**values)])


def test_a_resent_reversal_is_told_apart_from_a_second_one(book, category, treasurer):
    expense = book(category, "10.00").expense
    key = uuid.uuid4()
    reverse_expense(expense=expense, reason="doppelt", created_by=treasurer, booking_key=key)
    with pytest.raises(ReversalAlreadyBooked) as resent:
        reverse_expense(expense=expense, reason="doppelt", created_by=treasurer, booking_key=key)
    assert resent.value.message == "Diese Stornierung wurde bereits gebucht (Beleg Nr. 1)."
    with pytest.raises(AlreadyReversed) as second:
        reverse_expense(
            expense=expense, reason="nochmal", created_by=treasurer, booking_key=uuid.uuid4()
        )
    assert type(second.value) is AlreadyReversed
    assert Reversal.objects.count() == 1
    assert Budget.objects.get(pk=expense.budget_id).spent == Decimal("0.00")


# -- the booking form --------------------------------------------------------------------------


def test_every_rendering_of_the_form_issues_a_new_key(client, treasurer, budget):
    client.force_login(treasurer)
    first = key_on(client.get(new_url(budget)).content)
    second = key_on(client.get(new_url(budget)).content)
    assert first != second
    uuid.UUID(first)


def test_a_form_sent_twice_books_once_and_leads_to_the_booked_expense(
    client, treasurer, budget, category, settings
):
    client.force_login(treasurer)
    key = key_on(client.get(new_url(budget)).content)
    first = client.post(new_url(budget), booking_data(category, key, receipt=pdf_upload()))
    expense = Expense.objects.get()
    assert first.status_code == 302 and first["Location"] == detail_url(expense)

    again = client.post(
        new_url(budget), booking_data(category, key, receipt=pdf_upload()), follow=True
    )
    assert again.redirect_chain == [(detail_url(expense), 302)]
    assert "Dieser Beleg wurde bereits gebucht (Nr. 1)." in again.content.decode()
    assert Expense.objects.count() == 1
    assert Budget.objects.get(pk=budget.pk).spent == Decimal("86.45")
    assert len(files_under(settings.MEDIA_ROOT)) == 1  # the second file was never stored


def test_a_refused_send_keeps_its_key_so_the_corrected_form_still_books(
    client, treasurer, budget, category
):
    client.force_login(treasurer)
    key = key_on(client.get(new_url(budget)).content)
    refused = client.post(new_url(budget), booking_data(category, key, amount="2.500,01"))
    assert refused.status_code == 200
    assert key_on(refused.content) == key
    booked = client.post(new_url(budget), booking_data(category, key, amount="2.500,00"))
    assert booked.status_code == 302
    assert Expense.objects.get().amount == Decimal("2500.00")


@pytest.mark.parametrize("key", [None, "", "kein-schlüssel", "1" * 36])
def test_a_form_without_a_valid_key_books_nothing_and_comes_back_with_one(
    client, treasurer, budget, category, key
):
    client.force_login(treasurer)
    data = booking_data(category, key)
    if key is None:
        del data["one_time_key"]
    response = client.post(new_url(budget), data)
    assert response.status_code == 200
    assert "Das Formular war unvollständig; es wurde nichts gebucht." in response.content.decode()
    assert Expense.objects.count() == 0
    new_key = key_on(response.content)
    assert client.post(new_url(budget), booking_data(category, new_key)).status_code == 302
    assert Expense.objects.count() == 1


def test_the_booking_form_sends_no_inline_script(client, treasurer, budget):
    client.force_login(treasurer)
    page = client.get(new_url(budget)).content.decode()
    assert "budget/submit-once.js" in page
    assert 'data-upload-label="Beleg wird hochgeladen …"' in page
    assert not re.search(r"<button[^>]*\son\w+=", page)


# -- the admin's add form ----------------------------------------------------------------------


def test_the_admin_add_form_sent_twice_books_once(admin_client, budget, category):
    url = reverse("admin:budget_expense_add")
    page = admin_client.get(url).content
    assert b"budget/submit-once.js" in page
    key = key_on(page)
    data = booking_data(category, key, budget=budget.pk)
    assert admin_client.post(url, data).status_code == 302
    expense = Expense.objects.get()
    again = admin_client.post(url, data, follow=True)
    change_url = reverse("admin:budget_expense_change", args=[expense.pk])
    assert again.redirect_chain == [(change_url, 302)]
    assert "Dieser Beleg wurde bereits gebucht (Nr. 1)." in again.content.decode()
    assert Expense.objects.count() == 1
    assert LogEntry.objects.filter(object_id=str(expense.pk)).count() == 1


def test_the_admin_add_form_without_a_key_books_nothing(admin_client, budget, category):
    data = booking_data(category, "", budget=budget.pk)
    response = admin_client.post(reverse("admin:budget_expense_add"), data)
    assert response.status_code == 200
    assert "Das Formular war unvollständig" in response.content.decode()
    assert Expense.objects.count() == 0


# -- the reversal form -------------------------------------------------------------------------


@pytest.fixture
def expense(book, category):
    return book(category, "86.45").expense


def test_a_reversal_form_sent_twice_answers_calmly(client, treasurer, expense, budget):
    client.force_login(treasurer)
    key = key_on(client.get(reverse_url(expense)).content)
    data = {"reason": "doppelt gebucht", "one_time_key": key}
    assert client.post(reverse_url(expense), data).status_code == 302
    again = client.post(reverse_url(expense), data, follow=True)
    assert again.redirect_chain == [(detail_url(expense), 302)]
    page = again.content.decode()
    assert "Diese Stornierung wurde bereits gebucht (Beleg Nr. 1)." in page
    assert "alert-info" in page and "alert-danger" not in page
    assert Reversal.objects.count() == 1
    assert Budget.objects.get(pk=budget.pk).spent == Decimal("0.00")


def test_another_reversal_form_for_a_reversed_expense_is_refused(client, treasurer, expense):
    client.force_login(treasurer)
    client.post(reverse_url(expense), {"reason": "erster", "one_time_key": fresh_key()})
    other = client.post(
        reverse_url(expense), {"reason": "zweiter", "one_time_key": fresh_key()}, follow=True
    )
    assert other.redirect_chain == [(detail_url(expense), 302)]
    assert "bereits storniert" in other.content.decode()
    assert Reversal.objects.get().reason == "erster"
