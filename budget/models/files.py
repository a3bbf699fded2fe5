"""Where uploaded files live: private storage (no public URL) and generated file names."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """Files under MEDIA_ROOT that have no public URL; views stream them after an access check."""

    def url(self, name):
        raise ValueError("Private files have no public URL; use the receipt view.")


private_storage = PrivateStorage()


def receipt_upload_to(instance, filename):
    # The stored name is generated; the original name is kept as data on the expense.
    suffix = Path(filename).suffix.lower()
    return f"receipts/{instance.budget_id}/{uuid.uuid4().hex}{suffix}"


def pending_receipt_upload_to(instance, filename):
    suffix = Path(filename).suffix.lower()
    return f"pending/{instance.owner_id}/{uuid.uuid4().hex}{suffix}"


def attachment_upload_to(instance, filename):
    suffix = Path(filename).suffix.lower()
    return f"resolutions/{instance.resolution_id}/{uuid.uuid4().hex}{suffix}"


def claim_receipt_upload_to(instance, filename):
    suffix = Path(filename).suffix.lower()
    return f"claims/{instance.budget_id}/{uuid.uuid4().hex}{suffix}"


def _private_storage():
    return private_storage
