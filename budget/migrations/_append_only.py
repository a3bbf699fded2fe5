"""Make a table append-only in the database itself: triggers refuse every UPDATE and DELETE of
one of its rows (and, on PostgreSQL, a TRUNCATE of the table), whoever sends the SQL.

Every append-only table uses this one operation from its own migration::

    from ._append_only import append_only

    operations = [..., append_only("budget_expense")]

The triggers are named ``append_only_<table>_no_update``, ``append_only_<table>_no_delete`` and
(PostgreSQL only) ``append_only_<table>_no_truncate``. The refusal is an integrity error whose
message starts with the trigger's name. The test set-up (``tests/append_only.py``) finds every
trigger by the ``append_only_`` prefix, so a new append-only table needs nothing more there.

SQLite rebuilds a table (new table, copy, drop the old one) for most schema changes, e.g.
adding a NOT NULL column or a constraint, and the rebuilt table has lost its triggers. So a
migration that alters an append-only table wraps its operations::

    operations = altering_append_only("budget_expense", migrations.AddField(...), ...)

which re-creates the triggers after them (and, when migrating backwards, after their reversal).
``tests/test_append_only.py`` fails if a table lost them.

The triggers are row-level: an UPDATE that matches no row fires nothing, so Django's
``save()``/``loaddata`` (which try an UPDATE before the INSERT) can still load a ledger into an
empty database. The running totals (``Budget``, ``Category``, ``DailySpending``) are not
append-only and stay writable.

The migration loader skips modules whose name starts with an underscore, so this is no migration.
Keep it free of imports from the app: old migrations must behave the same forever.
"""

from django.db import migrations

PREFIX = "append_only_"

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION append_only_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%: % is append-only; a booked row is never changed or deleted, book a reversal instead',
        TG_NAME, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END
$$
"""


def trigger_name(table: str, operation: str) -> str:
    return f"{PREFIX}{table}_no_{operation}"


def _sqlite_statements(table):
    for operation in ("update", "delete"):
        name = trigger_name(table, operation)
        yield (
            f'CREATE TRIGGER "{name}" BEFORE {operation.upper()} ON "{table}" FOR EACH ROW '
            f"BEGIN SELECT RAISE(ABORT, '{name}: {table} is append-only; a booked row is never "
            f"changed or deleted, book a reversal instead'); END"
        )


def _postgresql_statements(table):
    yield _PG_FUNCTION
    for operation, level in (("update", "ROW"), ("delete", "ROW"), ("truncate", "STATEMENT")):
        yield (
            f'CREATE TRIGGER "{trigger_name(table, operation)}" BEFORE {operation.upper()} '
            f'ON "{table}" FOR EACH {level} EXECUTE FUNCTION append_only_refuse()'
        )


def _drop_triggers(table, schema_editor):
    vendor = schema_editor.connection.vendor
    for operation in ("update", "delete", "truncate"):
        name = trigger_name(table, operation)
        if vendor == "sqlite":
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{name}"', params=None)
        else:
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"', params=None)


def _create_triggers(table, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = _sqlite_statements(table)
    elif vendor == "postgresql":
        statements = _postgresql_statements(table)
    else:
        raise NotImplementedError(f"No append-only triggers for {vendor}.")
    _drop_triggers(table, schema_editor)  # idempotent: re-creating after a rebuild is the same
    for sql in statements:
        schema_editor.execute(sql, params=None)


def _forwards(table):
    def forwards(apps, schema_editor):
        _create_triggers(table, schema_editor)

    return forwards


def _backwards(table):
    def backwards(apps, schema_editor):
        _drop_triggers(table, schema_editor)
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_trigger "
                "WHERE tgname LIKE 'append\\_only\\_%') "
                "THEN DROP FUNCTION IF EXISTS append_only_refuse(); END IF; END $$",
                params=None,
            )

    return backwards


def append_only(table: str) -> migrations.RunPython:
    """The operation that makes ``table`` append-only (reversible: drops its triggers)."""
    return migrations.RunPython(_forwards(table), _backwards(table))


def altering_append_only(table: str, *operations) -> list:
    """``operations`` that change the schema of an append-only table, with its triggers
    re-created after them in either direction (SQLite's table rebuild drops them)."""
    recreate = _forwards(table)
    return [
        migrations.RunPython(migrations.RunPython.noop, recreate),
        *operations,
        migrations.RunPython(recreate, migrations.RunPython.noop),
    ]
