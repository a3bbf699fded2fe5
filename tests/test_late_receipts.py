"""Handing in a receipt after the booking: once, its own record, the expense untouched."""

import datetime
import hashlib

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from budget.exceptions import BudgetClosed, InvalidExpense
from budget.models import Budget, Expense, ReceiptAttachment
from budget.reports.exports import csv_chunks
from budget.services import reverse_expense
from budget.services.late_receipts import ReceiptAlreadyPresent, attach_receipt
from tests.append_only import append_only_triggers
from tests.helpers import MINIMAL_PDF, files_under, image_upload, pdf_upload

pytestmark = pytest.mark.django_db


def attach_url(expense):
    return reverse("budget:expense_attach_receipt", args=[expense.budget_id, expense.pk])


def detail_url(expense):
    return reverse("budget:expense_detail", args=[expense.budget_id, expense.pk])


def expense_row(expense):
    return Expense.objects.filter(pk=expense.pk).values().get()


@pytest.fixture
def unreceipted(book, category):
    return book(category, "42.00").expense


def test_attaching_records_who_when_hash_and_size_and_leaves_the_expense_as_booked(
    unreceipted, treasurer, budget, settings
):
    before = expense_row(unreceipted)
    assert Budget.objects.get(pk=budget.pk).missing_receipt_count == 1
    attachment = attach_receipt(
        expense=unreceipted, receipt=pdf_upload("spaet.pdf"), created_by=treasurer
    )
    assert expense_row(unreceipted) == before
    attachment.refresh_from_db()
    assert attachment.created_by == treasurer
    assert attachment.created_at is not None and attachment.created_at > before["created_at"]
    assert attachment.sha256 == hashlib.sha256(MINIMAL_PDF).hexdigest()
    assert attachment.size == len(MINIMAL_PDF)
    assert attachment.original_name == "spaet.pdf"
    assert attachment.file.name.startswith(f"receipts/{budget.pk}/")
    assert (settings.MEDIA_ROOT / attachment.file.name).read_bytes() == MINIMAL_PDF
    assert Budget.objects.get(pk=budget.pk).missing_receipt_count == 0


def test_a_receipt_is_attached_only_once(unreceipted, treasurer, settings):
    attach_receipt(expense=unreceipted, receipt=pdf_upload(), created_by=treasurer)
    with pytest.raises(ReceiptAlreadyPresent):
        attach_receipt(expense=unreceipted, receipt=pdf_upload(), created_by=treasurer)
    assert ReceiptAttachment.objects.count() == 1
    assert len(files_under(settings.MEDIA_ROOT)) == 1


def test_an_expense_booked_with_a_file_takes_no_second(book, category, treasurer, settings):
    expense = book(category, "1.00", receipt=pdf_upload()).expense
    with pytest.raises(ReceiptAlreadyPresent):
        attach_receipt(expense=expense, receipt=pdf_upload(), created_by=treasurer)
    assert len(files_under(settings.MEDIA_ROOT)) == 1


def test_invalid_file_is_refused_and_nothing_kept(unreceipted, treasurer, settings, budget):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(InvalidExpense):
        attach_receipt(
            expense=unreceipted,
            receipt=SimpleUploadedFile("x.pdf", b"<html>", content_type="application/pdf"),
            created_by=treasurer,
        )
    assert ReceiptAttachment.objects.count() == 0
    assert files_under(settings.MEDIA_ROOT) == []
    assert Budget.objects.get(pk=budget.pk).missing_receipt_count == 1


def test_closed_budget_takes_no_late_receipt(unreceipted, treasurer, budget, settings):
    Budget.objects.filter(pk=budget.pk).update(is_closed=True)
    with pytest.raises(BudgetClosed):
        attach_receipt(expense=unreceipted, receipt=pdf_upload(), created_by=treasurer)
    assert files_under(settings.MEDIA_ROOT) == []


def test_reversed_expense_keeps_the_counter_right(unreceipted, treasurer, budget):
    reverse_expense(expense=unreceipted, reason="doppelt", created_by=treasurer)
    assert Budget.objects.get(pk=budget.pk).missing_receipt_count == 0
    attach_receipt(expense=unreceipted, receipt=pdf_upload(), created_by=treasurer)
    assert Budget.objects.get(pk=budget.pk).missing_receipt_count == 0


