"""Check every receipt file against the SHA-256 and size recorded when it was uploaded.

Reports, and exits with a non-zero status if it finds any:

* missing files: a booking (or a receipt handed in later) names a file that is not there;
* altered files: the file's size or SHA-256 differs from what was recorded;
* orphans: files under the receipt folder that no booking refers to (left by a worker that was
  killed between writing the file and the commit). ``--quarantine DIR`` moves them there,
  keeping their relative path; nothing is ever deleted.

Meant for a nightly cron job (see README). Receipts booked before fingerprints were recorded have
no hash; they are checked for presence only and counted separately.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from budget.models import Expense, ReceiptAttachment
from budget.receipts import RECEIPT_FOLDER, fingerprint


@dataclass
class Findings:
    checked: int = 0
    unhashed: int = 0
    missing: list[str] = field(default_factory=list)
    altered: list[str] = field(default_factory=list)
    orphans: list[Path] = field(default_factory=list)

    @property
    def problems(self) -> int:
        return len(self.missing) + len(self.altered) + len(self.orphans)


def recorded_receipts():
    """(label, stored name, sha256, size) of every receipt file the ledger refers to."""
    expenses = (
        Expense.objects.exclude(receipt="")
        .order_by("budget_id", "receipt_number")
        .values_list("budget_id", "receipt_number", "receipt", "receipt_sha256", "receipt_size")
        .iterator(chunk_size=2000)
    )
    for budget_id, number, name, sha256, size in expenses:
        yield f"Budget {budget_id}, Beleg {number}", name, sha256, size
    attached = (
        ReceiptAttachment.objects.order_by("expense__budget_id", "expense__receipt_number")
        .values_list("expense__budget_id", "expense__receipt_number", "file", "sha256", "size")
        .iterator(chunk_size=2000)
    )
    for budget_id, number, name, sha256, size in attached:
        yield f"Budget {budget_id}, Beleg {number} (nachgereicht)", name, sha256, size


def check(media_root: Path) -> Findings:
    findings = Findings()
    known: set[str] = set()
    for label, name, sha256, size in recorded_receipts():
        known.add(name)
        findings.checked += 1
        path = media_root / name
        if not path.is_file():
            findings.missing.append(f"{label}: {name}")
            continue
        if not sha256:
            findings.unhashed += 1
            continue
        with path.open("rb") as handle:
            actual_sha256, actual_size = fingerprint(handle)
        if actual_sha256 != sha256 or (size is not None and actual_size != size):
            findings.altered.append(
                f"{label}: {name} (erwartet {size} Bytes, SHA-256 {sha256}; "
                f"gefunden {actual_size} Bytes, SHA-256 {actual_sha256})"
            )
    folder = media_root / RECEIPT_FOLDER
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.relative_to(media_root).as_posix() not in known:
                findings.orphans.append(path)
    return findings


class Command(BaseCommand):
    help = (
        "Prüft alle Belegdateien gegen die beim Hochladen gespeicherte Prüfsumme (SHA-256) und "
        "Größe; meldet fehlende, veränderte und verwaiste Dateien."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--quarantine",
            metavar="DIR",
            help="Verwaiste Dateien in dieses Verzeichnis verschieben (nichts wird gelöscht).",
        )

    def handle(self, *args, quarantine=None, **options):
        media_root = Path(settings.MEDIA_ROOT)
        findings = check(media_root)
        for line in findings.missing:
            self.stdout.write(f"FEHLT: {line}")
        for line in findings.altered:
            self.stdout.write(f"VERÄNDERT: {line}")
        moved = 0
        for path in findings.orphans:
            relative = path.relative_to(media_root)
            if quarantine:
                destination = Path(quarantine) / relative
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(path), str(destination))
                moved += 1
                self.stdout.write(f"VERWAIST, verschoben nach {destination}: {relative}")
            else:
                self.stdout.write(f"VERWAIST: {relative}")
        summary = (
            f"{findings.checked} Belegdatei(en) geprüft ({findings.unhashed} ohne gespeicherte "
            f"Prüfsumme, nur auf Vorhandensein geprüft): {len(findings.missing)} fehlen, "
            f"{len(findings.altered)} verändert, {len(findings.orphans)} verwaist"
            + (f", davon {moved} in Quarantäne verschoben" if quarantine else "")
            + "."
        )
        if findings.problems:
            raise CommandError(summary)
        if options["verbosity"] > 0:
            self.stdout.write(self.style.SUCCESS(summary))
