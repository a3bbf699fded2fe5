"""Does the cost of the dashboard, summary.json and a booking grow with the history? Measure it.

    .venv/bin/python bench/dashboard.py                       # SQLite file bench/bench.sqlite3
    DATABASE_URL=postgres://… .venv/bin/python bench/dashboard.py  # database beschlusskasse_bench

Builds a fresh database with one budget of 100 expenses and one of 100,000 (written in bulk, with
running totals and daily sums that ``manage.py verify_totals`` must confirm), then sends requests
through Django's test client, a logged-in treasurer and DEBUG off: the dashboard, summary.json and
the booking POST on both budgets, and the budget list as the framework floor. The two budgets are
measured alternately, so drift in the machine affects both alike. Finally it streams the CSV export
of the big budget (and writes the Excel file) in a fresh process and reports their peak memory.

Targets: big/small <= 1.2 for dashboard, summary, booking and the expense list, unfiltered and
filtered to one category; dashboard <= 3 x floor at 100,000 expenses; CSV export of 100,000 rows
in under 5 s, Excel in under 10 s, both under 150 MB peak. This prints figures; it is not a test.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
import uuid
import warnings
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
SQLITE_FILE = BENCH_DIR / "bench.sqlite3"
PG_DATABASE = os.environ.get("BENCH_DATABASE", "beschlusskasse_bench")  # on DATABASE_URL's server

SMALL, BIG = 100, 100_000
REQUESTS = 200
WARMUP = 10
BATCH = 5_000
REVERSED_EVERY = 100  # one expense in a hundred is reversed
WITHOUT_FILE_EVERY = 4  # one in four has no receipt file
PERIOD_DAYS = 365
CAP = Decimal("9000000.00")
CATEGORIES = ["Reisekosten", "Vor- und Nachbereitung", "Headsets", "Verpflegung"]
PAYEES = [
    "Bäckerei Roth",
    "Deutsche Bahn",
    'Getränke "Zum Anker"',
    "Büro & Papier; Erfurt",
    "Headset-Versand GmbH",
    "Pizzeria Napoli",
]

TARGET_RATIO = 1.2
TARGET_FLOOR = 3.0
TARGET_CSV_MB = 150  # peak RSS of the exporting process, CSV and Excel alike
TARGET_CSV_SECONDS = 5
TARGET_XLSX_SECONDS = 10


# --- environment ------------------------------------------------------------------------------


def configure(fresh: bool) -> None:
    """Point Django at the bench database (recreated if ``fresh``) before it is imported."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telefonaktion.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-used-anywhere-else")
    os.environ["DEBUG"] = "false"  # production-like: no query log, no debug toolbar of any kind
    os.environ["SECURE_SSL_REDIRECT"] = "false"  # the test client speaks plain HTTP
    hosts = [h for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h]
    os.environ["ALLOWED_HOSTS"] = ",".join([*hosts, "testserver"])

    # Only the engine and server of DATABASE_URL are used: the benchmark writes to its own
    # database (bench/bench.sqlite3, or beschlusskasse_bench on the PostgreSQL server), never to
    # the one the URL names.
    url = os.environ.get("DATABASE_URL", "")
    if not url or url.startswith("sqlite"):
        if fresh:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_FILE}"
    elif url.startswith(("postgres://", "postgresql://")):
        if fresh:
            _recreate_postgres(url, PG_DATABASE)
        os.environ["DATABASE_URL"] = urlunsplit(urlsplit(url)._replace(path=f"/{PG_DATABASE}"))
    else:
        raise SystemExit(f"DATABASE_URL {url!r}: only SQLite and PostgreSQL are supported.")

    import django

    django.setup()


def _recreate_postgres(url: str, name: str) -> None:
    import psycopg2

    # Through the maintenance database: the one DATABASE_URL names need not exist.
    connection = psycopg2.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def plain_static():
    """Static files without collectstatic: the manifest storage of DEBUG=false needs a manifest."""
    from django.test.utils import override_settings

    return override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    )


# --- data -------------------------------------------------------------------------------------


