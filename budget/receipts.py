"""Receipt files: recognise what a file is by its content, never by its name or the browser's word.

PDF, JPEG, PNG and HEIC/HEIF (the iPhone camera's format, read with pillow-heif) are accepted,
up to ``settings.RECEIPT_MAX_BYTES``. Images are verified and then decoded completely with Pillow,
so a renamed text file or a truncated photo is refused.

Storing: ``store`` writes the file under a generated name and returns its SHA-256 and size, which
are kept with the booking; ``discard`` removes it again when the booking does not happen. A storage
error (disk full, read-only file system, no permission) becomes ``ReceiptNotStored``, with the
partly written file removed and the cause logged. Nothing in the app deletes a stored receipt
otherwise: they are kept for ``settings.RECEIPT_RETENTION_YEARS`` (see ``budget.retention``).
"""

import hashlib
import logging
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from budget.models import private_storage

try:  # HEIC support is optional at runtime but installed by default (pyproject).
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIF_SUPPORTED = True
except ImportError:  # pragma: no cover - exercised only where pillow-heif is missing
    HEIF_SUPPORTED = False

HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
ACCEPT = "application/pdf,image/jpeg,image/png" + (
    ",image/heic,image/heif" if HEIF_SUPPORTED else ""
)


class InvalidReceipt(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ReceiptKind:
    content_type: str
    extension: str


PDF = ReceiptKind("application/pdf", ".pdf")
JPEG = ReceiptKind("image/jpeg", ".jpg")
PNG = ReceiptKind("image/png", ".png")
HEIC = ReceiptKind("image/heic", ".heic")


def _sniff(head: bytes) -> ReceiptKind | None:
    # The PDF header must open the file (whitespace or a BOM aside): an HTML page that merely
    # mentions "%PDF-" in a comment is not a receipt.
    if head.lstrip(b"\x00\t\n\r\x0c \xef\xbb\xbf").startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if HEIF_SUPPORTED and head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return HEIC
    return None


def inspect(upload) -> ReceiptKind:
    """Return what the uploaded file is, or raise ``InvalidReceipt`` with a German message."""
    size = upload.size
    if not size:
        raise InvalidReceipt(_("Die Datei ist leer."))
    if size > settings.RECEIPT_MAX_BYTES:
        raise InvalidReceipt(
            _("Die Datei ist zu groß (%(size)s). Erlaubt sind höchstens %(max)s.")
            % {"size": filesizeformat(size), "max": filesizeformat(settings.RECEIPT_MAX_BYTES)}
        )
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    kind = _sniff(head)
    if kind is None:
        raise InvalidReceipt(
            _("Dieser Dateityp wird nicht angenommen. Erlaubt sind PDF, JPEG und PNG%(heic)s.")
            % {"heic": _(" sowie HEIC") if HEIF_SUPPORTED else ""}
        )
    if kind is PDF:
        upload.seek(max(size - 2048, 0))
        tail = upload.read()
        upload.seek(0)
        if b"%%EOF" not in tail:
            raise InvalidReceipt(_("Die PDF-Datei ist unvollständig oder beschädigt."))
        return kind
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                image.verify()
            # verify() reads the structure only; a photo cut off in transfer passes it. Decoding
            # every pixel is what notices the missing end.
            upload.seek(0)
            with Image.open(upload) as image:
                image.load()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise InvalidReceipt(_("Die Bilddatei ist beschädigt oder kein gültiges Bild.")) from exc
    finally:
        upload.seek(0)
    return kind


logger = logging.getLogger(__name__)

RECEIPT_FOLDER = "receipts"
HASH_CHUNK = 1024 * 1024


class ReceiptNotStored(Exception):
    """The file could not be written; nothing of it is left behind."""


@dataclass(frozen=True)
class StoredReceipt:
    name: str
    sha256: str
    size: int


def fingerprint(handle) -> tuple[str, int]:
    """SHA-256 (hex) and size of an open binary file, read from its start; rewinds it."""
    digest = hashlib.sha256()
    size = 0
    handle.seek(0)
    while chunk := handle.read(HASH_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    handle.seek(0)
    return digest.hexdigest(), size


def receipt_name(budget_id: int, kind: ReceiptKind) -> str:
    # A generated name, never the uploaded one; the extension follows the content.
    return f"{RECEIPT_FOLDER}/{budget_id}/{uuid.uuid4().hex}{kind.extension}"


def store(upload, *, budget_id: int, kind: ReceiptKind, storage=None) -> StoredReceipt:
    """Write ``upload`` under a new generated name. Raises ``ReceiptNotStored`` on a storage
    error, after removing whatever part of the file was written."""
    storage = storage or private_storage
    sha256, size = fingerprint(upload)
    name = receipt_name(budget_id, kind)
    try:
        stored_name = storage.save(name, upload, max_length=200)
    except OSError as exc:
        logger.error("Receipt file %s could not be stored: %s", name, exc)
        discard(name, storage=storage)
        raise ReceiptNotStored(str(exc)) from exc
    return StoredReceipt(name=stored_name, sha256=sha256, size=size)


def discard(name: str, *, storage=None) -> None:
    """Remove a file written for a booking that did not happen. Never raises: the booking's own
    error is what the user must see; a file left over is what ``verify_receipts`` reports."""
    storage = storage or private_storage
    try:
        storage.delete(name)
    except OSError as exc:
        logger.error("Receipt file %s of a failed booking could not be removed: %s", name, exc)
