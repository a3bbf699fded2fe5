"""Receipt files stay intact and accounted for: fingerprint at upload, clean-up after any failure,
storage errors answered calmly, images decoded completely."""

import errno
import hashlib
import io
import logging
import os
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from budget import exceptions, receipts
from budget.exceptions import InvalidExpense, ReceiptStorageFailed
from budget.models import Budget, Expense, private_storage
from budget.services import booking
from tests.helpers import MINIMAL_PDF, files_under, fresh_key, image_upload, pdf_upload

pytestmark = pytest.mark.django_db

STORAGE_MESSAGE = (
    "Die Belegdatei konnte nicht gespeichert werden; es wurde nichts gebucht. "
    "Ohne Datei buchen oder später erneut versuchen."
)


def big_pdf(size=100_000, name="gross.pdf"):
    # A valid-looking PDF padded with a comment, larger than the small tmpfs below.
    head, rest = MINIMAL_PDF.split(b"\n", 1)
    content = head + b"\n%" + b"a" * size + b"\n" + rest
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def assert_nothing_booked(budget, media_root):
    assert Expense.objects.count() == 0
    fresh = Budget.objects.get(pk=budget.pk)
    assert fresh.spent == Decimal("0.00")
    assert fresh.last_receipt_number == 0
    assert files_under(media_root) == []


def test_hash_and_size_are_stored_at_upload(book, category, settings):
    upload = pdf_upload()
    expense = book(category, "10.00", receipt=upload).expense
    expense.refresh_from_db()
    assert expense.receipt_sha256 == hashlib.sha256(MINIMAL_PDF).hexdigest()
    assert expense.receipt_size == len(MINIMAL_PDF)
    stored = settings.MEDIA_ROOT / expense.receipt.name
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == expense.receipt_sha256


def test_expense_without_file_has_no_hash(book, category):
    expense = book(category, "10.00").expense
    expense.refresh_from_db()
    assert (expense.receipt_sha256, expense.receipt_size) == ("", None)


def test_expense_page_shows_the_hash(client, director, book, category):
    expense = book(category, "10.00", receipt=pdf_upload()).expense
    client.force_login(director)
    response = client.get(reverse("budget:expense_detail", args=[expense.budget_id, expense.pk]))
    assert hashlib.sha256(MINIMAL_PDF).hexdigest() in response.content.decode()
    assert "SHA-256" in response.content.decode()


def test_failure_after_the_file_is_written_removes_that_file(
    book, category, budget, settings, monkeypatch
):
    # Injected between writing the file and the commit: the running totals' update fails.
    def broken(*args, **kwargs):
        raise RuntimeError("injected")

    monkeypatch.setattr(booking, "_add_to_day", broken)
    # A file that happens to carry the upload's name must survive: only the generated path goes.
    bystander = settings.MEDIA_ROOT / "beleg.pdf"
    bystander.write_bytes(b"not ours")
    with pytest.raises(RuntimeError, match="injected"):
        book(category, "10.00", receipt=pdf_upload("beleg.pdf"))
    assert Expense.objects.count() == 0
    assert files_under(settings.MEDIA_ROOT) == [bystander]


def test_failure_of_the_commit_itself_removes_the_file(
    book, category, budget, settings, monkeypatch
):
    from django.db import IntegrityError

    original = Expense.save

    def refuse(self, *args, **kwargs):
        original(self, *args, **kwargs)
        raise IntegrityError("injected at the insert")

    monkeypatch.setattr(Expense, "save", refuse)
    with pytest.raises(exceptions.LedgerInconsistent):
        book(category, "10.00", receipt=pdf_upload())
    assert_nothing_booked(budget, settings.MEDIA_ROOT)


def partial_write_then(error_number):
    """A storage ``_save`` that writes half the file, then fails like a full disk would."""

    def _save(name, content):
        path = private_storage.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(content.read(10))
        raise OSError(error_number, os.strerror(error_number))

    return _save