def test_reversing_after_a_late_receipt_keeps_the_counter_right(
    book, category, unreceipted, treasurer, budget
):
    book(category, "1.00")
    attach_receipt(expense=unreceipted, receipt=pdf_upload(), created_by=treasurer)
    assert Budget.objects.get(pk=budget.pk).missing_receipt_count == 1
    reverse_expense(expense=unreceipted, reason="doppelt", created_by=treasurer)
    assert Budget.objects.get(pk=budget.pk).missing_receipt_count == 1


def test_verify_totals_agrees_with_the_counter(unreceipted, treasurer):
    from django.core.management import call_command

    attach_receipt(expense=unreceipted, receipt=pdf_upload(), created_by=treasurer)
    call_command("verify_totals", verbosity=0)  # raises CommandError on any difference


def test_the_record_is_never_changed_or_deleted_through_django(unreceipted, treasurer):
    attachment = attach_receipt(expense=unreceipted, receipt=pdf_upload(), created_by=treasurer)
    with pytest.raises(ValueError, match="never changed"):
        attachment.save()
    with pytest.raises(ValueError, match="never deleted"):
        attachment.delete()


# --- the page ---------------------------------------------------------------------------------


def test_treasurer_is_offered_beleg_nachreichen(client, treasurer, unreceipted):
    client.force_login(treasurer)
    page = client.get(detail_url(unreceipted)).content.decode()
    assert "Beleg nachreichen" in page
    assert attach_url(unreceipted) in page


def test_director_is_not_offered_it_and_may_not_post(client, director, unreceipted):
    client.force_login(director)
    assert "Beleg nachreichen" not in client.get(detail_url(unreceipted)).content.decode()
    assert client.get(attach_url(unreceipted)).status_code == 403
    assert client.post(attach_url(unreceipted), {"receipt": pdf_upload()}).status_code == 403
    assert ReceiptAttachment.objects.count() == 0


def test_posting_the_file_attaches_it_and_the_dashboard_count_falls(
    client, treasurer, unreceipted, budget
):
    client.force_login(treasurer)
    dashboard = reverse("budget:budget_dashboard", args=[budget.pk])
    assert "1 ohne Belegdatei" in client.get(dashboard).content.decode()
    response = client.post(attach_url(unreceipted), {"receipt": image_upload()})
    assert response.status_code == 302
    assert response["Location"] == detail_url(unreceipted)
    page = client.get(detail_url(unreceipted)).content.decode()
    assert "Beleg nachreichen" not in page
    assert 'id="late-receipt"' in page
    attachment = ReceiptAttachment.objects.get()
    assert attachment.sha256 in page
    assert "0 ohne Belegdatei" in client.get(dashboard).content.decode()
    receipt = client.get(reverse("budget:expense_receipt", args=[budget.pk, unreceipted.pk]))
    assert receipt.status_code == 200
    assert receipt["Content-Type"] == "image/png"


def test_posting_without_a_file_shows_the_form_again(client, treasurer, unreceipted):
    client.force_login(treasurer)
    response = client.post(attach_url(unreceipted), {})
    assert response.status_code == 200
    assert "Bitte eine Belegdatei auswählen." in response.content.decode()


def test_a_second_post_answers_calmly(client, treasurer, unreceipted):
    client.force_login(treasurer)
    client.post(attach_url(unreceipted), {"receipt": pdf_upload()})
    response = client.post(attach_url(unreceipted), {"receipt": pdf_upload()})
    assert response.status_code == 302
    assert ReceiptAttachment.objects.count() == 1


def test_exports_and_statement_show_the_late_receipt(
    client, director, unreceipted, treasurer, budget
):
    attach_receipt(expense=unreceipted, receipt=pdf_upload(), created_by=treasurer)
    csv = b"".join(csv_chunks(budget)).decode("utf-8-sig")
    assert "ja, nachgereicht am" in csv
    client.force_login(director)
    statement = client.get(reverse("budget:budget_statement", args=[budget.pk])).content.decode()
    assert "nachgereicht am" in statement
    assert "fehlt" not in statement


def test_expense_list_marks_it_as_having_a_file(client, director, unreceipted, treasurer, budget):
    attach_receipt(expense=unreceipted, receipt=pdf_upload(), created_by=treasurer)
    client.force_login(director)
    page = client.get(reverse("budget:expense_list", args=[budget.pk])).content.decode()
    assert "Belegdatei vorhanden" in page


# --- retention --------------------------------------------------------------------------------


