"""The database itself refuses to rewrite the ledger: Expense and Reversal rows are append-only.

Every test here goes around Django's model methods (``QuerySet.update()``, ``QuerySet.delete()``,
raw SQL) and expects the trigger to refuse, naming itself, with the row left as it was.
"""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from budget.models import Budget, Category, DailySpending, Expense, Reversal
from budget.services import reverse_expense
from tests.append_only import append_only_triggers

pytestmark = pytest.mark.django_db

LEDGER_TABLES = ["budget_expense", "budget_reversal"]


@pytest.fixture
def expense(book, category):
    return book(category, "10.00").expense


@pytest.fixture
def reversal(book, category, treasurer):
    booked = book(category, "20.00").expense
    return reverse_expense(expense=booked, reason="Doppelt gebucht", created_by=treasurer)


def snapshot(model, pk):
    return model.objects.filter(pk=pk).values().get()


def expected_trigger(model, operation):
    return f"append_only_{model._meta.db_table}_no_{operation}"


def test_every_ledger_table_has_its_triggers():
    names = {t.name for t in append_only_triggers(connection)}
    expected = {
        f"append_only_{table}_no_{op}" for table in LEDGER_TABLES for op in ("update", "delete")
    }
    if connection.vendor == "postgresql":
        expected |= {f"append_only_{table}_no_truncate" for table in LEDGER_TABLES}
    assert expected <= names


@pytest.mark.parametrize(
    ("model_fixture", "changes"),
    [
        ("expense", {"amount": Decimal("1.00")}),
        ("expense", {"payee": "Jemand anderes"}),
        ("expense", {"receipt": ""}),
        ("reversal", {"reason": "anderer Grund"}),
    ],
)
def test_queryset_update_is_refused(request, model_fixture, changes):
    row = request.getfixturevalue(model_fixture)
    model = type(row)
    before = snapshot(model, row.pk)
    with (
        pytest.raises(IntegrityError, match=expected_trigger(model, "update")),
        transaction.atomic(),
    ):
        model.objects.filter(pk=row.pk).update(**changes)
    assert snapshot(model, row.pk) == before


def test_queryset_delete_of_an_expense_is_refused(expense):
    before = snapshot(Expense, expense.pk)
    with (
        pytest.raises(IntegrityError, match="append_only_budget_expense_no_delete"),
        transaction.atomic(),
    ):
        Expense.objects.filter(pk=expense.pk).delete()
    assert snapshot(Expense, expense.pk) == before


def test_queryset_delete_of_a_reversal_is_refused(reversal):
    before = snapshot(Reversal, reversal.pk)
    with (
        pytest.raises(IntegrityError, match="append_only_budget_reversal_no_delete"),
        transaction.atomic(),
    ):
        Reversal.objects.filter(pk=reversal.pk).delete()
    assert snapshot(Reversal, reversal.pk) == before
    assert Expense.objects.get(pk=reversal.expense_id).is_reversed


@pytest.mark.parametrize(
    ("model_fixture", "sql", "operation"),
    [
        ("expense", "UPDATE budget_expense SET amount = 0.01 WHERE id = %s", "update"),
        ("expense", "DELETE FROM budget_expense WHERE id = %s", "delete"),
        ("reversal", "UPDATE budget_reversal SET reason = 'x' WHERE id = %s", "update"),
        ("reversal", "DELETE FROM budget_reversal WHERE id = %s", "delete"),
    ],
)
def test_raw_sql_is_refused(request, model_fixture, sql, operation):
    row = request.getfixturevalue(model_fixture)
    model = type(row)
    before = snapshot(model, row.pk)
    with (
        pytest.raises(IntegrityError, match=expected_trigger(model, operation)),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [row.pk])
    assert snapshot(model, row.pk) == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no TRUNCATE")
@pytest.mark.parametrize("table", LEDGER_TABLES)
def test_truncate_is_refused_on_postgresql(reversal, table):
    with (
        pytest.raises(IntegrityError, match=f"append_only_{table}_no_truncate"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        # Fire the deferred foreign-key checks of the set-up first; PostgreSQL refuses a
        # TRUNCATE while such trigger events are pending, for a reason of its own.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {table} CASCADE")
    assert Expense.objects.count() == 1
    assert Reversal.objects.count() == 1


def test_an_update_that_matches_no_row_still_works(expense):
    # Django's save() and loaddata try an UPDATE before the INSERT; row triggers let that pass.
    assert Expense.objects.filter(pk=expense.pk + 1000).update(payee="niemand") == 0
    assert Reversal.objects.filter(pk=-1).delete() == (0, {})


def test_running_totals_stay_writable(expense, budget, category):
    assert Budget.objects.filter(pk=budget.pk).update(spent=Decimal("11.00")) == 1
    assert Category.objects.filter(pk=category.pk).update(spent=Decimal("11.00")) == 1
    assert DailySpending.objects.filter(budget=budget).update(spent=Decimal("11.00")) == 1


def test_a_reversal_leaves_the_expense_row_untouched(expense, treasurer):
    before = snapshot(Expense, expense.pk)
    reverse_expense(expense=expense, reason="Falscher Betrag", created_by=treasurer)
    assert snapshot(Expense, expense.pk) == before


# The two transactional tests below run in this order: the first leaves ledger rows behind for
# the test flush, which must get past the triggers (tests/append_only.py) and put them back.


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_transactional_test_books_and_reverses(book, budget, category, treasurer):
    booked = book(category, "5.00").expense
    reverse_expense(expense=booked, reason="Test", created_by=treasurer)
    assert Reversal.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_flush_emptied_the_ledger_and_kept_the_triggers():
    assert not Expense.objects.exists()
    assert not Reversal.objects.exists()
    names = {t.name for t in append_only_triggers(connection)}
    assert {
        "append_only_budget_expense_no_update",
        "append_only_budget_reversal_no_delete",
    } <= names
