"""The one way a form with a receipt is sent: booking an expense, submitting a claim, booking an
order's invoice.

All three share what a phone on a bad line needs: a receipt checked on an earlier, refused send
is kept (``budget.uploads``) and used again unless the user says "diesen Beleg nicht verwenden"
(``drop_pending``); a form sent twice changes nothing the second time and shows what the first
send made; a refusal becomes an error on the form's field; a full or read-only disk keeps no
file either, and the page still answers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.contrib import messages

from budget import exceptions, uploads

logger = logging.getLogger(__name__)


def send_with_receipt(
    request,
    *,
    budget,
    form,
    submit: Callable,
    done: Callable,
    again: Callable,
    already: type[exceptions.BookingError],
    show_earlier: Callable,
):
    """Run ``submit(receipt)`` for a bound, sent ``form`` once it is valid; ``receipt`` is the
    new upload or the kept one.

    ``done(result)`` answers a success, ``show_earlier(exc)`` a resend (``already`` names its
    exception), ``again(pending)`` the form once more, with the kept receipt ``pending``.
    """
    pending = uploads.find(request.POST.get("pending_receipt"), owner=request.user, budget=budget)
    if request.POST.get("drop_pending"):
        uploads.discard(pending)
        pending = None
    storage_failed = False
    if form.is_valid():
        receipt = form.cleaned_data["receipt"] or (uploads.as_upload(pending) if pending else None)
        try:
            result = submit(receipt)
        except already as exc:
            # The same form again (a double tap, a resend on a bad line): show what it made.
            uploads.discard(pending)
            messages.info(request, exc.message)
            return show_earlier(exc)
        except exceptions.BookingError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            budget.refresh_from_db()  # the page shows the figures the refusal was based on
            storage_failed = isinstance(exc, exceptions.ReceiptStorageFailed)
        else:
            # A new file replaces the kept one; either way the kept one has done its job.
            uploads.discard(pending)
            return done(result)
    pending = _keep_for_the_next_send(request, form, budget, pending, storage_failed)
    form.data = form.data.copy()
    form.data["pending_receipt"] = str(pending.token) if pending else ""
    return again(pending)


def _keep_for_the_next_send(request, form, budget, pending, storage_failed):
    """Refused: keep a checked upload so that the corrected send carries it."""
    if pending is not None:
        pending.file.close()
    upload = form.cleaned_data.get("receipt") if "receipt" not in form.errors else None
    if not upload or storage_failed:  # a full or read-only disk keeps no file either
        return pending
    uploads.discard(pending)
    try:
        return uploads.stash(upload=upload, owner=request.user, budget=budget)
    except OSError:
        logger.exception("Receipt of a refused send could not be kept")
        return None