def test_dashboard_shows_until_when_receipts_are_kept(client, director, book, category, budget):
    client.force_login(director)
    dashboard = reverse("budget:budget_dashboard", args=[budget.pk])
    assert (
        "10 Jahre nach Ende des Jahres der letzten Buchung"
        in client.get(dashboard).content.decode()
    )
    expense = book(category, "5.00").expense
    booked_year = expense.created_at.year
    page = client.get(dashboard).content.decode()
    assert f"bis zum 31.12.{booked_year + 10} aufbewahrt" in page


def test_retention_counts_from_the_latest_entry_of_any_kind(
    book, category, treasurer, budget, settings
):
    from budget import retention

    expense = book(category, "5.00").expense
    Expense.objects.filter(pk=expense.pk)  # booked in the current year
    later = reverse_expense(expense=expense, reason="Irrtum", created_by=treasurer)
    assert retention.last_booking(budget) == later.created_at
    budget.refresh_from_db()
    assert budget.last_booked_at == later.created_at  # the running value the dashboard reads
    settings.RECEIPT_RETENTION_YEARS = 12
    assert retention.kept_until(budget) == datetime.date(later.created_at.year + 12, 12, 31)
    # A year-end booking at 23:30 local time belongs to that year, not to the UTC new year.
    silvester = datetime.datetime(2024, 12, 31, 22, 30, tzinfo=datetime.UTC)
    assert retention.kept_until(budget, last=silvester) == datetime.date(2036, 12, 31)


def test_retention_setting_refuses_less_than_ten_years(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from telefonaktion.settings import env_int

    monkeypatch.setenv("RECEIPT_RETENTION_YEARS", "5")
    with pytest.raises(ImproperlyConfigured):
        env_int("RECEIPT_RETENTION_YEARS", 10, minimum=10)
    monkeypatch.setenv("RECEIPT_RETENTION_YEARS", "zehn")
    with pytest.raises(ImproperlyConfigured):
        env_int("RECEIPT_RETENTION_YEARS", 10, minimum=10)
    monkeypatch.setenv("RECEIPT_RETENTION_YEARS", "12")
    assert env_int("RECEIPT_RETENTION_YEARS", 10, minimum=10) == 12


# --- the database refuses to rewrite the record (append-only triggers) -------------------------


@pytest.fixture
def attachment(unreceipted, treasurer):
    return attach_receipt(expense=unreceipted, receipt=pdf_upload(), created_by=treasurer)


def attachment_row(attachment):
    return ReceiptAttachment.objects.filter(pk=attachment.pk).values().get()


def test_the_table_has_its_triggers():
    names = {t.name for t in append_only_triggers(connection)}
    assert {
        "append_only_budget_receiptattachment_no_update",
        "append_only_budget_receiptattachment_no_delete",
    } <= names
    # Adding the fingerprint columns rebuilt budget_expense on SQLite: its triggers are back.
    assert {
        "append_only_budget_expense_no_update",
        "append_only_budget_expense_no_delete",
    } <= names


def test_queryset_update_of_a_late_receipt_is_refused(attachment):
    before = attachment_row(attachment)
    with (
        pytest.raises(IntegrityError, match="append_only_budget_receiptattachment_no_update"),
        transaction.atomic(),
    ):
        ReceiptAttachment.objects.filter(pk=attachment.pk).update(sha256="0" * 64)
    assert attachment_row(attachment) == before


def test_queryset_delete_of_a_late_receipt_is_refused(attachment):
    before = attachment_row(attachment)
    with (
        pytest.raises(IntegrityError, match="append_only_budget_receiptattachment_no_delete"),
        transaction.atomic(),
    ):
        ReceiptAttachment.objects.filter(pk=attachment.pk).delete()
    assert attachment_row(attachment) == before


@pytest.mark.parametrize(
    ("sql", "operation"),
    [
        ("UPDATE budget_receiptattachment SET file = 'x.pdf' WHERE id = %s", "update"),
        ("DELETE FROM budget_receiptattachment WHERE id = %s", "delete"),
    ],
)
def test_raw_sql_on_a_late_receipt_is_refused(attachment, sql, operation):
    before = attachment_row(attachment)
    with (
        pytest.raises(IntegrityError, match=f"append_only_budget_receiptattachment_no_{operation}"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [attachment.pk])
    assert attachment_row(attachment) == before


def test_the_fingerprint_of_a_booked_expense_cannot_be_rewritten(book, category):
    expense = book(category, "1.00", receipt=pdf_upload()).expense
    with (
        pytest.raises(IntegrityError, match="append_only_budget_expense_no_update"),
        transaction.atomic(),
    ):
        Expense.objects.filter(pk=expense.pk).update(receipt_sha256="0" * 64)