@pytest.mark.parametrize("error_number", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_storage_error_books_nothing_and_leaves_no_file(
    book, category, budget, settings, monkeypatch, caplog, error_number
):
    monkeypatch.setattr(private_storage, "_save", partial_write_then(error_number))
    bystander = settings.MEDIA_ROOT / "beleg.pdf"
    bystander.write_bytes(b"not ours")
    with caplog.at_level(logging.ERROR), pytest.raises(ReceiptStorageFailed) as refused:
        book(category, "10.00", receipt=pdf_upload("beleg.pdf"))
    assert str(refused.value) == STORAGE_MESSAGE
    assert Expense.objects.count() == 0
    assert files_under(settings.MEDIA_ROOT) == [bystander]
    assert os.strerror(error_number) in caplog.text


def test_disk_full_gives_the_form_again(client, treasurer, budget, category, settings, monkeypatch):
    monkeypatch.setattr(private_storage, "_save", partial_write_then(errno.ENOSPC))
    client.force_login(treasurer)
    response = client.post(
        reverse("budget:expense_new", args=[budget.pk]),
        {
            "category": category.pk,
            "spent_on": "15.01.2024",
            "payee": "Bäckerei Roth",
            "description": "Frühstück",
            "amount": "86,45",
            "quantity": "1",
            "one_time_key": fresh_key(),
            "receipt": pdf_upload(),
        },
    )
    assert response.status_code == 200
    assert STORAGE_MESSAGE in response.content.decode()
    assert_nothing_booked(budget, settings.MEDIA_ROOT)


# --- a real full or read-only receipt folder --------------------------------------------------


@pytest.fixture
def tmpfs_media(tmp_path, settings):
    """MEDIA_ROOT on a 64 KiB tmpfs (root only). Yields a function that remounts it read-only."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("needs root to mount a tmpfs")
    target = tmp_path / "tmpfs-media"
    target.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", str(target)],
        capture_output=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"tmpfs not available here: {mounted.stderr.decode().strip()}")
    settings.MEDIA_ROOT = target

    def read_only():
        subprocess.run(["mount", "-o", "remount,ro", str(target)], check=True)

    try:
        yield read_only
    finally:
        subprocess.run(["umount", str(target)], check=True)


def booking_post(client, budget, category, receipt):
    return client.post(
        reverse("budget:expense_new", args=[budget.pk]),
        {
            "category": category.pk,
            "spent_on": "15.01.2024",
            "payee": "Bäckerei Roth",
            "description": "Frühstück",
            "amount": "86,45",
            "quantity": "1",
            "one_time_key": fresh_key(),
            "receipt": receipt,
        },
    )


def test_full_receipt_folder_gives_the_form_and_books_nothing(
    client, treasurer, budget, category, tmpfs_media, settings, caplog
):
    client.force_login(treasurer)
    with caplog.at_level(logging.ERROR):
        response = booking_post(client, budget, category, big_pdf(100_000))
    assert response.status_code == 200
    assert STORAGE_MESSAGE in response.content.decode()
    assert_nothing_booked(budget, settings.MEDIA_ROOT)
    assert "No space left on device" in caplog.text
    # A small file still fits: the folder works again once there is room.
    assert booking_post(client, budget, category, pdf_upload()).status_code == 302
    assert Expense.objects.count() == 1


def test_read_only_receipt_folder_gives_the_form_and_books_nothing(
    client, treasurer, budget, category, tmpfs_media, settings, caplog
):
    tmpfs_media()
    client.force_login(treasurer)
    with caplog.at_level(logging.ERROR):
        response = booking_post(client, budget, category, pdf_upload())
    assert response.status_code == 200
    assert STORAGE_MESSAGE in response.content.decode()
    assert_nothing_booked(budget, settings.MEDIA_ROOT)
    assert "Read-only file system" in caplog.text
    # Booking without the file still works.
    assert booking_post(client, budget, category, "").status_code == 302


# --- images are decoded completely --------------------------------------------------------------


def noisy_image(fmt):
    buffer = io.BytesIO()
    Image.effect_noise((256, 256), 64).convert("RGB").save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("fmt", "name", "content_type"),
    [("JPEG", "foto.jpg", "image/jpeg"), ("PNG", "scan.png", "image/png")]
    + ([("HEIF", "IMG_0001.HEIC", "image/heic")] if receipts.HEIF_SUPPORTED else []),
)
def test_truncated_image_is_refused(fmt, name, content_type):
    content = noisy_image(fmt)
    whole = SimpleUploadedFile(name, content, content_type=content_type)
    assert receipts.inspect(whole).content_type == content_type
    cut = SimpleUploadedFile(name, content[: len(content) * 2 // 3], content_type=content_type)
    with pytest.raises(receipts.InvalidReceipt, match="Die Bilddatei ist beschädigt"):
        receipts.inspect(cut)


def test_truncated_jpeg_is_refused_by_the_booking(book, category, settings):
    content = noisy_image("JPEG")
    cut = SimpleUploadedFile("foto.jpg", content[: len(content) // 2], content_type="image/jpeg")
    with pytest.raises(InvalidExpense) as refused:
        book(category, "10.00", receipt=cut)
    assert refused.value.field == "receipt"
    assert files_under(settings.MEDIA_ROOT) == []


def test_images_are_still_accepted(book, category):
    expense = book(category, "10.00", receipt=image_upload("JPEG", "f.jpg", "image/jpeg")).expense
    assert expense.receipt_content_type == "image/jpeg"
