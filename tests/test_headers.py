"""Headers every response carries: the Content-Security-Policy, Permissions-Policy, private caching
for whatever a logged-in user sees, the sandbox on receipt files, and the request size limit."""

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, reverse

from budget import urls as budget_urls
from budget.models import PendingReceipt, ResolutionAttachment
from tests.helpers import image_upload, pdf_upload
from tests.test_views_booking import form_data


@pytest.fixture
def expense(book, category):
    return book(category, "86.45", receipt=pdf_upload("Quittung.pdf")).expense


@pytest.fixture
def attachment(budget):
    item = ResolutionAttachment(resolution=budget.resolution, original_name="Protokoll.pdf")
    item.file.save("protokoll.pdf", ContentFile(b"%PDF-1.4 Protokoll"), save=True)
    return item


def every_budget_page(budget, expense, attachment, image_expense, pending):
    """Every route of budget.urls with arguments that exist, so a new page cannot slip past."""
    args = {
        "pk": expense.pk,
        "budget_id": budget.pk,
        "attachment_id": attachment.pk,
        "size": "small",
        "token": pending.token,
    }
    for pattern in budget_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        # Routes of objects this test does not create (claims, orders, payout batches) get id 1
        # and may answer 404: their headers are checked all the same.
        kwargs = {name: args.get(name, 1) for name in pattern.pattern.converters}
        if pattern.name in {"resolution", "attachment"}:
            kwargs["pk"] = budget.resolution_id
        if pattern.name == "expense_thumbnail":
            kwargs["pk"] = image_expense.pk
        yield pattern.name, reverse(f"budget:{pattern.name}", kwargs=kwargs)


POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "frame-ancestors": "'self'",
    "form-action": "'self'",
    "base-uri": "'self'",
}


def directives(header: str) -> dict[str, str]:
    parts = [part.strip().split(" ", 1) for part in header.split(";") if part.strip()]
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/", "/healthz", "/keine-seite/", "/admin/login/"]
)
def test_strict_policy_on_anonymous_responses(client, db, path):
    response = client.get(path)
    policy = directives(response["Content-Security-Policy"])
    for name, value in POLICY.items():
        assert policy[name] == value, name
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_every_logged_in_page_is_private_and_under_the_policy(
    client, superuser, budget, category, book, expense, attachment
):
    client.force_login(superuser)
    image_expense = book(category, "5.00", receipt=image_upload()).expense
    # A refused booking keeps its photo as a pending receipt, which has a thumbnail route.
    refused = client.post(
        reverse("budget:expense_new", args=[budget.pk]),
        form_data(category, amount="2.500,01", receipt=image_upload()),
    )
    assert refused.status_code == 200
    pending = PendingReceipt.objects.get()
    seen = set()
    statuses = {}
    for name, url in every_budget_page(budget, expense, attachment, image_expense, pending):
        response = client.get(url)
        # 302: e.g. reopening a budget that is open sends back; 405: POST-only actions.
        assert response.status_code in {200, 302, 404, 405}, (name, response.status_code)
        statuses[name] = response.status_code
        cache = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= cache, (name, response["Cache-Control"])
        assert "public" not in cache
        assert "Content-Security-Policy" in response, name
        seen.add(name)
    assert len(seen) == len(budget_urls.urlpatterns)
    rendered = {"home", "budget_dashboard", "expense_list", "expense_new", "expense_detail"}
    rendered |= {"expense_receipt", "expense_thumbnail", "pending_receipt_thumbnail", "attachment"}
    rendered |= {"budget_summary", "budget_export_csv", "budget_export_xlsx", "resolution"}
    assert {name for name, status in statuses.items() if status == 200} >= rendered
    for url in ["/admin/", "/admin/budget/expense/", "/accounts/password_change/"]:
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_receipt_is_sandboxed(client, director, budget, expense):
    client.force_login(director)
    url = reverse("budget:expense_receipt", args=[budget.pk, expense.pk])
    for query in ({}, {"download": "1"}):
        response = client.get(url, query)
        assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "SAMEORIGIN"  # the detail page frames it


def test_resolution_attachment_is_sandboxed(client, director, budget, attachment):
    client.force_login(director)
    response = client.get(reverse("budget:attachment", args=[budget.resolution_id, attachment.pk]))
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["Content-Disposition"].startswith("attachment;")


def test_pages_may_not_be_framed_by_others(client, director, budget):
    client.force_login(director)
    response = client.get(reverse("budget:budget_dashboard", args=[budget.pk]))
    assert response["X-Frame-Options"] == "DENY"
    assert directives(response["Content-Security-Policy"])["frame-ancestors"] == "'self'"


def test_x_accel_hands_the_file_to_nginx_after_the_check(
    client, director, outsider, budget, expense, settings
):
    settings.RECEIPTS_X_ACCEL = "/_receipts/"
    url = reverse("budget:expense_receipt", args=[budget.pk, expense.pk])
    client.force_login(director)
    response = client.get(url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_receipts/{expense.receipt.name}"
    assert response.content == b""
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert "no-store" in response["Cache-Control"]
    client.force_login(outsider)
    denied = client.get(url)
    assert denied.status_code == 403 and "X-Accel-Redirect" not in denied


def test_x_accel_answers_404_for_a_vanished_file(client, director, budget, expense, settings):
    settings.RECEIPTS_X_ACCEL = "/_receipts/"
    expense.receipt.storage.delete(expense.receipt.name)
    client.force_login(director)
    response = client.get(reverse("budget:expense_receipt", args=[budget.pk, expense.pk]))
    assert response.status_code == 404 and "X-Accel-Redirect" not in response


def test_without_x_accel_the_app_streams_the_file(client, director, budget, expense):
    client.force_login(director)
    response = client.get(reverse("budget:expense_receipt", args=[budget.pk, expense.pk]))
    assert "X-Accel-Redirect" not in response
    assert b"".join(response.streaming_content).startswith(b"%PDF")


# --- request size ---------------------------------------------------------------------------


def post_of_length(client, url, length):
    return client.generic("POST", url, b"x" * length, content_type="application/octet-stream")


def test_request_body_limit_is_receipt_limit_plus_margin(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == settings.RECEIPT_MAX_BYTES + 2 * 1024 * 1024


def test_body_over_the_limit_is_refused_before_it_is_read(client, treasurer, budget, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(treasurer)
    url = reverse("budget:expense_new", args=[budget.pk])
    over = post_of_length(client, url, 1001)
    assert over.status_code == 413
    assert "zu groß" in over.content.decode()
    # Exactly at the limit the request reaches the view (which answers with the form).
    assert post_of_length(client, url, 1000).status_code == 200
