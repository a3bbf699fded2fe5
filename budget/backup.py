"""Backup and restore that lose nothing: every record of the ledger and every receipt file.

A snapshot is a directory::

    manifest.json          what is in it: app version, database kind, migrations, per table its
                           columns, row count and the SHA-256 of its data file, per budget its
                           totals, per receipt file its SHA-256 and size
    data/<app>.<model>.jsonl   one JSON array per row, in the manifest's column order
    data/<app>.<model>.keys.jsonl   ids and natural keys of groups, permissions, content types
    files/<stored name>    every file the records refer to (receipts, late receipts, resolution
                           attachments), under the name it has in MEDIA_ROOT

What is backed up is found, not listed by hand: every model of the ``budget`` app (ledger,
running totals, history tables, and whatever later issues add, such as claims), the users and
their group memberships and permissions, and the admin's log. Groups, permissions and content
types are matched by their natural keys on restore (``auth.Group`` by name, ``Permission`` by
app, model and codename), because their ids differ between databases.

``backup`` reads everything inside one read transaction: REPEATABLE READ, READ ONLY on
PostgreSQL, a deferred read transaction on SQLite (WAL keeps writers going and the reader on its
snapshot). Bookings go on meanwhile and are simply not in the snapshot. Receipt files are never
changed once written, so copying those the snapshot refers to gives a consistent set.

``restore`` loads a snapshot into an empty, migrated database of either kind, SQLite → PostgreSQL
included. Before touching anything it verifies the manifest: every data file's hash and row
count, every receipt file's hash and size, the same migrations. Then, in one transaction, it
inserts the rows table by table in dependency order (plain INSERTs, so append-only triggers are
no obstacle), compares the budgets' totals with the manifest, runs ``verify_totals`` and copies the
files (removing them again if anything fails). Sequences are reset on PostgreSQL, and ``ANALYZE``
runs afterwards so the planner knows the new tables.
"""

from __future__ import annotations

import datetime
import json
import shutil
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import metadata
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Count, Q, Sum

from budget.money import cents

FORMAT = 1
MANIFEST = "manifest.json"
DATA_DIR = "data"
FILES_DIR = "files"
CHUNK = 2000

# Apps whose rows a snapshot carries besides ``budget``. ``auth.Group``, ``auth.Permission`` and
# ``contenttypes.ContentType`` are matched by natural key instead (migrations create them).
EXTRA_MODELS = ["auth.User", "admin.LogEntry"]


class BackupError(Exception):
    """A snapshot could not be written or may not be restored; nothing was changed."""


# --- which tables ------------------------------------------------------------------------------


def backed_up_models() -> list[type[models.Model]]:
    """Every model whose rows go into a snapshot, parents before the rows that refer to them.

    The ``budget`` app's models are found through the app registry (history and m2m through
    tables included), so a table added by a later migration is backed up without anyone
    remembering to list it.
    """
    chosen: list[type[models.Model]] = [apps.get_model(label) for label in EXTRA_MODELS]
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    for relation in (user_model.groups, user_model.user_permissions):
        chosen.append(relation.through)
    chosen.append(Group.permissions.through)
    chosen.extend(
        model
        for model in apps.get_app_config("budget").get_models(include_auto_created=True)
        if not model._meta.proxy and model._meta.managed
    )
    return _dependency_order(chosen)


def _dependency_order(chosen: list[type[models.Model]]) -> list[type[models.Model]]:
    """Topological order over the foreign keys between the chosen tables (stable, by label)."""
    chosen = sorted(set(chosen), key=lambda m: m._meta.label)
    chosen_set = set(chosen)
    depends = {
        model: {
            f.related_model
            for f in model._meta.concrete_fields
            if f.is_relation
            and f.related_model in chosen_set
            and f.related_model is not model
            and getattr(f, "db_constraint", True)
        }
        for model in chosen
    }
    ordered: list[type[models.Model]] = []
    placed: set[type[models.Model]] = set()
    while len(ordered) < len(chosen):
        ready = [m for m in chosen if m not in placed and depends[m] <= placed]
        if not ready:  # a cycle of real foreign keys: keep the rest in label order
            ready = [m for m in chosen if m not in placed]
        for model in ready:
            ordered.append(model)
            placed.add(model)
    return ordered


