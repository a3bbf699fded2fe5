"""Backup and restore lose nothing: every record, every receipt file, on either database.

Most tests build a ledger inside a savepoint, back it up, and roll the savepoint back, so the
same (now empty, migrated) test database is the restore target. The tests at the end restore
into a really fresh database in another process: a new SQLite file and a new PostgreSQL
database, so SQLite → PostgreSQL is exercised by the SQLite run of the suite and
PostgreSQL → SQLite by the PostgreSQL run.
"""

import datetime
import hashlib
import json
import os
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction

from budget import backup
from budget.backup import BackupError
from budget.models import Budget, Category, Expense, ReceiptAttachment, Reversal
from budget.reports import dashboard as reports
from budget.services import record_expense, reverse_expense
from budget.services.late_receipts import attach_receipt
from tests.factories import BudgetFactory, CategoryFactory, UserFactory
from tests.helpers import files_under, image_upload, pdf_upload

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


class Rollback(Exception):
    pass


def build_ledger():
    """Two budgets with bookings, receipts, a reversal, a late receipt and some history."""
    treasurer = UserFactory(username="schatzmeisterin", role="treasurer", first_name="Kim")
    UserFactory(username="lgf", role="director")
    first = BudgetFactory(name="Telefonaktion 2024", cap=Decimal("2500.00"))
    food = CategoryFactory(budget=first, name="Verpflegung")
    headsets = CategoryFactory(budget=first, name="Headsets", quantity_cap=15)
    second = BudgetFactory(name="Plakate", cap=Decimal("800.00"))
    posters = CategoryFactory(budget=second, name="Druck")

    def book(category, amount, **kwargs):
        return record_expense(
            budget=category.budget_id,
            category=category,
            spent_on=datetime.date(2024, 1, 15),
            payee="Bäckerei Roth; „Zum Anker“",
            description="Verpflegung\nTelefonabend",
            amount=Decimal(amount),
            created_by=treasurer,
            **kwargs,
        ).expense

    book(food, "86.45", receipt=pdf_upload())
    book(headsets, "342.93", quantity=7, receipt=image_upload())
    wrong = book(food, "12.50", receipt=pdf_upload("falsch.pdf"))
    reverse_expense(expense=wrong, reason="doppelt gebucht", created_by=treasurer)
    late = book(food, "19.99")
    attach_receipt(expense=late, receipt=pdf_upload("spaet.pdf"), created_by=treasurer)
    book(food, "5.00")  # no receipt at all
    book(posters, "799.99", receipt=pdf_upload())
    first.cap = Decimal("2600.00")
    first.save()
    return {
        budget.pk: reports.summary(Budget.objects.get(pk=budget.pk)) for budget in (first, second)
    }


def state():
    """What must survive: summaries, ledger rows, receipt files, history, roles."""
    summaries = {
        budget.pk: reports.summary(budget)
        for budget in Budget.objects.with_resolution().order_by("pk")
    }
    return {
        "summaries": summaries,
        "counters": list(
            Category.objects.order_by("pk").values_list(
                "pk", "active_expense_count", "reversal_count"
            )
        ),
        "last_booked_at": list(Budget.objects.order_by("pk").values_list("pk", "last_booked_at")),
        "expenses": list(Expense.objects.order_by("pk").values()),
        "reversals": list(Reversal.objects.order_by("pk").values()),
        "attachments": list(ReceiptAttachment.objects.order_by("pk").values()),
        "budget_history": list(
            Budget.history.order_by("history_id").values("id", "cap", "history_type")
        ),
        "roles": sorted(
            (user.username, group.name)
            for group in Group.objects.all()
            for user in group.user_set.all()
        ),
        "files": {
            path.relative_to(django_settings.MEDIA_ROOT).as_posix(): hashlib.sha256(
                path.read_bytes()
            ).hexdigest()
            for path in files_under(Path(django_settings.MEDIA_ROOT))
        },
    }


@pytest.fixture
def snapshot(tmp_path, settings):
    """Back up a fresh ledger, then forget it: the database is empty again and MEDIA_ROOT too."""
    target = tmp_path / "sicherung"
    with pytest.raises(Rollback), transaction.atomic():
        build_ledger()
        before = state()
        backup.backup(target)
        raise Rollback
    settings.MEDIA_ROOT = tmp_path / "media-restored"
    settings.MEDIA_ROOT.mkdir()
    assert not Expense.objects.exists() and not Budget.objects.exists()
    return target, before


