"""Load test: many treasurers booking at once through gunicorn, until the cap is reached.

    .venv/bin/python bench/load.py                # PostgreSQL (DATABASE_URL's server), then SQLite
    .venv/bin/python bench/load.py --only sqlite      # or --only postgres

For each database it starts gunicorn with 4 workers on 127.0.0.1 (``--port``, default 18800) on a
fresh database (PostgreSQL: ``LOAD_DATABASE`` on the server DATABASE_URL names, default
``beschlusskasse_load``; SQLite: a file in a temporary folder), logs in 20 treasurer sessions and
fires 2,000 booking POSTs from 32 concurrent clients, each booking preceded by the form (GET, for
its CSRF token and one-time booking key) and every other one followed by a dashboard read. The
amounts (5–50 €, one in four with a PDF receipt) add up to more than the cap, so the cap is
reached on the way and the later bookings are refused with the form.

It prints bookings per second, p50/p95 latency of booking POSTs and dashboard reads, errors by
kind, and the final spent against the cap and against the sum of the accepted bookings. It must
hold: zero 5xx, spent <= cap, spent == sum of accepted bookings (and verify_totals agrees).

Then the floor: the same booking transaction (lock the budget row, insert the line, update the
budget, category and day totals) issued directly with psycopg2 from 32 threads, and the ratio of
the app's bookings per second to it. This prints figures; it is not a test.
"""

from __future__ import annotations

import argparse
import datetime
import http.cookiejar
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORKERS = 4
SESSIONS = 20
CLIENTS = 32
POSTS = 2_000
CAP_PER_POST = Decimal("25.00")  # amounts average 27.50 €: the cap falls at about 9 in 10 POSTs
PASSWORD = "load-test-password-1"
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
HIDDEN_INPUT = re.compile(r"<input[^>]*>", re.S)


def percentile(samples: list[float], share: float) -> float:
    if not samples:
        return float("nan")
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[int(share * 100) - 1]


# --- the database and the app ------------------------------------------------------------------


def environment(kind: str, workdir: Path) -> dict:
    env = {
        "DJANGO_SETTINGS_MODULE": "telefonaktion.settings",
        "SECRET_KEY": "load-test-only-secret-key-never-used-elsewhere-0123456789",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP on 127.0.0.1: no TLS in front, so no redirect, no HSTS, no secure cookies.
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "SECURE_COOKIES": "false",
        "MEDIA_ROOT": str(workdir / "media"),
        "STATIC_ROOT": str(workdir / "static"),
        "LOG_LEVEL": "ERROR",
    }
    if kind == "postgres":
        url = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
        if not url.startswith(("postgres://", "postgresql://")):
            raise SystemExit("PostgreSQL: DATABASE_URL must name a PostgreSQL server.")
        name = os.environ.get("LOAD_DATABASE", "beschlusskasse_load")
        _recreate_postgres(url, name)
        env["DATABASE_URL"] = urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    else:
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'load.sqlite3'}"
    return env


def _recreate_postgres(url: str, name: str) -> None:
    import psycopg2

    connection = psycopg2.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def run_manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


SETUP = """
import datetime
from decimal import Decimal
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from budget.models import Budget, Category, Resolution
today = datetime.date.today()
resolution = Resolution.objects.create(
    number=1, year=today.year, title="Lasttest", decided_on=today - datetime.timedelta(days=30),
    outcome=Resolution.Outcome.PASSED, votes_for=11, text="Lasttest", responsible="LGF")
group = Group.objects.get(name="treasurer")
for i in range({sessions}):
    user = get_user_model().objects.create_user(f"kasse{{i}}", password="{password}")
    user.groups.add(group)
ids = []
for name in ["Lasttest App", "Lasttest Floor"]:
    budget = Budget.objects.create(resolution=resolution, name=name, cap=Decimal("{cap}"),
                                   starts_on=today - datetime.timedelta(days=30))
    categories = [Category.objects.create(budget=budget, name=n, order=o)
                  for o, n in enumerate(["Reisekosten", "Material", "Verpflegung"], start=1)]
    ids.append(f"{{budget.pk}}:" + ",".join(str(c.pk) for c in categories))
print("IDS " + " ".join(ids))
"""


def prepare(env: dict) -> tuple[tuple[int, list[int]], tuple[int, list[int]]]:
    run_manage(env, "migrate", "--noinput", "--verbosity", "0")
    run_manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    output = run_manage(
        env,
        "shell",
        "-c",
        SETUP.format(sessions=SESSIONS, password=PASSWORD, cap=CAP_PER_POST * POSTS),
    )
    line = next(line for line in output.splitlines() if line.startswith("IDS "))
    pairs = []
    for item in line.split()[1:]:
        budget, categories = item.split(":")
        pairs.append((int(budget), [int(c) for c in categories.split(",")]))
    return pairs[0], pairs[1]


