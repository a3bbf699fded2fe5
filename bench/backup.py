"""How long do backup and restore of 100,000 expenses take? Measure it.

    .venv/bin/python bench/backup.py [--size 100000] [--prefix beschlusskasse_bench_backup]

Builds a SQLite database (bench/<prefix>.sqlite3) with one budget of ``--size`` expenses (the
same bulk data as bench/dashboard.py: one in a hundred reversed, one in four without a file) and
a real receipt file for every expense that has one, then times, each as its own
``manage.py`` process like an operator would run it:

1. ``backup`` of the SQLite database,
2. ``restore`` of that snapshot into a fresh SQLite database,
3. ``restore`` into a fresh PostgreSQL database ``<prefix>_pg`` (moving from SQLite to
   PostgreSQL; on the server of DATABASE_URL or 127.0.0.1:5432),
4. ``backup`` of that PostgreSQL database.

Each figure is the wall-clock time of the command, Django's start-up included. The databases
and folders are removed at the end. This prints figures; it is not a test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
)


def manage(database_url: str, media_root: Path, *args: str) -> tuple[float, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media_root),
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-not-used-anywhere-else",
    }
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return seconds, done.stdout.strip()


def build(database_url: str, media_root: Path, size: int) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["MEDIA_ROOT"] = str(media_root)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telefonaktion.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-used-anywhere-else")
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(BENCH_DIR))
    import django

    django.setup()
    import datetime

    import dashboard  # bench/dashboard.py: the same bulk ledger
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from budget.models import Expense, Resolution

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench-schatzmeisterin", password=None)
    user.groups.add(Group.objects.get(name="treasurer"))
    today = datetime.date.today()
    resolution = Resolution.objects.create(
        number=1,
        year=today.year,
        title=f"Benchmark mit {size} Ausgaben",
        decided_on=today - datetime.timedelta(days=dashboard.PERIOD_DAYS),
        outcome=Resolution.Outcome.PASSED,
        text="Der Landesvorstand beschließt …",
        responsible="LGF",
    )
    budget = dashboard.fill_budget(resolution, size, user, today)
    files = 0
    for number, name in (
        Expense.objects.filter(budget=budget)
        .exclude(receipt="")
        .values_list("receipt_number", "receipt")
        .iterator()
    ):
        path = media_root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(PDF + f"% Beleg {number}\ntrailer<</Root 1 0 R>>\n%%EOF\n".encode())
        files += 1
    call_command("verify_totals", verbosity=0)
    print(
        f"Quelle aufgebaut: {size} Ausgaben, {files} Belegdateien, "
        f"{time.perf_counter() - started:.1f} s"
    )


def postgres_server() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = "postgres://postgres@127.0.0.1:5432/postgres"
    return url


def recreate_postgres(url: str, name: str, *, drop_only: bool = False) -> str:
    import psycopg2

    connection = psycopg2.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not drop_only:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument(
        "--prefix",
        default="beschlusskasse_bench_backup",
        help="name of the bench databases and folders (PostgreSQL: <prefix>_pg)",
    )
    args = parser.parse_args()
    work = BENCH_DIR / args.prefix
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    source_db = work / "source.sqlite3"
    source_url = f"sqlite:///{source_db}"
    build(source_url, work / "media-source", args.size)

    figures = []
    seconds, _out = manage(source_url, work / "media-source", "backup", str(work / "snap-sqlite"))
    figures.append(("backup (SQLite)", seconds))

    target_url = f"sqlite:///{work / 'restored.sqlite3'}"
    manage(target_url, work / "media-sqlite", "migrate", "--noinput", "-v", "0")
    seconds, _out = manage(target_url, work / "media-sqlite", "restore", str(work / "snap-sqlite"))
    figures.append(("restore SQLite → SQLite", seconds))

    server = postgres_server()
    pg_name = f"{args.prefix}_pg"
    pg_url = recreate_postgres(server, pg_name)
    try:
        manage(pg_url, work / "media-pg", "migrate", "--noinput", "-v", "0")
        seconds, _out = manage(pg_url, work / "media-pg", "restore", str(work / "snap-sqlite"))
        figures.append(("restore SQLite → PostgreSQL", seconds))
        seconds, _out = manage(pg_url, work / "media-pg", "backup", str(work / "snap-pg"))
        figures.append(("backup (PostgreSQL)", seconds))
        seconds, _out = manage(pg_url, work / "media-pg", "verify_receipts", "-v", "0")
        figures.append(("verify_receipts (PostgreSQL)", seconds))
    finally:
        recreate_postgres(server, pg_name, drop_only=True)
        shutil.rmtree(work, ignore_errors=True)

    print(f"{args.size} Ausgaben:")
    for label, value in figures:
        print(f"  {label:32s} {value:6.1f} s")


if __name__ == "__main__":
    main()