def test_restore_brings_back_every_record_and_file(snapshot, settings):
    target, before = snapshot
    result = backup.restore(target)
    assert state() == before
    assert result.files == len(before["files"]) == 5
    call_command("verify_receipts", verbosity=0)
    call_command("verify_totals", verbosity=0)


def test_the_restored_ledger_takes_new_bookings(snapshot):
    # On PostgreSQL the sequences were reset past the restored ids.
    target, _before = snapshot
    backup.restore(target)
    budget = Budget.objects.get(name="Telefonaktion 2024")
    booked = record_expense(
        budget=budget,
        category=budget.categories.get(name="Verpflegung"),
        spent_on=datetime.date(2024, 2, 1),
        payee="Neu",
        description="nach der Wiederherstellung",
        amount=Decimal("1.00"),
        created_by=UserFactory(username="neu"),
    ).expense
    assert booked.pk > Expense.objects.exclude(pk=booked.pk).order_by("-pk").first().pk
    assert booked.receipt_number == 6


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ANALYZE and sequences: PostgreSQL")
def test_restore_resets_sequences_and_analyzes_on_postgresql(snapshot):
    from django.test.utils import CaptureQueriesContext

    target, _before = snapshot
    with CaptureQueriesContext(connection) as queries:
        backup.restore(target)
    statements = [q["sql"] for q in queries.captured_queries]
    assert statements[-1] == "ANALYZE"
    assert any("setval" in sql and "budget_expense" in sql for sql in statements)


def test_manifest_names_counts_totals_hashes_version_and_database(snapshot):
    target, before = snapshot
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["database"] == connection.vendor
    assert manifest["app_version"]
    assert manifest["tables"]["budget.expense"]["rows"] == 6
    assert manifest["tables"]["budget.reversal"]["rows"] == 1
    assert manifest["tables"]["budget.receiptattachment"]["rows"] == 1
    assert manifest["tables"]["budget.historicalbudget"]["rows"] >= 3
    assert manifest["tables"]["auth.user"]["rows"] == 2
    spent = {totals["name"]: totals["spent"] for totals in manifest["budgets"].values()}
    assert spent == {"Telefonaktion 2024": "454.37", "Plakate": "799.99"}
    assert {name: entry["sha256"] for name, entry in manifest["files"].items()} == before["files"]


def test_every_model_of_the_app_is_backed_up_in_dependency_order():
    from django.apps import apps

    chosen = backup.backed_up_models()
    labels = [m._meta.label_lower for m in chosen]
    for model in apps.get_app_config("budget").get_models(include_auto_created=True):
        assert model._meta.label_lower in labels
    for position, model in enumerate(chosen):
        for f in model._meta.concrete_fields:
            if (
                f.is_relation
                and f.related_model in chosen
                and f.related_model is not model
                and getattr(f, "db_constraint", True)
            ):
                assert chosen.index(f.related_model) < position, (model, f.name)


def assert_nothing_restored(settings):
    assert not Budget.objects.exists()
    assert not Expense.objects.exists()
    assert files_under(Path(settings.MEDIA_ROOT)) == []


def test_a_non_empty_target_is_refused(snapshot, settings):
    target, _before = snapshot
    budget = BudgetFactory(name="schon da")
    with pytest.raises(BackupError, match="nicht leer"):
        backup.restore(target)
    assert list(Budget.objects.values_list("name", flat=True)) == ["schon da"]
    assert files_under(Path(settings.MEDIA_ROOT)) == []
    budget.delete()


def test_a_damaged_data_file_is_refused_before_anything_changes(snapshot, settings):
    target, _before = snapshot
    data = target / "data" / "budget.expense.jsonl"
    data.write_text(data.read_text().replace("86.45", "86.46"))
    with pytest.raises(BackupError, match="budget.expense.jsonl ist verändert"):
        backup.restore(target)
    assert_nothing_restored(settings)


@pytest.mark.parametrize("damage", ["missing", "altered"])
def test_a_missing_or_altered_receipt_in_the_snapshot_is_refused(snapshot, settings, damage):
    target, _before = snapshot
    stored = files_under(target / "files")[0]
    if damage == "missing":
        stored.unlink()
    else:
        stored.write_bytes(stored.read_bytes()[:-1] + b"X")
    with pytest.raises(BackupError, match="Belegdatei .* (fehlt|ist verändert)"):
        backup.restore(target)
    assert_nothing_restored(settings)


