"""The test set-up's side of the append-only triggers (``budget/migrations/_append_only.py``).

Between transactional tests (``transaction=True``: race tests, the live server) Django empties
every table: ``DELETE FROM`` on SQLite, which the row triggers refuse, and ``TRUNCATE`` on
PostgreSQL, which the statement trigger refuses. The production triggers stay as they are; only
the test flush drops every ``append_only_%`` trigger it finds in the database's own catalogue
(``sqlite_master`` / ``pg_trigger``) and creates it again from its stored definition, all in the
flush's one transaction. A later append-only table is covered without touching this file.
"""

from dataclasses import dataclass

from django.db.backends.base.operations import BaseDatabaseOperations

PREFIX = "append_only_"


@dataclass(frozen=True)
class Trigger:
    name: str
    table: str
    definition: str  # the CREATE TRIGGER statement that re-creates it


def append_only_triggers(connection) -> list[Trigger]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, tbl_name, sql FROM sqlite_master "
                "WHERE type = 'trigger' AND name LIKE 'append\\_only\\_%' ESCAPE '\\' "
                "ORDER BY name"
            )
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid) "
                "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND pg_table_is_visible(c.oid) "
                "AND t.tgname LIKE 'append\\_only\\_%' ORDER BY t.tgname"
            )
        else:  # pragma: no cover - the project runs on these two
            raise NotImplementedError(connection.vendor)
        return [Trigger(*row) for row in cursor.fetchall()]


def _drop(connection, trigger: Trigger) -> str:
    quote = connection.ops.quote_name
    if connection.vendor == "sqlite":
        return f"DROP TRIGGER {quote(trigger.name)}"
    return f"DROP TRIGGER {quote(trigger.name)} ON {quote(trigger.table)}"


_original_execute_sql_flush = BaseDatabaseOperations.execute_sql_flush


def _execute_sql_flush_around_triggers(self, sql_list):
    triggers = append_only_triggers(self.connection)
    _original_execute_sql_flush(
        self,
        [
            *(_drop(self.connection, t) for t in triggers),
            *sql_list,
            *(t.definition for t in triggers),
        ],
    )


def install_test_flush():
    """Let the test database's flush get past the append-only triggers (tests only)."""
    BaseDatabaseOperations.execute_sql_flush = _execute_sql_flush_around_triggers


def uninstall_test_flush():
    BaseDatabaseOperations.execute_sql_flush = _original_execute_sql_flush
