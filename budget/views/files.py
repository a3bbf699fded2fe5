"""Answering with a file: a private receipt, its preview, a download (export, statement, SEPA).

Receipts have no public URL (``budget.models.files.PrivateStorage``); a view checks access first
and then streams the file from here, or lets nginx send it (``RECEIPTS_X_ACCEL``).
"""

from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from budget import thumbnails

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download_headers(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=0, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# A receipt is whatever someone uploaded: a PDF may carry JavaScript, a "PDF" may be HTML. Shown
# inline on the app's own origin it must not run anything, so it is sandboxed (an opaque origin,
# no scripts, no requests) and never sniffed into another type.
PRIVATE_FILE_CSP = "sandbox; default-src 'none'"


def private_file(field_file, filename, content_type, *, as_attachment):
    if settings.RECEIPTS_X_ACCEL:
        # The access check is done; nginx sends the file from its internal location.
        if not field_file.storage.exists(field_file.name):
            raise Http404(_("Die Datei ist nicht mehr vorhanden."))
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = (
            settings.RECEIPTS_X_ACCEL.rstrip("/") + "/" + quote(field_file.name)
        )
        response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    else:
        try:
            handle = field_file.open("rb")
        except FileNotFoundError:
            raise Http404(_("Die Datei ist nicht mehr vorhanden.")) from None
        response = FileResponse(
            handle, content_type=content_type, as_attachment=as_attachment, filename=filename
        )
    response["Content-Security-Policy"] = PRIVATE_FILE_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=0, no-store"
    return response


def thumbnail_response(field_file, size):
    try:
        handle = thumbnails.thumbnail(field_file, size)
    except FileNotFoundError:
        raise Http404(_("Die Datei ist nicht mehr vorhanden.")) from None
    if handle is None:
        raise Http404(_("Für diese Datei gibt es keine Vorschau."))
    response = FileResponse(handle, content_type="image/jpeg")
    response["Content-Security-Policy"] = PRIVATE_FILE_CSP
    response["X-Content-Type-Options"] = "nosniff"
    return response