def test_an_incomplete_snapshot_is_refused(snapshot, settings):
    target, _before = snapshot
    (target / "data" / "budget.reversal.jsonl").unlink()
    with pytest.raises(BackupError, match="budget.reversal.jsonl fehlt"):
        backup.restore(target)
    assert_nothing_restored(settings)


def test_a_missing_manifest_is_refused(snapshot, settings):
    target, _before = snapshot
    (target / "manifest.json").unlink()
    with pytest.raises(BackupError, match="manifest.json fehlt"):
        backup.restore(target)
    assert_nothing_restored(settings)


def test_a_snapshot_of_another_schema_is_refused(snapshot, settings):
    target, _before = snapshot
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["migrations"]["budget"].append("9999_from_the_future")
    (target / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BackupError, match="anderen Datenbankschema"):
        backup.restore(target)
    assert_nothing_restored(settings)


def test_totals_that_disagree_with_the_manifest_roll_everything_back(snapshot, settings):
    target, _before = snapshot
    manifest = json.loads((target / "manifest.json").read_text())
    first = next(iter(manifest["budgets"]))
    manifest["budgets"][first]["spent"] = "1.00"
    (target / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BackupError, match="Summen der Budgets"):
        backup.restore(target)
    assert_nothing_restored(settings)
    assert not Group.objects.get(name="treasurer").user_set.exists()


def test_a_failure_while_copying_files_removes_the_copied_ones(snapshot, settings, monkeypatch):
    target, _before = snapshot
    real_copy = backup.shutil.copyfile
    copies = []

    def copy_then_fail(source, destination):
        real_copy(source, destination)
        copies.append(destination)
        if len(copies) == 3:
            raise OSError(28, "No space left on device")
        return destination

    monkeypatch.setattr(backup.shutil, "copyfile", copy_then_fail)
    with pytest.raises(OSError, match="No space left"):
        backup.restore(target)
    assert len(copies) == 3
    assert_nothing_restored(settings)


def test_restore_command_reports_a_clear_error(snapshot):
    target, _before = snapshot
    (target / "manifest.json").write_text("{kaputt")
    with pytest.raises(CommandError, match="Nicht wiederhergestellt: manifest.json ist beschädigt"):
        call_command("restore", str(target))


def test_backup_refuses_a_non_empty_directory(tmp_path):
    (tmp_path / "alt.txt").write_text("x")
    with pytest.raises(CommandError, match="nicht leer"):
        call_command("backup", str(tmp_path))


def test_backup_refuses_missing_receipt_files_unless_asked(book, category, settings, tmp_path):
    expense = book(category, "1.00", receipt=pdf_upload()).expense
    (Path(settings.MEDIA_ROOT) / expense.receipt.name).unlink()
    with pytest.raises(BackupError, match="1 Datei\\(en\\) fehlen"):
        backup.backup(tmp_path / "a")
    backup.backup(tmp_path / "b", allow_missing_files=True)
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert manifest["files"][expense.receipt.name] == {"missing": True}


# --- a consistent snapshot while the app keeps booking -----------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_booking_during_the_backup_is_either_wholly_in_it_or_not_at_all(tmp_path, monkeypatch):
    treasurer = UserFactory(username="nebenher", role="treasurer")
    budget = BudgetFactory(cap=Decimal("1000.00"))
    category = CategoryFactory(budget=budget)

    def book():
        return record_expense(
            budget=budget.pk,
            category=category.pk,
            spent_on=datetime.date(2024, 1, 15),
            payee="Parallel",
            description="während der Sicherung",
            amount=Decimal("10.00"),
            created_by=treasurer,
        )

    book()
    real_write = backup._write_table
    booked = []

    def write_and_book_meanwhile(model, *args, **kwargs):
        if model is Expense and not booked:
            # Another connection books while the backup is half way through its tables.
            worker = threading.Thread(
                target=lambda: (booked.append(book()), connections.close_all())
            )
            worker.start()
            worker.join(timeout=60)
        return real_write(model, *args, **kwargs)

    monkeypatch.setattr(backup, "_write_table", write_and_book_meanwhile)
    backup.backup(tmp_path / "s")
    assert booked and Budget.objects.get(pk=budget.pk).spent == Decimal("20.00")
    manifest = json.loads((tmp_path / "s" / "manifest.json").read_text())
    totals = manifest["budgets"][str(budget.pk)]
    # The snapshot started before the second booking: rows and totals agree on one booking.
    assert manifest["tables"]["budget.expense"]["rows"] == 1
    assert totals["spent"] == totals["ledger_spent"] == "10.00"
    assert totals["last_receipt_number"] == 1


