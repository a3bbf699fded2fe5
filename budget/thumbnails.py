"""Small JPEG previews of receipt photos, made with Pillow and cached beside the receipts.

A phone photo is 12 megapixels and several MB; the expense page and the list show a preview a few
hundred pixels wide and link to the full file. Previews are generated once per file and size,
turned upright by the photo's EXIF orientation, and stored in the same private storage (no URL;
served by the views after the same access check as the receipt itself). PDFs get no preview.
"""

from __future__ import annotations

import hashlib
import io
import warnings

from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

from budget import receipts  # noqa: F401  (registers the HEIC opener with Pillow)

SMALL = 96  # list rows
LARGE = 640  # expense page, refused booking form
SIZES = {"small": SMALL, "large": LARGE}


def cache_name(source_name: str, size: int) -> str:
    digest = hashlib.sha256(source_name.encode()).hexdigest()[:32]
    return f"thumbnails/{digest}-{size}.jpg"


def thumbnail(field_file, size: int = LARGE):
    """An open file with the JPEG preview of ``field_file`` at most ``size`` px on its longer
    side, or None when the file is not an image Pillow can read. Cached in the file's storage."""
    storage = field_file.storage
    name = cache_name(field_file.name, size)
    if storage.exists(name):
        return storage.open(name, "rb")
    data = render(field_file, size)
    if data is None:
        return None
    stored = storage.save(name, ContentFile(data))
    return storage.open(stored, "rb")


def render(field_file, size: int) -> bytes | None:
    with field_file.open("rb") as handle:
        head = handle.read(8)
        if head.startswith(b"%PDF") or b"%PDF" in head:
            return None
        handle.seek(0)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(handle) as image:
                    image.draft("RGB", (size * 2, size * 2))  # JPEG: decode at reduced scale
                    upright = ImageOps.exif_transpose(image)
                    upright.thumbnail((size, size))
                    out = io.BytesIO()
                    upright.convert("RGB").save(out, "JPEG", quality=82, optimize=True)
                    return out.getvalue()
        except (
            UnidentifiedImageError,
            OSError,
            SyntaxError,
            ValueError,
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
        ):
            return None


def delete_cached(source_name: str, storage) -> None:
    for size in SIZES.values():
        storage.delete(cache_name(source_name, size))