def _label(model) -> str:
    return model._meta.label_lower


def _natural_key(obj) -> list:
    if isinstance(obj, ContentType):
        return [obj.app_label, obj.model]
    if isinstance(obj, Permission):
        return [obj.content_type.app_label, obj.content_type.model, obj.codename]
    return [obj.name]


# --- encoding values -------------------------------------------------------------------------


def _encode(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Path):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    return value


def _file_fields(model) -> list[models.FileField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]


def sha256_of(path: Path) -> str:
    from budget.receipts import fingerprint  # loads Pillow; only a snapshot with files needs it

    with path.open("rb") as handle:
        return fingerprint(handle)[0]


# --- totals both sides compare -------------------------------------------------------------


def budget_totals() -> dict[str, dict]:
    """Per budget: the stored running totals and the same figures recomputed from the ledger."""
    from budget.models import Budget

    valid = Q(expenses__reversal__isnull=True)
    rows = (
        Budget.objects.order_by("pk")
        .annotate(
            ledger_spent=Sum("expenses__amount", filter=valid),
            ledger_expenses=Count("expenses"),
            ledger_reversals=Count("expenses__reversal"),
        )
        .values(
            "pk",
            "name",
            "cap",
            "spent",
            "last_receipt_number",
            "active_expense_count",
            "missing_receipt_count",
            "reversal_count",
            "ledger_spent",
            "ledger_expenses",
            "ledger_reversals",
        )
    )
    totals = {}
    for row in rows:
        pk = str(row.pop("pk"))
        name = row.pop("name")
        totals[pk] = {"name": name, **{key: _figure(value) for key, value in row.items()}}
    return totals


def _figure(value) -> str | int:
    # The same text on every database: SQLite's SUM may come back as Decimal("10").
    if isinstance(value, Decimal):
        return f"{cents(value):.2f}"
    if value is None:
        return 0
    return value


def _applied_migrations(connection) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def app_version() -> str:
    try:
        return metadata.version("beschlusskasse")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


# --- backup ------------------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    counts: dict[str, int]
    files: int
    bytes: int


class _ReadSnapshot:
    """One consistent read of the whole database, on either kind."""

    def __init__(self, connection):
        self.connection = connection
        self.own_transaction = False

    def __enter__(self):
        connection = self.connection
        if connection.in_atomic_block:
            # Already inside a transaction (a test, or a caller's own): read within it.
            return self
        connection.ensure_connection()
        if connection.vendor == "postgresql":
            connection.set_autocommit(False)
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        elif connection.vendor == "sqlite":
            # A deferred read transaction: unlike the app's IMMEDIATE writes it takes no write
            # lock, so bookings go on; WAL keeps this reader on its snapshot.
            with connection.cursor() as cursor:
                cursor.execute("BEGIN DEFERRED")
                cursor.execute("SELECT count(*) FROM django_migrations")
        else:
            raise BackupError(f"Datenbank {connection.vendor} wird nicht unterstützt.")
        self.own_transaction = True
        return self

    def __exit__(self, *exc_info):
        if not self.own_transaction:
            return
        connection = self.connection
        if connection.vendor == "postgresql":
            connection.rollback()
            connection.set_autocommit(True)
        else:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")