def build() -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from budget.models import Resolution

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench-schatzmeisterin", password=None)
    user.groups.add(Group.objects.get(name="treasurer"))
    today = datetime.date.today()
    budgets = {}
    for number, size in enumerate([SMALL, BIG], start=1):
        resolution = Resolution.objects.create(
            number=number,
            year=today.year,
            title=f"Benchmark mit {size} Ausgaben",
            decided_on=today - datetime.timedelta(days=PERIOD_DAYS),
            outcome=Resolution.Outcome.PASSED,
            votes_for=11,
            votes_abstained=1,
            text="Der Landesvorstand beschließt …",
            responsible="LGF",
        )
        budgets[size] = fill_budget(resolution, size, user, today)
    call_command("verify_totals", stdout=io.StringIO())  # raises CommandError on any mismatch
    # Statistics for the planner, as autovacuum (PostgreSQL) would gather them after such a bulk
    # load in production; without them PostgreSQL sorts all 100,000 rows for the list's first page.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"Datenbank aufgebaut in {time.perf_counter() - started:.1f} s; verify_totals: ok")
    return {"user": user, "budgets": budgets, "today": today}


def fill_budget(resolution, size: int, user, today: datetime.date):
    """``size`` expenses written in bulk, with exactly the running totals the booking service
    would have kept: Budget and Category totals, counters and DailySpending rows."""
    from budget import retention
    from budget.models import Budget, Category, DailySpending, Expense, Reversal

    rng = random.Random(size)
    start = today - datetime.timedelta(days=PERIOD_DAYS - 1)
    budget = Budget.objects.create(
        resolution=resolution, name=f"Bench {size}", cap=CAP, starts_on=start
    )
    categories = [
        Category.objects.create(budget=budget, name=name, order=order)
        for order, name in enumerate(CATEGORIES, start=1)
    ]
    spent = Decimal("0.00")
    by_category = defaultdict(lambda: [Decimal("0.00"), 0, 0, 0])  # spent, pieces, valid, reversed
    by_day = defaultdict(Decimal)
    active = missing = reversals = 0

    for first in range(1, size + 1, BATCH):
        numbers = range(first, min(first + BATCH, size + 1))
        expenses = []
        for number in numbers:
            # Every second expense in the last category, so the list filtered to it fills a
            # page in the small budget too (a quarter of 100 expenses would not).
            if number % 2 == 0:
                category = categories[-1]
            else:
                category = categories[rng.randrange(len(categories) - 1)]
            day = start + datetime.timedelta(days=(number * PERIOD_DAYS) // (size + 1))
            amount = Decimal(rng.randint(100, 9_999)) / 100
            has_file = number % WITHOUT_FILE_EVERY != 0
            expenses.append(
                Expense(
                    budget=budget,
                    category=category,
                    receipt_number=number,
                    spent_on=day,
                    payee=PAYEES[number % len(PAYEES)],
                    description=f"Beleg {number}: Telefonaktion, Material und Verpflegung",
                    amount=amount,
                    quantity=1 + number % 3,
                    receipt=f"receipts/{budget.pk}/{number:08d}.pdf" if has_file else "",
                    receipt_original_name=f"beleg-{number}.pdf" if has_file else "",
                    receipt_content_type="application/pdf" if has_file else "",
                    created_by=user,
                )
            )
        Expense.objects.bulk_create(expenses, batch_size=1000)
        to_reverse = []
        for expense in Expense.objects.filter(
            budget=budget, receipt_number__gte=numbers.start, receipt_number__lt=numbers.stop
        ).only("pk", "receipt_number", "category_id", "spent_on", "amount", "quantity", "receipt"):
            if expense.receipt_number % REVERSED_EVERY == 0:
                to_reverse.append(
                    Reversal(expense_id=expense.pk, reason="Fehlbuchung", created_by=user)
                )
                reversals += 1
                by_category[expense.category_id][3] += 1
                continue
            active += 1
            missing += 0 if expense.receipt else 1
            spent += expense.amount
            by_category[expense.category_id][0] += expense.amount
            by_category[expense.category_id][1] += expense.quantity
            by_category[expense.category_id][2] += 1
            by_day[expense.spent_on] += expense.amount
        Reversal.objects.bulk_create(to_reverse, batch_size=1000)

    DailySpending.objects.bulk_create(
        DailySpending(budget=budget, day=day, spent=total) for day, total in by_day.items()
    )
    for category_id, (category_spent, quantity, valid, reversed_) in by_category.items():
        Category.objects.filter(pk=category_id).update(
            spent=category_spent,
            quantity=quantity,
            active_expense_count=valid,
            reversal_count=reversed_,
        )
    Budget.objects.filter(pk=budget.pk).update(
        spent=spent,
        last_receipt_number=size,
        active_expense_count=active,
        missing_receipt_count=missing,
        reversal_count=reversals,
        last_booked_at=retention.last_booking(budget),
    )
    budget.refresh_from_db()
    return budget


# --- measuring --------------------------------------------------------------------------------


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[-1]


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def measure(calls: dict) -> dict[str, list[float]]:
    """Time each call REQUESTS times, taking turns, so drift in the machine affects all alike."""
    for call in calls.values():
        for _ in range(WARMUP):
            call()
    samples = {name: [] for name in calls}
    for _ in range(REQUESTS):
        for name, call in calls.items():
            samples[name].append(timed(call))
    return samples


def get(client, path: str, status: int = 200):
    def call():
        response = client.get(path)
        assert response.status_code == status, (path, response.status_code)
        return response

    return call


def booking(client, budget, today):
    from django.urls import reverse

    from budget.models import Category

    path = reverse("budget:expense_new", args=[budget.pk])
    category = Category.objects.filter(budget=budget).order_by("order").first()
    counter = iter(range(1, 10**9))

    def call():
        response = client.post(
            path,
            {
                "category": category.pk,
                "spent_on": today.isoformat(),
                "payee": f"Bench-Buchung {next(counter)}",
                "description": "Messung",
                "amount": "1,00",
                "quantity": "1",
                "one_time_key": str(uuid.uuid4()),
            },
        )
        assert response.status_code == 302, ("booking refused", response.status_code)
        return response

    return call


def filtered_list(budget) -> str:
    """The list filtered to the last of four categories, which holds half the budget's expenses:
    a full first page in both budgets, counted from the category's running counters as the whole
    list is from the budget's."""
    from django.urls import reverse

    from budget.models import Category

    category = Category.objects.filter(budget=budget).order_by("order").last()
    return reverse("budget:expense_list", args=[budget.pk]) + f"?category={category.pk}"


def run_requests(data) -> None:
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(data["user"])
    budgets = data["budgets"]

    def pair(make_call) -> dict:
        return {size: make_call(budget) for size, budget in budgets.items()}

    dashboard = measure(
        {
            "floor": get(client, reverse("budget:home")),
            **pair(lambda b: get(client, reverse("budget:budget_dashboard", args=[b.pk]))),
        }
    )
    floor = dashboard.pop("floor")
    results = {
        "dashboard": dashboard,
        "summary.json": measure(
            pair(lambda b: get(client, reverse("budget:budget_summary", args=[b.pk])))
        ),
        "booking POST": measure(pair(lambda b: booking(client, b, data["today"]))),
        "Ausgabenliste": measure(
            pair(lambda b: get(client, reverse("budget:expense_list", args=[b.pk])))
        ),
        "Liste Kategorie": measure(pair(lambda b: get(client, filtered_list(b)))),
    }

    floor_median = statistics.median(floor)
    print()
    print(f"{REQUESTS} Anfragen je Messung, Zeiten in ms (Median / p95)")
    print(f"{'':14} {'100 Ausgaben':>17} {'100.000 Ausgaben':>19} {'groß/klein':>11}")
    print(f"{'Floor (/)':14} {floor_median:8.2f} / {p95(floor):6.2f}")
    failures = []
    for name, samples in results.items():
        small, big = samples[SMALL], samples[BIG]
        ratio = statistics.median(big) / statistics.median(small)
        verdict = "ok" if ratio <= TARGET_RATIO else "ZIEL VERFEHLT"
        print(
            f"{name:14} {statistics.median(small):8.2f} / {p95(small):6.2f}"
            f" {statistics.median(big):10.2f} / {p95(big):6.2f} {ratio:10.2f}  {verdict}"
        )
        if ratio > TARGET_RATIO:
            failures.append(f"{name}: groß/klein {ratio:.2f} > {TARGET_RATIO}")
    floor_ratio = statistics.median(results["dashboard"][BIG]) / floor_median
    print(
        f"Dashboard (100.000) / Floor: {floor_ratio:.2f}"
        f"  {'ok' if floor_ratio <= TARGET_FLOOR else 'ZIEL VERFEHLT'}"
    )
    if floor_ratio > TARGET_FLOOR:
        failures.append(f"dashboard/floor {floor_ratio:.2f} > {TARGET_FLOOR}")
    data["failures"] = failures


# --- export memory, in a fresh process ----------------------------------------------------------


def export_memory(kind: str, budget_id: int, trace: bool) -> None:
    """Child process: download one export and report peak memory as ``key=value`` lines.

    With ``trace``, tracemalloc also records the peak of Python allocations; it slows the export
    about fourfold, so the time and RSS figures come from a run without it."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(get_user_model().objects.get(username="bench-schatzmeisterin"))
    name = {"csv": "budget:budget_export_csv", "xlsx": "budget:budget_export_xlsx"}[kind]
    path = reverse(name, args=[budget_id])
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    size = lines = 0
    chunks = response.streaming_content if response.streaming else [response.content]
    for chunk in chunks:
        size += len(chunk)
        lines += chunk.count(b"\r\n")
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"bytes={size}")
    print(f"rows={lines - 1}")  # minus the header; bench payees contain no line breaks
    print(f"seconds={seconds:.2f}")
    print(f"tracemalloc_peak_mb={peak / 2**20:.1f}")
    print(f"rss_growth_mb={(rss_after - rss_before) / 1024:.1f}")  # ru_maxrss is in KiB on Linux
    print(f"rss_peak_mb={rss_after / 1024:.1f}")


def run_export(kind: str, budget, trace: bool = False) -> dict:
    command = [sys.executable, __file__, "--export", kind, "--budget", str(budget.pk)]
    if trace:
        command.append("--trace")
    output = subprocess.run(command, check=True, capture_output=True, text=True, env=os.environ)
    return dict(line.split("=", 1) for line in output.stdout.split() if "=" in line)


def report_exports(data) -> None:
    big = data["budgets"][BIG]
    csv = run_export("csv", big)
    csv["tracemalloc_peak_mb"] = run_export("csv", big, trace=True)["tracemalloc_peak_mb"]
    print()
    # The target applies to the whole process's peak RSS (Django, the test client and all), the
    # strictest reading; the growth is 0 when the export never exceeds what start-up needed.
    peak = float(csv["rss_peak_mb"])
    print(
        f"CSV-Export {BIG} Ausgaben: {csv['rows']} Zeilen, {int(csv['bytes']) / 2**20:.1f} MB"
        f" in {csv['seconds']} s; Spitze RSS des Prozesses {peak:.1f} MB"
        f" (Zuwachs durch den Export {csv['rss_growth_mb']} MB, Python-Objekte laut tracemalloc"
        f" höchstens {csv['tracemalloc_peak_mb']} MB)"
        f"  {'ok' if peak < TARGET_CSV_MB else 'ZIEL VERFEHLT'}"
    )
    if peak >= TARGET_CSV_MB:
        data["failures"].append(f"CSV-Speicher {peak:.1f} MB >= {TARGET_CSV_MB}")
    if float(csv["seconds"]) >= TARGET_CSV_SECONDS:
        data["failures"].append(f"CSV-Export {csv['seconds']} s >= {TARGET_CSV_SECONDS} s")
    xlsx = run_export("xlsx", big)
    xlsx_peak = float(xlsx["rss_peak_mb"])
    xlsx_ok = float(xlsx["seconds"]) < TARGET_XLSX_SECONDS and xlsx_peak < TARGET_CSV_MB
    print(
        f"Excel-Export {BIG} Ausgaben: {int(xlsx['bytes']) / 2**20:.1f} MB in {xlsx['seconds']} s;"
        f" Spitze RSS des Prozesses {xlsx_peak:.1f} MB (Zuwachs {xlsx['rss_growth_mb']} MB)"
        f"  {'ok' if xlsx_ok else 'ZIEL VERFEHLT'}"
    )
    if not xlsx_ok:
        data["failures"].append(f"Excel-Export {xlsx['seconds']} s / {xlsx_peak:.1f} MB")


def main() -> int:
    # DEBUG=false without collectstatic: WhiteNoise warns that STATIC_ROOT is missing; irrelevant.
    warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--export", choices=["csv", "xlsx"], help=argparse.SUPPRESS)
    parser.add_argument("--budget", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    configure(fresh=args.export is None)
    with plain_static():
        if args.export:
            export_memory(args.export, args.budget, args.trace)
            return 0
        from django.core.management import call_command
        from django.db import connection

        print(f"Datenbank: {connection.vendor} ({connection.settings_dict['NAME']})")
        data = build()
        run_requests(data)
        report_exports(data)
        # The 2 × 210 bookings above went through the service: the totals must still be exact.
        call_command("verify_totals", stdout=io.StringIO())
        print("verify_totals nach den Buchungen: ok")
    if data["failures"]:
        print("Ziele verfehlt: " + "; ".join(data["failures"]))
        return 1
    print("Alle Ziele erreicht.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