# --- into a really fresh database, in another process --------------------------------------


def postgres_server_url() -> str | None:
    """The PostgreSQL server to create a throw-away database on: the one the suite runs on, or
    RESTORE_TEST_POSTGRES_URL; None when there is none."""
    url = os.environ.get("RESTORE_TEST_POSTGRES_URL") or os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = "postgres://postgres@127.0.0.1:5432/postgres"
    try:
        import psycopg2

        parts = urlsplit(url)
        psycopg2.connect(
            dbname="postgres",
            user=parts.username,
            password=parts.password,
            host=parts.hostname,
            port=parts.port or 5432,
            connect_timeout=3,
        ).close()
    except Exception:
        return None
    return url


def fresh_postgres(url: str, suffix: str):
    import psycopg2

    parts = urlsplit(url)
    base = parts.path.lstrip("/").replace("test_", "")
    if base in ("", "postgres"):
        base = "beschlusskasse"
    name = f"test_{base}_{suffix}_{os.getpid()}"[:63]
    admin = psycopg2.connect(
        dbname="postgres",
        user=parts.username,
        password=parts.password,
        host=parts.hostname,
        port=parts.port or 5432,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    return urlunsplit(parts._replace(path=f"/{name}")), drop


STATE_SCRIPT = """
import hashlib, json
from pathlib import Path
from django.conf import settings
from django.db import connection
from budget.reports import dashboard as reports
from budget.models import Budget, Expense
media = Path(settings.MEDIA_ROOT)
budgets = Budget.objects.with_resolution().order_by("pk")
out = {
    "vendor": connection.vendor,
    "summaries": {str(b.pk): reports.summary(b) for b in budgets},
    "expenses": Expense.objects.count(),
    "files": {
        p.relative_to(media).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(media.rglob("*")) if p.is_file()
    },
}
print(json.dumps(out))
"""


def manage(database_url, media_root, *args):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media_root),
        "DEBUG": "false",
        "SECRET_KEY": "restore-test",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def restore_elsewhere(database_url, media_root, snapshot_dir):
    migrated = manage(database_url, media_root, "migrate", "--noinput", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr
    restored = manage(database_url, media_root, "restore", str(snapshot_dir))
    assert restored.returncode == 0, restored.stderr
    assert "Wiederhergestellt" in restored.stdout
    again = manage(database_url, media_root, "restore", str(snapshot_dir))
    assert again.returncode != 0 and "nicht leer" in again.stderr
    verified = manage(database_url, media_root, "verify_receipts")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    shown = manage(database_url, media_root, "shell", "-c", STATE_SCRIPT)
    assert shown.returncode == 0, shown.stderr
    return json.loads(shown.stdout.strip().splitlines()[-1])


def expected_state(before):
    return {
        "summaries": {str(pk): summary for pk, summary in before["summaries"].items()},
        "expenses": len(before["expenses"]),
        "files": before["files"],
    }


def test_restore_into_a_fresh_sqlite_database(snapshot, tmp_path):
    target, before = snapshot
    shown = restore_elsewhere(f"sqlite:///{tmp_path / 'frisch.sqlite3'}", tmp_path / "m1", target)
    assert shown.pop("vendor") == "sqlite"
    assert shown == expected_state(before)


def test_restore_into_a_fresh_postgresql_database(snapshot, tmp_path):
    url = postgres_server_url()
    if url is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is needed for the restore test in CI")
        pytest.skip("no PostgreSQL server reachable")
    target, before = snapshot
    database_url, drop = fresh_postgres(url, "restore")
    try:
        shown = restore_elsewhere(database_url, tmp_path / "m2", target)
    finally:
        drop()
    assert shown.pop("vendor") == "postgresql"
    assert shown == expected_state(before)