def backup(target: Path | str, *, using: str = DEFAULT_DB_ALIAS, allow_missing_files=False):
    """Write a snapshot of the database and the receipt files into the empty directory
    ``target``."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"Das Zielverzeichnis {target} ist nicht leer.")
    (target / DATA_DIR).mkdir(parents=True, exist_ok=True)
    (target / FILES_DIR).mkdir(exist_ok=True)
    connection = connections[using]
    media_root = Path(settings.MEDIA_ROOT)
    tables: dict[str, dict] = {}
    files: dict[str, dict] = {}
    missing: list[str] = []
    with _ReadSnapshot(connection):
        matched = _write_matched(target, using)
        for model in backed_up_models():
            label = _label(model)
            path = target / DATA_DIR / f"{label}.jsonl"
            columns, count = _write_table(model, path, using, files)
            tables[label] = {"rows": count, "sha256": sha256_of(path), "columns": columns}
        totals = budget_totals()
        migrations = _applied_migrations(connection)
        for name in sorted(files):
            source = media_root / name
            if not source.is_file():
                missing.append(name)
                continue
            destination = target / FILES_DIR / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)
            files[name] = {"sha256": sha256_of(destination), "size": destination.stat().st_size}
    if missing and not allow_missing_files:
        shutil.rmtree(target / DATA_DIR)
        shutil.rmtree(target / FILES_DIR)
        raise BackupError(
            f"{len(missing)} Datei(en) fehlen in {media_root}, z. B. {missing[0]}; "
            "`manage.py verify_receipts` zeigt alle. Mit --allow-missing-files trotzdem sichern."
        )
    for name in missing:
        files[name] = {"missing": True}
    manifest = {
        "format": FORMAT,
        "app": "beschlusskasse",
        "app_version": app_version(),
        "database": connection.vendor,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "migrations": migrations,
        "matched": matched,
        "tables": tables,
        "budgets": totals,
        "files": files,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    return BackupResult(
        path=target,
        counts={label: t["rows"] for label, t in tables.items()},
        files=len(files) - len(missing),
        bytes=sum(f.get("size", 0) for f in files.values()),
    )


def _write_matched(target: Path, using: str) -> dict[str, str]:
    """Content types, permissions and groups with their ids and natural keys, so that the rows
    referring to them can be mapped to the target's ids."""
    written = {}
    lookups = {
        "contenttypes.contenttype": ContentType.objects.using(using).order_by("pk"),
        "auth.permission": Permission.objects.using(using)
        .select_related("content_type")
        .order_by("pk"),
        "auth.group": Group.objects.using(using).order_by("pk"),
    }
    for label, queryset in lookups.items():
        path = target / DATA_DIR / f"{label}.keys.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for obj in queryset:
                out.write(json.dumps([obj.pk, _natural_key(obj)], ensure_ascii=False) + "\n")
        written[label] = sha256_of(path)
    return written


def _write_table(model, path: Path, using: str, files: dict) -> tuple[list[str], int]:
    fields = model._meta.concrete_fields
    names = [f.attname for f in fields]
    file_columns = [names.index(f.attname) for f in _file_fields(model)]
    count = 0
    rows = (
        model._base_manager.using(using)
        .order_by(model._meta.pk.attname)
        .values_list(*names)
        .iterator(chunk_size=CHUNK)
    )
    with path.open("w", encoding="utf-8") as out:
        buffer = []
        for row in rows:
            for index in file_columns:
                if row[index]:
                    files.setdefault(row[index], {})
            buffer.append(json.dumps([_encode(v) for v in row], ensure_ascii=False))
            count += 1
            if len(buffer) >= CHUNK:
                out.write("\n".join(buffer) + "\n")
                buffer.clear()
        if buffer:
            out.write("\n".join(buffer) + "\n")
    return names, count


# --- restore -----------------------------------------------------------------------------------


@dataclass
class RestoreResult:
    counts: dict[str, int] = field(default_factory=dict)
    files: int = 0


def read_manifest(source: Path) -> dict:
    path = source / MANIFEST
    if not path.is_file():
        raise BackupError(f"{source} ist keine Sicherung: {MANIFEST} fehlt.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{MANIFEST} ist beschädigt: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{MANIFEST} hat ein unbekanntes Format.")
    for key in ("tables", "files", "budgets", "migrations", "matched"):
        if not isinstance(manifest.get(key), dict):
            raise BackupError(f"{MANIFEST} ist unvollständig: „{key}“ fehlt.")
    return manifest


