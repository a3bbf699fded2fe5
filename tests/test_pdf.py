"""The statement PDF fetches nothing: every URL is refused, and the PDF is still written."""

import http.server
import threading

import pytest

from budget.reports.pdf import RefusingURLFetcher, html_to_pdf


@pytest.fixture
def local_server():
    """A server on 127.0.0.1 that counts requests: a refused fetch never reaches it."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("url", ["file:///etc/passwd", "data:image/png;base64,iVBORw0KGgo="])
def test_fetcher_refuses_local_files_and_data(url):
    with pytest.raises(ValueError, match="loads no resources"):
        RefusingURLFetcher()(url)


def test_pdf_with_file_and_local_urls_renders_without_fetching(local_server):
    base, hits = local_server
    html = (
        f'<html><head><link rel="stylesheet" href="{base}/style.css"></head><body>'
        f'<p>Beleg</p><img src="file:///etc/passwd"><img src="{base}/intern.png">'
        f'<p style="background: url({base}/bg.png)">x</p>'
        "</body></html>"
    )
    pdf = html_to_pdf(html, base_url=base + "/")
    assert pdf.startswith(b"%PDF")
    assert b"root:" not in pdf
    assert hits == []


def test_relative_urls_resolve_against_the_app_and_are_refused(local_server):
    base, hits = local_server
    pdf = html_to_pdf('<img src="/media/receipts/1.pdf"><p>x</p>', base_url=base + "/")
    assert pdf.startswith(b"%PDF") and hits == []


def test_importing_weasyprint_keeps_truncated_photos_refused():
    """WeasyPrint switches Pillow's LOAD_TRUNCATED_IMAGES on for the whole process on import;
    budget.reports.pdf switches it back, or receipts checked later in the worker would accept
    them."""
    from PIL import ImageFile

    import budget.reports.pdf  # noqa: F401

    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
