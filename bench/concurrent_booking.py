"""Many treasurers pressing "Buchen" at the same moment, through a real server.

Starts gunicorn (4 workers) on 127.0.0.1 against a fresh database (SQLite file by default,
DATABASE_URL honoured), logs in N treasurers, and fires N booking POSTs of 200 € each at the
same instant against 1,000 € remaining. Prints how many were booked, refused (form re-shown)
and failed (5xx), and the final figures. Expected: exactly 5 booked, the rest refused, 0 failed,
spent == cap.

    .venv/bin/python bench/concurrent_booking.py [--clients 20]
"""

import argparse
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(env: dict, clients: int):
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from budget.models import Budget, Category
    from budget.services import record_expense

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("seed_telefonaktion", verbosity=0)
    budget = Budget.objects.get(name="Telefonaktion 2024")
    category = Category.objects.get(budget=budget, name="Verpflegung")
    group = Group.objects.get(name="treasurer")
    users = []
    for i in range(clients):
        user = get_user_model().objects.create_user(f"kasse{i}", password="bench-password-1")
        user.groups.add(group)
        users.append(user.username)
    record_expense(
        budget=budget,
        category=category,
        spent_on=budget.starts_on,
        payee="Vorher",
        description="bereits ausgegeben",
        amount=budget.cap - Decimal("1000.00"),
        created_by=get_user_model().objects.get(username=users[0]),
    )
    return budget.pk, category.pk, users


class Session:
    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def csrf(self, path):
        html = self.opener.open(self.base + path, timeout=60).read().decode()
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    def post(self, path, data):
        token = self.csrf(path)
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Referer": self.base + path}
        )
        try:
            return self.opener.open(request, timeout=120)
        except urllib.error.HTTPError as exc:
            return exc


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="beschlusskasse-bench-"))
    env = {
        "DJANGO_SETTINGS_MODULE": "telefonaktion.settings",
        "SECRET_KEY": "bench-only-secret",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "false",  # plain HTTP on 127.0.0.1: no TLS, no redirect, no HSTS
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "MEDIA_ROOT": str(workdir / "media"),
        "STATIC_ROOT": str(workdir / "static"),
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'db.sqlite3'}",
    }
    if env["DATABASE_URL"].startswith("postgres"):
        print("PostgreSQL: the database in DATABASE_URL must be empty; it is migrated here.")
    budget_id, category_id, users = prepare(env, args.clients)

    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "telefonaktion.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "4",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        sessions = []
        for username in users:
            s = Session(base)
            response = s.post(
                "/accounts/login/", {"username": username, "password": "bench-password-1"}
            )
            assert response.status == 302, f"login failed for {username}: {response.status}"
            sessions.append(s)

        path = f"/budgets/{budget_id}/expenses/new/"
        tokens = [s.csrf(path) for s in sessions]
        barrier = threading.Barrier(len(sessions))
        statuses = []

        def book(i):
            s = sessions[i]
            body = urllib.parse.urlencode(
                {
                    "csrfmiddlewaretoken": tokens[i],
                    "category": category_id,
                    "spent_on": "15.01.2024",
                    "payee": f"Telefonist {i}",
                    "description": "Verpflegung",
                    "amount": "200,00",
                    "quantity": "1",
                    "one_time_key": str(uuid.uuid4()),  # each phone has its own form
                }
            ).encode()
            request = urllib.request.Request(
                base + path, data=body, headers={"Referer": base + path}
            )
            barrier.wait()
            try:
                statuses.append(s.opener.open(request, timeout=120).status)
            except urllib.error.HTTPError as exc:
                statuses.append(exc.code)

        started = time.perf_counter()
        threads = [threading.Thread(target=book, args=(i,)) for i in range(len(sessions))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    from budget.models import Budget

    budget = Budget.objects.get(pk=budget_id)
    booked = statuses.count(302)
    refused = statuses.count(200)
    failed = len([s for s in statuses if s >= 500])
    print(f"database: {env['DATABASE_URL'].split(':')[0]}")
    print(
        f"{len(statuses)} simultaneous booking POSTs of 200,00 € against 1.000,00 € remaining "
        f"in {elapsed:.2f} s"
    )
    print(f"booked (302): {booked}   refused (200, form re-shown): {refused}   5xx: {failed}")
    print(f"spent {budget.spent} of cap {budget.cap}; remaining {budget.remaining}")
    ok = booked == 5 and failed == 0 and budget.spent == budget.cap
    print("OK" if ok else "UNEXPECTED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