def verify_snapshot(source: Path, manifest: dict, connection) -> None:
    """Every part of the snapshot is there and has the hash the manifest names; the snapshot
    fits this code's migrations. Raises ``BackupError`` with the first problem found."""
    problems = []
    for label, entry in manifest["tables"].items():
        path = source / DATA_DIR / f"{label}.jsonl"
        if not isinstance(entry, dict) or not isinstance(entry.get("columns"), list):
            problems.append(f"{MANIFEST}: Eintrag für {label} ist unvollständig")
        elif not path.is_file():
            problems.append(f"Tabellendatei {path.name} fehlt")
        elif sha256_of(path) != entry.get("sha256"):
            problems.append(f"Tabellendatei {path.name} ist verändert oder beschädigt")
    for label, digest in manifest["matched"].items():
        path = source / DATA_DIR / f"{label}.keys.jsonl"
        if not path.is_file() or sha256_of(path) != digest:
            problems.append(f"Schlüsseldatei {path.name} fehlt oder ist beschädigt")
    for name, entry in manifest["files"].items():
        if entry.get("missing"):
            continue
        path = source / FILES_DIR / name
        if not path.is_file():
            problems.append(f"Belegdatei {name} fehlt in der Sicherung")
        elif path.stat().st_size != entry.get("size") or sha256_of(path) != entry.get("sha256"):
            problems.append(f"Belegdatei {name} ist verändert oder beschädigt")
    if manifest["migrations"] != _applied_migrations(connection):
        problems.append(
            "die Sicherung stammt von einem anderen Datenbankschema (Migrationen); "
            "erst `manage.py migrate` mit derselben Programmversion ausführen"
        )
    else:
        expected_tables = {_label(m) for m in backed_up_models()}
        unknown = sorted(set(manifest["tables"]) - expected_tables)
        if unknown:
            problems.append(f"unbekannte Tabellen {', '.join(unknown)}")
        absent = sorted(expected_tables - set(manifest["tables"]))
        if absent:
            problems.append(f"Tabellen fehlen in der Sicherung: {', '.join(absent)}")
    if problems:
        raise BackupError("Die Sicherung ist beschädigt oder unvollständig: " + "; ".join(problems))


