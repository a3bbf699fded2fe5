"""Write a consistent snapshot of every record and every receipt file (see budget/backup.py)."""

import time

from django.core.management.base import BaseCommand, CommandError

from budget import backup


class Command(BaseCommand):
    help = (
        "Sichert alle Datensätze (Beschlüsse, Budgets, Buchungen, Verlauf, Benutzer und Rollen) "
        "und alle Belegdateien in ein leeres Verzeichnis, mit Manifest (Anzahlen, Summen, "
        "Prüfsummen). Läuft, während die Anwendung weiterläuft."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="Zielverzeichnis (leer oder nicht vorhanden)")
        parser.add_argument(
            "--allow-missing-files",
            action="store_true",
            help="Auch sichern, wenn Belegdateien fehlen (sie werden im Manifest vermerkt).",
        )

    def handle(self, *args, directory, allow_missing_files=False, **options):
        started = time.perf_counter()
        try:
            result = backup.backup(directory, allow_missing_files=allow_missing_files)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"] > 0:
            rows = sum(result.counts.values())
            self.stdout.write(
                self.style.SUCCESS(
                    f"Gesichert nach {result.path}: {rows} Datensätze in {len(result.counts)} "
                    f"Tabellen, {result.files} Dateien ({result.bytes} Bytes), "
                    f"{time.perf_counter() - started:.1f} s."
                )
            )
