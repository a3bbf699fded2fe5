"""The resolution record and its attachments (e.g. the signed scan)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from budget.models import ResolutionAttachment
from tests.helpers import MINIMAL_PDF, assert_login_required

pytestmark = pytest.mark.django_db


@pytest.fixture
def attachment(budget):
    return ResolutionAttachment.objects.create(
        resolution=budget.resolution,
        file=SimpleUploadedFile("Beschluss-16-2023-unterschrieben.pdf", MINIMAL_PDF),
        original_name="Beschluss-16-2023-unterschrieben.pdf",
        description="unterschriebener Scan",
    )


def urls(attachment):
    resolution = attachment.resolution
    return [
        reverse("budget:resolution", args=[resolution.pk]),
        reverse("budget:attachment", args=[resolution.pk, attachment.pk]),
    ]


def test_anonymous_is_sent_to_login(client, attachment):
    for url in urls(attachment):
        assert_login_required(client.get(url))


@pytest.mark.parametrize(
    ("role", "status"), [("treasurer", 200), ("director", 200), ("outsider", 403)]
)
def test_access_per_role(client, attachment, request, role, status):
    client.force_login(request.getfixturevalue(role))
    assert [client.get(url).status_code for url in urls(attachment)] == [status, status]


def test_resolution_page_shows_the_record(client, director, attachment, budget):
    client.force_login(director)
    page = client.get(urls(attachment)[0]).content.decode()
    resolution = budget.resolution
    assert resolution.reference in page and resolution.title in page
    assert "11 / 0 / 1" in page and "mit Zusatz beschlossen" in page
    assert "unterschriebener Scan" in page


def test_attachment_is_a_private_download(client, director, attachment, settings):
    client.force_login(director)
    response = client.get(urls(attachment)[1])
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == MINIMAL_PDF
    stored = attachment.file.name
    assert client.get(f"/media/{stored}").status_code == 404


def test_attachment_of_another_resolution_is_404(client, director, attachment):
    from tests.factories import ResolutionFactory

    other = ResolutionFactory()
    client.force_login(director)
    url = reverse("budget:attachment", args=[other.pk, attachment.pk])
    assert client.get(url).status_code == 404