def start_gunicorn(env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "telefonaktion.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            return server
        except urllib.error.HTTPError as exc:
            raise SystemExit(f"/healthz answered {exc.code}") from exc
        except OSError:
            if server.poll() is not None:
                raise SystemExit("gunicorn did not start") from None
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 20 s")


# --- the clients ---------------------------------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Session:
    """One logged-in treasurer: a cookie jar shared by the clients that use it."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()

    def opener(self):
        return urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )


def hidden_fields(html: str) -> dict[str, str]:
    """Every hidden input of the page (CSRF token, one-time booking key, …)."""
    fields = {}
    for tag in HIDDEN_INPUT.findall(html):
        if 'type="hidden"' not in tag:
            continue
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = value.group(1) if value else ""
    return fields


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, content, content_type) in files.items():
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def log_in(session: Session, username: str) -> None:
    opener = session.opener()
    page = opener.open(session.base + "/accounts/login/", timeout=60).read().decode()
    body = urllib.parse.urlencode(
        {**hidden_fields(page), "username": username, "password": PASSWORD}
    ).encode()
    request = urllib.request.Request(
        session.base + "/accounts/login/",
        data=body,
        headers={"Referer": session.base + "/accounts/login/"},
    )
    try:
        opener.open(request, timeout=60)
        raise SystemExit(f"login of {username} was not redirected")
    except urllib.error.HTTPError as exc:
        if exc.code != 302:
            raise SystemExit(f"login of {username}: {exc.code}") from exc


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.booking_ms: list[float] = []
        self.dashboard_ms: list[float] = []
        self.form_ms: list[float] = []
        self.accepted: list[Decimal] = []
        self.refused = 0
        self.errors: Counter[str] = Counter()


def call(opener, request, timeout=60):
    """(status, body, milliseconds); a redirect (302) is a status, not an error."""
    started = time.perf_counter()
    try:
        with opener.open(request, timeout=timeout) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    return status, body, (time.perf_counter() - started) * 1000


def client(number, sessions, jobs, budget_id, categories, base, results):
    session = sessions[number % len(sessions)]
    opener = session.opener()
    form_path = f"/budgets/{budget_id}/expenses/new/"
    dashboard_path = f"/budgets/{budget_id}/"
    rng = random.Random(number)
    today = datetime.date.today().isoformat()
    iteration = 0
    while True:
        try:
            job = next(jobs)
        except StopIteration:
            return
        iteration += 1
        amount = Decimal(rng.randint(500, 5000)) / 100
        try:
            status, body, ms = call(opener, base + form_path)
            with results.lock:
                results.form_ms.append(ms)
            if status != 200:
                with results.lock:
                    results.errors[f"Formular {status}"] += 1
                continue
            fields = {
                **hidden_fields(body.decode()),
                "category": str(categories[job % len(categories)]),
                "spent_on": today,
                "payee": f"Lasttest {number}-{iteration}",
                "description": "Verpflegung Telefonaktion",
                "amount": f"{amount}".replace(".", ","),
                "quantity": "1",
            }
            files = (
                {"receipt": ("quittung.pdf", MINIMAL_PDF, "application/pdf")}
                if job % 4 == 0
                else {}
            )
            data, content_type = multipart(fields, files)
            request = urllib.request.Request(
                base + form_path,
                data=data,
                headers={"Content-Type": content_type, "Referer": base + form_path},
            )
            status, body, ms = call(opener, request)
            with results.lock:
                results.booking_ms.append(ms)
                if status == 302:
                    results.accepted.append(amount)
                elif status == 200 and "überschreiten".encode() in body:
                    results.refused += 1
                else:
                    results.errors[f"Buchung {status}"] += 1
            if iteration % 2 == 0:
                status, _, ms = call(opener, base + dashboard_path)
                with results.lock:
                    results.dashboard_ms.append(ms)
                    if status != 200:
                        results.errors[f"Dashboard {status}"] += 1
        except (OSError, TimeoutError) as exc:
            with results.lock:
                results.errors[f"Verbindung: {type(exc).__name__}"] += 1


def run_app(kind: str, port: int) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="beschlusskasse-load-"))
    env = environment(kind, workdir)
    (budget_id, categories), floor_budget = prepare(env)
    server = start_gunicorn(env, port)
    base = f"http://127.0.0.1:{port}"
    results = Results()
    try:
        sessions = [Session(base) for _ in range(SESSIONS)]
        for i, session in enumerate(sessions):
            log_in(session, f"kasse{i}")
        jobs_source = iter(range(POSTS))
        jobs_lock = threading.Lock()

        class Jobs:
            def __next__(self):
                with jobs_lock:
                    return next(jobs_source)

        jobs = Jobs()
        threads = [
            threading.Thread(
                target=client, args=(n, sessions, jobs, budget_id, categories, base, results)
            )
            for n in range(CLIENTS)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    check = run_manage(
        env,
        "shell",
        "-c",
        "from budget.models import Budget, Expense; from django.db.models import Sum; "
        f"b = Budget.objects.get(pk={budget_id}); "
        "s = Expense.objects.filter(budget=b).aggregate(t=Sum('amount'))['t']; "
        "print('CHECK', b.spent, b.cap, s or 0, Expense.objects.filter(budget=b).count())",
    )
    check = next(line for line in check.splitlines() if line.startswith("CHECK ")).split()[1:]
    verify = subprocess.run(
        [sys.executable, "manage.py", "verify_totals", "--verbosity", "0"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    spent, cap, ledger_sum, rows = (
        Decimal(check[0]),
        Decimal(check[1]),
        Decimal(check[2]).quantize(Decimal("0.01")),
        int(check[3]),
    )
    return {
        "kind": kind,
        "env": env,
        "floor_budget": floor_budget,
        "elapsed": elapsed,
        "results": results,
        "spent": spent,
        "cap": cap,
        "ledger_sum": ledger_sum,
        "rows": rows,
        "verify_ok": verify.returncode == 0,
    }


def report(run: dict) -> list[str]:
    r = run["results"]
    posts = len(r.booking_ms)
    accepted = sum(r.accepted, Decimal("0.00"))
    server_errors = sum(n for kind, n in r.errors.items() if re.search(r" 5\d\d$", kind))
    print()
    print(
        f"== {run['kind']}: {POSTS} Buchungs-POSTs von {CLIENTS} Clients in {SESSIONS} Sitzungen, "
        f"gunicorn {WORKERS} Worker"
    )
    print(
        f"Dauer {run['elapsed']:.1f} s; {posts / run['elapsed']:.1f} Buchungen/s "
        f"(POSTs beantwortet), davon {len(r.accepted) / run['elapsed']:.1f}/s angenommen"
    )
    print(
        f"angenommen {len(r.accepted)}, abgelehnt (Obergrenze) {r.refused}, "
        f"Fehler: {dict(r.errors) or 'keine'}"
    )
    print(
        f"Buchung POST   p50 {percentile(r.booking_ms, 0.50):7.1f} ms   "
        f"p95 {percentile(r.booking_ms, 0.95):7.1f} ms"
    )
    print(
        f"Dashboard GET  p50 {percentile(r.dashboard_ms, 0.50):7.1f} ms   "
        f"p95 {percentile(r.dashboard_ms, 0.95):7.1f} ms   ({len(r.dashboard_ms)} Abrufe)"
    )
    print(
        f"Formular GET   p50 {percentile(r.form_ms, 0.50):7.1f} ms   "
        f"p95 {percentile(r.form_ms, 0.95):7.1f} ms"
    )
    print(
        f"ausgegeben {run['spent']} € / Obergrenze {run['cap']} € / Summe der angenommenen "
        f"Buchungen {accepted} € / Summe im Hauptbuch {run['ledger_sum']} € "
        f"({run['rows']} Zeilen); "
        f"verify_totals {'ok' if run['verify_ok'] else 'ABWEICHUNG'}"
    )
    failures = []
    if server_errors:
        failures.append(f"{server_errors} Antworten 5xx")
    if run["spent"] > run["cap"]:
        failures.append("ausgegeben > Obergrenze")
    if run["spent"] != accepted or run["ledger_sum"] != accepted:
        failures.append("ausgegeben != Summe der angenommenen Buchungen")
    if len(r.accepted) != run["rows"]:
        failures.append("Zeilen im Hauptbuch != angenommene Buchungen")
    if not run["verify_ok"]:
        failures.append("verify_totals")
    if r.refused == 0:
        failures.append("Obergrenze nicht erreicht")
    print("Bedingungen: " + ("erfüllt" if not failures else "VERLETZT: " + "; ".join(failures)))
    return failures


# --- the floor: the booking transaction straight through psycopg2 --------------------------------


def floor(run: dict) -> float:
    """Bookings per second of the bare transaction, 32 threads, one connection each."""
    import psycopg2
    import psycopg2.extras

    psycopg2.extras.register_uuid()
    env = run["env"]
    os.environ.update(env)
    import django

    django.setup()
    from budget.models import Category, DailySpending, Expense

    budget_id, categories = run["floor_budget"]
    dsn = env["DATABASE_URL"]
    expense_table = Expense._meta.db_table
    budget_table = "budget_budget"
    category_table = Category._meta.db_table
    daily_table = DailySpending._meta.db_table
    # The columns of an expense row as Django writes them; NOT NULL text columns get "".
    columns, defaults = [], {}
    for field in Expense._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        if field.has_default():
            defaults[field.column] = field.get_default()
        elif field.null:
            defaults[field.column] = None
        elif field.get_internal_type() in {"CharField", "TextField", "FileField"}:
            defaults[field.column] = ""
    user_id = run_user_id(env)
    insert = (
        f'INSERT INTO "{expense_table}" ({", ".join(columns)}) '
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    today = datetime.date.today()
    jobs = iter(range(POSTS))
    lock = threading.Lock()
    done = Counter()

    def worker():
        connection = psycopg2.connect(dsn)
        rng = random.Random(threading.get_ident())
        with connection.cursor() as cursor:
            while True:
                with lock:
                    job = next(jobs, None)
                if job is None:
                    break
                amount = Decimal(rng.randint(500, 5000)) / 100
                category = categories[job % len(categories)]
                cursor.execute(
                    f'SELECT spent, cap, last_receipt_number FROM "{budget_table}" '
                    "WHERE id = %s FOR UPDATE",
                    [budget_id],
                )
                spent, cap, last = cursor.fetchone()
                if spent + amount > cap:
                    connection.rollback()
                    done["refused"] += 1
                    continue
                number = last + 1
                now = datetime.datetime.now(datetime.UTC)
                values = {
                    **defaults,
                    "budget_id": budget_id,
                    "category_id": category,
                    "receipt_number": number,
                    "spent_on": today,
                    "payee": f"Floor {job}",
                    "description": "Verpflegung Telefonaktion",
                    "amount": amount,
                    "quantity": 1,
                    "created_by_id": user_id,
                    "created_at": now,
                    "booking_key": uuid.uuid4(),
                }
                cursor.execute(insert, [values.get(column) for column in columns])
                cursor.execute(
                    f'UPDATE "{budget_table}" SET spent = spent + %s, last_receipt_number = %s, '
                    "active_expense_count = active_expense_count + 1, "
                    "missing_receipt_count = missing_receipt_count + 1, last_booked_at = %s "
                    "WHERE id = %s",
                    [amount, number, now, budget_id],
                )
                cursor.execute(
                    f'INSERT INTO "{daily_table}" (budget_id, day, spent) VALUES (%s, %s, %s) '
                    "ON CONFLICT (budget_id, day) DO UPDATE SET spent = "
                    f'"{daily_table}".spent + EXCLUDED.spent',
                    [budget_id, today, amount],
                )
                cursor.execute(
                    f'UPDATE "{category_table}" SET spent = spent + %s, quantity = quantity + 1, '
                    "active_expense_count = active_expense_count + 1 WHERE id = %s",
                    [amount, category],
                )
                connection.commit()
                done["booked"] += 1
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    rate = POSTS / elapsed
    print()
    print(
        f"== Boden (psycopg2, {CLIENTS} Threads, dieselbe Transaktion ohne Django): {POSTS} in "
        f"{elapsed:.1f} s = {rate:.0f} Buchungen/s ({done['booked']} gebucht, "
        f"{done['refused']} an der Obergrenze abgelehnt)"
    )
    return rate


def run_user_id(env: dict) -> int:
    return int(
        run_manage(
            env,
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model; "
            "print(get_user_model().objects.get(username='kasse0').pk)",
        ).split()[-1]
    )


def main() -> int:
    global POSTS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["postgres", "sqlite"])
    parser.add_argument("--port", type=int, default=18800)
    parser.add_argument("--posts", type=int, default=2_000, help="for a quick trial run")
    args = parser.parse_args()
    POSTS = args.posts
    kinds = [args.only] if args.only else ["postgres", "sqlite"]
    failures = []
    postgres_run = None
    for kind in kinds:
        run = run_app(kind, args.port)
        failures += [f"{kind}: {f}" for f in report(run)]
        if kind == "postgres":
            postgres_run = run
    if postgres_run is not None:
        rate = floor(postgres_run)
        app_rate = len(postgres_run["results"].booking_ms) / postgres_run["elapsed"]
        print(f"App/Boden (PostgreSQL): {app_rate:.1f} / {rate:.0f} = {app_rate / rate:.3f}")
    print()
    print("Alle Bedingungen erfüllt." if not failures else "VERLETZT: " + "; ".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
