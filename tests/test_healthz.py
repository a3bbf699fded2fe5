"""``/healthz``: no login; 200 when the database answers and receipts can be stored, 503 naming
the failing part otherwise."""

import pytest
from django.db import DatabaseError

from budget.views import health


def test_up(client, db, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "receipts": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert list(settings.MEDIA_ROOT.iterdir()) == []  # the probe file is gone again


def test_needs_no_login_and_sets_no_cookie(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and not response.cookies


def test_receipt_folder_not_writable(client, db, settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    settings.MEDIA_ROOT = blocker / "media"  # cannot be created below a file
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "ok",
        "receipts": "error",
        "failing": ["receipts"],
    }


def test_database_down(client, db, monkeypatch):
    class BrokenCursor:
        def __enter__(self):
            raise DatabaseError("connection refused")

        def __exit__(self, *exc):
            return False

    class BrokenConnection:
        def cursor(self):
            return BrokenCursor()

    monkeypatch.setattr(health, "connection", BrokenConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]
    assert response.json()["receipts"] == "ok"


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_only_reads(client, db, method):
    assert getattr(client, method)("/healthz").status_code == 405
