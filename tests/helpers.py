import io
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf_upload(name="beleg.pdf"):
    return SimpleUploadedFile(name, MINIMAL_PDF, content_type="application/pdf")


def image_upload(fmt="PNG", name="beleg.png", content_type="image/png"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def fresh_key() -> str:
    """The one-time key a freshly rendered booking or reversal form carries."""
    return str(uuid.uuid4())


def files_under(path):
    return sorted(p for p in path.rglob("*") if p.is_file())


def assert_login_required(response):
    """Anonymous users are sent to the login page."""
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
