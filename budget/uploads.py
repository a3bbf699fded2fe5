"""Receipts kept across a refused booking.

A treasurer who photographs a receipt and types one cent too much must not lose the photo: when a
booking is refused, the already checked upload is stored as a ``PendingReceipt`` that belongs to
that user and that budget, and the refused form carries only its random token. The corrected
booking hands the file to ``record_expense``, which checks it again like any upload, and the
pending row is removed. Pending files are private (no URL; only their owner can fetch a
thumbnail), and expire after ``PENDING_RECEIPT_HOURS``; every new stash purges expired ones, and
``manage.py purge_pending_receipts`` does the same from cron.
"""

from __future__ import annotations

import datetime
import uuid

from django.core.files import File
from django.utils import timezone

from budget import receipts, thumbnails
from budget.models import PendingReceipt

PENDING_RECEIPT_HOURS = 24


def stash(*, upload, owner, budget) -> PendingReceipt:
    """Keep a refused booking's receipt for its owner (``upload`` is checked again here)."""
    kind = receipts.inspect(upload)
    purge_expired()
    name = _base_name(getattr(upload, "name", "") or f"beleg{kind.extension}")
    pending = PendingReceipt(
        owner=owner,
        budget=budget,
        original_name=name,
        content_type=kind.content_type,
        size=upload.size,
        expires_at=timezone.now() + datetime.timedelta(hours=PENDING_RECEIPT_HOURS),
    )
    upload.seek(0)
    pending.file.save(f"beleg{kind.extension}", upload, save=False)
    pending.save()
    return pending


def find(token, *, owner, budget) -> PendingReceipt | None:
    """The user's own unexpired pending receipt for this budget, or None (never someone else's)."""
    try:
        token = uuid.UUID(str(token))
    except (TypeError, ValueError, AttributeError):
        return None
    return (
        PendingReceipt.objects.unexpired().filter(token=token, owner=owner, budget=budget).first()
    )


def as_upload(pending: PendingReceipt) -> File:
    """The pending file as an upload for ``record_expense``, under its original name."""
    return File(pending.file.open("rb"), name=pending.original_name)


def discard(pending: PendingReceipt | None) -> None:
    if pending is None:
        return
    pending.file.close()
    thumbnails.delete_cached(pending.file.name, pending.file.storage)
    pending.file.storage.delete(pending.file.name)
    pending.delete()


def purge_expired(now=None) -> int:
    expired = list(PendingReceipt.objects.filter(expires_at__lte=now or timezone.now()))
    for pending in expired:
        discard(pending)
    return len(expired)


def _base_name(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1][:255]
