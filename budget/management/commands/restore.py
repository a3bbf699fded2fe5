"""Load a snapshot written by `manage.py backup` into an empty, migrated database."""

import time

from django.core.management.base import BaseCommand, CommandError

from budget import backup


class Command(BaseCommand):
    help = (
        "Stellt eine Sicherung in eine leere, migrierte Datenbank (SQLite oder PostgreSQL) wieder "
        "her. Prüft vorher Manifest, Prüfsummen und Summen; bei einem Fehler bleibt alles, wie "
        "es war."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="Verzeichnis einer Sicherung")

    def handle(self, *args, directory, **options):
        started = time.perf_counter()
        try:
            result = backup.restore(directory)
        except backup.BackupError as exc:
            raise CommandError(f"Nicht wiederhergestellt: {exc}") from exc
        if options["verbosity"] > 0:
            rows = sum(result.counts.values())
            self.stdout.write(
                self.style.SUCCESS(
                    f"Wiederhergestellt: {rows} Datensätze in {len(result.counts)} Tabellen, "
                    f"{result.files} Dateien; Summen und verify_totals stimmen, "
                    f"{time.perf_counter() - started:.1f} s."
                )
            )
