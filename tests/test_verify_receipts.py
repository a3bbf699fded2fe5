"""manage.py verify_receipts: missing, altered and orphaned receipt files, and the quarantine."""

import io

import pytest
from django.core.management import CommandError, call_command

from budget.services.late_receipts import attach_receipt
from tests.helpers import files_under, pdf_upload

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command("verify_receipts", *args, stdout=out)
    return out.getvalue()


def run_failing(*args):
    out = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("verify_receipts", *args, stdout=out)
    return out.getvalue(), str(failed.value)


@pytest.fixture
def ledger(book, category, treasurer):
    with_file = book(category, "1.00", receipt=pdf_upload()).expense
    late = book(category, "2.00").expense
    attachment = attach_receipt(expense=late, receipt=pdf_upload(), created_by=treasurer)
    return with_file, attachment


def test_an_intact_ledger_passes(ledger):
    assert "2 Belegdatei(en) geprüft" in run()


def test_missing_file_is_reported_with_a_non_zero_exit(ledger, settings):
    with_file, _ = ledger
    (settings.MEDIA_ROOT / with_file.receipt.name).unlink()
    out, summary = run_failing()
    assert f"FEHLT: Budget {with_file.budget_id}, Beleg {with_file.receipt_number}" in out
    assert "1 fehlen" in summary


def test_altered_file_is_reported(ledger, settings):
    _, attachment = ledger
    path = settings.MEDIA_ROOT / attachment.file.name
    path.write_bytes(path.read_bytes().replace(b"200 200", b"200 201"))  # same size, other bytes
    out, summary = run_failing()
    assert "VERÄNDERT" in out and "(nachgereicht)" in out
    assert "1 verändert" in summary


def test_orphan_is_reported_and_moved_to_quarantine(ledger, settings, tmp_path):
    orphan = settings.MEDIA_ROOT / "receipts" / "1" / "abgestuerzt.pdf"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"%PDF- left by a killed worker")
    out, summary = run_failing()
    assert "VERWAIST: receipts/1/abgestuerzt.pdf" in out
    assert orphan.exists()
    quarantine = tmp_path / "quarantaene"
    out, summary = run_failing("--quarantine", str(quarantine))
    assert not orphan.exists()
    assert (quarantine / "receipts" / "1" / "abgestuerzt.pdf").read_bytes().startswith(b"%PDF-")
    assert "1 in Quarantäne verschoben" in summary
    # The referenced files stay where they are, and the next run is clean.
    assert len(files_under(settings.MEDIA_ROOT)) == 2
    assert "0 verwaist" in run()


def test_files_outside_the_receipt_folder_are_not_orphans(ledger, settings):
    other = settings.MEDIA_ROOT / "resolutions" / "1" / "anlage.pdf"
    other.parent.mkdir(parents=True)
    other.write_bytes(b"x")
    assert "0 verwaist" in run()