def assert_empty(using: str) -> None:
    """Only what migrations create may be there: no user, no row of the ledger's tables."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    occupied = []
    for model in [user_model, *apps.get_app_config("budget").get_models()]:
        if model._base_manager.using(using).exists():
            occupied.append(model._meta.label)
    if occupied:
        raise BackupError(
            "Die Zieldatenbank ist nicht leer (" + ", ".join(occupied) + "). "
            "Wiederherstellen nur in eine frisch migrierte, leere Datenbank."
        )


def restore(source: Path | str, *, using: str = DEFAULT_DB_ALIAS) -> RestoreResult:
    source = Path(source)
    connection = connections[using]
    manifest = read_manifest(source)
    verify_snapshot(source, manifest, connection)
    assert_empty(using)
    media_root = Path(settings.MEDIA_ROOT)
    result = RestoreResult()
    copied: list[Path] = []
    try:
        with transaction.atomic(using=using):
            maps = _match_keys(source, using)
            for model in backed_up_models():
                label = _label(model)
                columns = manifest["tables"][label]["columns"]
                count = _load_table(model, columns, source, using, maps)
                if count != manifest["tables"][label]["rows"]:
                    raise BackupError(
                        f"{label}: {count} Zeilen geladen, laut Manifest "
                        f"{manifest['tables'][label]['rows']}."
                    )
                result.counts[label] = count
            _reset_sequences(connection)
            restored = budget_totals()
            if restored != manifest["budgets"]:
                differing = sorted(
                    set(restored) ^ set(manifest["budgets"])
                    | {pk for pk in restored if restored[pk] != manifest["budgets"].get(pk)}
                )
                raise BackupError(
                    "Die Summen der Budgets stimmen nicht mit dem Manifest überein "
                    f"(Budget {', '.join(differing)})."
                )
            try:
                call_command("verify_totals", verbosity=0)
            except Exception as exc:
                raise BackupError(f"verify_totals meldet Abweichungen: {exc}") from exc
            for name, entry in sorted(manifest["files"].items()):
                if entry.get("missing"):
                    continue
                destination = media_root / name
                if destination.exists():
                    if sha256_of(destination) == entry["sha256"]:
                        continue
                    raise BackupError(f"{destination} gibt es schon, mit anderem Inhalt.")
                destination.parent.mkdir(parents=True, exist_ok=True)
                copied.append(destination)  # before copying: a half-written file goes too
                shutil.copyfile(source / FILES_DIR / name, destination)
                if sha256_of(destination) != entry["sha256"]:
                    raise BackupError(f"{destination}: nach dem Kopieren anderer Inhalt.")
            result.files = len(copied)
    except BaseException:
        for path in copied:
            path.unlink(missing_ok=True)
        raise
    if connection.vendor == "postgresql":
        # Right after a bulk load the planner's statistics are stale.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return result


def _read_keys(source: Path, label: str) -> Iterator[tuple[int, list]]:
    with (source / DATA_DIR / f"{label}.keys.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            pk, key = json.loads(line)
            yield pk, key


def _match_keys(source: Path, using: str) -> dict[type[models.Model], dict[int, int]]:
    """Map the snapshot's ids of content types, permissions and groups to the target's.

    Groups the target lacks are created; a restored group gets exactly the snapshot's
    permissions (restored with ``auth.group_permissions``)."""
    types = {(ct.app_label, ct.model): ct.pk for ct in ContentType.objects.using(using).all()}
    type_map = {}
    for pk, (app_label, model_name) in _read_keys(source, "contenttypes.contenttype"):
        if (app_label, model_name) in types:
            type_map[pk] = types[(app_label, model_name)]
    perms = {
        (p.content_type.app_label, p.content_type.model, p.codename): p.pk
        for p in Permission.objects.using(using).select_related("content_type")
    }
    perm_map = {}
    for pk, key in _read_keys(source, "auth.permission"):
        if tuple(key) not in perms:
            raise BackupError(
                f"Die Berechtigung {'.'.join(key)} gibt es in der Zieldatenbank nicht; "
                "erst `manage.py migrate` ausführen."
            )
        perm_map[pk] = perms[tuple(key)]
    group_map = {}
    for pk, (name,) in _read_keys(source, "auth.group"):
        group, _created = Group.objects.using(using).get_or_create(name=name)
        group.permissions.clear()
        group_map[pk] = group.pk
    return {ContentType: type_map, Permission: perm_map, Group: group_map}


def _load_table(model, columns: list[str], source: Path, using: str, maps) -> int:
    path = source / DATA_DIR / f"{_label(model)}.jsonl"
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    unknown = [name for name in columns if name not in by_attname]
    if unknown:
        raise BackupError(f"{_label(model)}: unbekannte Spalten {', '.join(unknown)}.")
    fields = [by_attname[name] for name in columns]
    converters = []
    for f in fields:
        mapping = maps.get(f.related_model) if f.is_relation else None
        converters.append((f, mapping))
    batch_size = max(1, min(1000, connections[using].ops.bulk_batch_size(fields, [None] * 1000)))
    count = 0
    batch = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            values = json.loads(line)
            kwargs = {}
            for (f, mapping), value in zip(converters, values, strict=True):
                if mapping is not None and value is not None:
                    if value not in mapping and getattr(f, "db_constraint", True):
                        raise BackupError(f"{_label(model)}.{f.attname}: unbekannte Id {value}.")
                    value = mapping.get(value, value)
                kwargs[f.attname] = _decode(f, value)
            batch.append(model(**kwargs))
            count += 1
            if len(batch) >= batch_size:
                _insert(model, batch, fields, using)
                batch = []
    if batch:
        _insert(model, batch, fields, using)
    return count


def _decode(f: models.Field, value):
    if value is None:
        return None
    if isinstance(f, models.BinaryField):
        return bytes.fromhex(value)
    if isinstance(f, models.DurationField):
        return datetime.timedelta(seconds=value)
    if isinstance(f, models.ForeignKey):
        return f.target_field.to_python(value)
    return f.to_python(value)


def _insert(model, objs: list, fields: Iterable, using: str) -> None:
    # A raw INSERT, as loaddata does: no auto_now(_add), no upload handling, no save() override.
    model._base_manager.using(using)._insert(objs, fields=list(fields), using=using, raw=True)


def _reset_sequences(connection) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), backed_up_models())
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
