"""Rendering the statement of use to PDF with WeasyPrint, which must never fetch anything.

The template is self-contained (styles inline, no images), so any URL in it can only come from
user data (a payee called ``<img src="file:///etc/passwd">`` is escaped, but a later template change
might not be). Every fetch is refused: no local files, no requests to the server's own network.
Imported lazily: WeasyPrint loads Pango and fonts, which no other page needs.
"""

from PIL import ImageFile

# Importing WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES, which would make every
# later receipt check in this worker accept a photo cut off in transfer. The statement PDF loads
# no images at all, so the flag is put back as it was.
_load_truncated = ImageFile.LOAD_TRUNCATED_IMAGES
from weasyprint import HTML  # noqa: E402
from weasyprint.urls import URLFetcher  # noqa: E402

ImageFile.LOAD_TRUNCATED_IMAGES = _load_truncated


class RefusingURLFetcher(URLFetcher):
    """Refuses every URL. WeasyPrint logs a warning for the missing resource and goes on."""

    def __init__(self):
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)

    def fetch(self, url, headers=None):
        raise ValueError(f"The statement PDF loads no resources ({url[:80]}).")


def html_to_pdf(html: str, base_url: str) -> bytes:
    return HTML(string=html, base_url=base_url, url_fetcher=RefusingURLFetcher()).write_pdf()
