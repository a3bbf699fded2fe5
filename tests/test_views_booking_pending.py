"""A refused booking keeps its receipt as the user's pending upload; the corrected one books it."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from budget import uploads
from budget.models import Expense, PendingReceipt
from tests.factories import UserFactory
from tests.helpers import files_under, image_upload, pdf_upload
from tests.test_views_booking import form_data, url

pytestmark = pytest.mark.django_db


def refuse_with(client, budget, category, receipt, **overrides):
    """One cent over the cap, with a receipt attached."""
    response = client.post(
        url(budget), form_data(category, amount="2.500,01", receipt=receipt, **overrides)
    )
    assert response.status_code == 200
    assert "amount" in response.context["form"].errors
    return response


def test_refused_booking_keeps_the_photo_and_the_correction_books_it(
    client, treasurer, budget, category, settings
):
    client.force_login(treasurer)
    response = refuse_with(client, budget, category, image_upload("JPEG", "kassenbon.jpg"))
    pending = PendingReceipt.objects.get()
    page = response.content.decode()
    assert "Beleg kassenbon.jpg bleibt angehängt" in page
    assert f'value="{pending.token}"' in page
    assert reverse("budget:pending_receipt_thumbnail", args=[budget.pk, pending.token]) in page
    assert Expense.objects.count() == 0

    # Corrected amount, no new file: the kept photo is booked with the line.
    response = client.post(
        url(budget), form_data(category, amount="42,50", pending_receipt=str(pending.token))
    )
    assert response.status_code == 302
    expense = Expense.objects.get()
    assert expense.receipt_original_name == "kassenbon.jpg"
    assert expense.receipt_content_type == "image/jpeg"
    assert PendingReceipt.objects.count() == 0
    stored = files_under(settings.MEDIA_ROOT)
    assert [p.relative_to(settings.MEDIA_ROOT).parts[0] for p in stored] == ["receipts"]
    assert budget.__class__.objects.get(pk=budget.pk).missing_receipt_count == 0


def test_success_message_names_what_remains(client, treasurer, budget, category, book):
    book(category, "1135.10")
    client.force_login(treasurer)
    response = client.post(url(budget), form_data(category, amount="42,50"), follow=True)
    assert "Beleg Nr. 2 über 42,50\u00a0€ gebucht. Noch verfügbar: 1.322,40\u00a0€." in (
        response.content.decode()
    )


def test_a_new_file_replaces_the_kept_one(client, treasurer, budget, category, settings):
    client.force_login(treasurer)
    refuse_with(client, budget, category, image_upload("PNG", "erst.png"))
    first = PendingReceipt.objects.get()
    response = client.post(
        url(budget),
        form_data(
            category,
            amount="10,00",
            pending_receipt=str(first.token),
            receipt=pdf_upload("neu.pdf"),
        ),
    )
    assert response.status_code == 302
    assert Expense.objects.get().receipt_original_name == "neu.pdf"
    assert PendingReceipt.objects.count() == 0
    assert len(files_under(settings.MEDIA_ROOT)) == 1


def test_a_second_refusal_keeps_the_same_receipt(client, treasurer, budget, category):
    client.force_login(treasurer)
    refuse_with(client, budget, category, pdf_upload("Quittung.pdf"))
    token = str(PendingReceipt.objects.get().token)
    response = client.post(
        url(budget), form_data(category, amount="9.999,00", pending_receipt=token)
    )
    assert "Beleg Quittung.pdf bleibt angehängt" in response.content.decode()
    assert str(PendingReceipt.objects.get().token) == token


def test_dropping_the_kept_receipt_books_without_it(client, treasurer, budget, category, settings):
    client.force_login(treasurer)
    refuse_with(client, budget, category, pdf_upload())
    token = str(PendingReceipt.objects.get().token)
    response = client.post(
        url(budget),
        form_data(category, amount="10,00", pending_receipt=token, drop_pending="1"),
    )
    assert response.status_code == 302
    assert not Expense.objects.get().receipt
    assert PendingReceipt.objects.count() == 0
    assert files_under(settings.MEDIA_ROOT) == []


def test_someone_elses_pending_receipt_is_never_booked(client, treasurer, budget, category):
    client.force_login(treasurer)
    refuse_with(client, budget, category, pdf_upload())
    token = str(PendingReceipt.objects.get().token)
    other = UserFactory(username="zweite", role="treasurer")
    client.force_login(other)
    response = client.post(url(budget), form_data(category, amount="10,00", pending_receipt=token))
    assert response.status_code == 302
    assert not Expense.objects.get().receipt
    assert PendingReceipt.objects.get().owner == treasurer  # untouched


def test_an_expired_pending_receipt_is_not_booked_and_is_purged(
    client, treasurer, budget, category, settings
):
    client.force_login(treasurer)
    refuse_with(client, budget, category, pdf_upload())
    pending = PendingReceipt.objects.get()
    PendingReceipt.objects.filter(pk=pending.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.post(
        url(budget), form_data(category, amount="10,00", pending_receipt=str(pending.token))
    )
    assert response.status_code == 302
    assert not Expense.objects.get().receipt
    call_command("purge_pending_receipts", verbosity=0)
    assert PendingReceipt.objects.count() == 0
    assert files_under(settings.MEDIA_ROOT) == []


def test_pending_receipts_expire_after_a_day(treasurer, budget):
    pending = uploads.stash(upload=pdf_upload(), owner=treasurer, budget=budget)
    lifetime = pending.expires_at - pending.created_at
    assert datetime.timedelta(hours=23, minutes=59) < lifetime <= datetime.timedelta(hours=24)


def test_a_token_that_is_not_a_uuid_is_ignored(client, treasurer, budget, category):
    client.force_login(treasurer)
    response = client.post(url(budget), form_data(category, pending_receipt="../../etc/passwd"))
    assert response.status_code == 302
    assert not Expense.objects.get().receipt


def test_pending_thumbnail_only_for_its_owner(client, treasurer, director, budget, category):
    client.force_login(treasurer)
    refuse_with(client, budget, category, image_upload("JPEG", "foto.jpg", "image/jpeg"))
    thumb_url = reverse(
        "budget:pending_receipt_thumbnail", args=[budget.pk, PendingReceipt.objects.get().token]
    )
    response = client.get(thumb_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"].startswith("private")
    client.force_login(UserFactory(username="zweite", role="treasurer"))
    assert client.get(thumb_url).status_code == 404
    client.force_login(director)
    assert client.get(thumb_url).status_code == 403
    client.logout()
    assert client.get(thumb_url).status_code == 302


def test_an_invalid_file_is_not_kept(client, treasurer, budget, category, settings):
    client.force_login(treasurer)
    bad = SimpleUploadedFile("x.pdf", b"nope", content_type="application/pdf")
    client.post(url(budget), form_data(category, amount="2.500,01", receipt=bad))
    assert PendingReceipt.objects.count() == 0
    assert files_under(settings.MEDIA_ROOT) == []


def test_form_defaults_to_today_and_limits_the_date(client, treasurer, budget):
    client.force_login(treasurer)
    page = client.get(url(budget)).content.decode()
    today = timezone.localdate().isoformat()
    assert f'value="{today}"' in page
    assert 'min="2023-11-24"' in page
    assert f'max="{today}"' in page


def test_payee_suggestions_come_from_this_budgets_payees(client, treasurer, budget, category, book):
    book(category, "10.00", payee="Bäckerei Roth")
    book(category, "10.00", payee="Copyshop Mitte")
    book(category, "10.00", payee="Bäckerei Roth")
    client.force_login(treasurer)
    page = client.get(url(budget)).content.decode()
    assert 'list="payee-suggestions"' in page
    assert 'autocomplete="organization"' not in page
    assert page.index('<option value="Bäckerei Roth">') < page.index(
        '<option value="Copyshop Mitte">'
    )
    assert page.count('<option value="Bäckerei Roth">') == 1


def test_quantity_counts_only_for_capped_categories(client, treasurer, budget, category, headsets):
    client.force_login(treasurer)
    client.post(url(budget), form_data(category, amount="5,00", quantity="4"))
    client.post(url(budget), form_data(headsets, amount="50,00", quantity="4"))
    assert sorted(Expense.objects.values_list("quantity", flat=True)) == [1, 4]


def test_booking_form_costs_a_fixed_number_of_queries(
    client, treasurer, budget, category, book, django_assert_num_queries
):
    for _ in range(3):
        book(category, "1.00")
    client.force_login(treasurer)
    client.get(url(budget))  # warm the session
    with django_assert_num_queries(8):
        client.get(url(budget))
    for _ in range(8):
        book(category, "1.00")
    with django_assert_num_queries(8):
        client.get(url(budget))


def test_start_page_offers_booking_for_each_open_budget(client, treasurer, director, budget):
    client.force_login(treasurer)
    page = client.get(reverse("budget:home")).content.decode()
    assert f'href="{url(budget)}"' in page
    client.force_login(director)
    assert f'href="{url(budget)}"' not in client.get(reverse("budget:home")).content.decode()
    assert Decimal("0") == budget.spent


def test_expense_thumbnail_is_small_upright_cached_and_private(
    client, treasurer, director, outsider, budget, category, book, settings
):
    big = io.BytesIO()
    Image.new("RGB", (4000, 3000), "white").save(big, "JPEG")
    expense = book(
        category, "5.00", receipt=SimpleUploadedFile("foto.jpg", big.getvalue(), "image/jpeg")
    ).expense
    pdf_expense = book(category, "5.00", receipt=pdf_upload()).expense
    thumb = reverse("budget:expense_thumbnail", args=[budget.pk, expense.pk, "large"])
    client.force_login(director)
    response = client.get(thumb)
    assert response.status_code == 200
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as image:
        assert max(image.size) == 640
    cached = [p for p in files_under(settings.MEDIA_ROOT) if "thumbnails" in p.parts]
    assert len(cached) == 1
    client.get(thumb)
    assert len([p for p in files_under(settings.MEDIA_ROOT) if "thumbnails" in p.parts]) == 1
    small = reverse("budget:expense_thumbnail", args=[budget.pk, expense.pk, "small"])
    assert client.get(small).status_code == 200
    bad_size = reverse("budget:expense_thumbnail", args=[budget.pk, expense.pk, "huge"])
    assert client.get(bad_size).status_code == 404
    pdf = reverse("budget:expense_thumbnail", args=[budget.pk, pdf_expense.pk, "large"])
    assert client.get(pdf).status_code == 404
    client.force_login(outsider)
    assert client.get(thumb).status_code == 403
