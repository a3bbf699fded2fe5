"""Create Resolution 16/2023 with its budget and categories; with --demo also demo users and a
few bookings. Running it again changes nothing."""

import os
import secrets
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction

from budget import seed_data
from budget.models import Budget, Category, Resolution
from budget.models.datev import DatevSettings
from budget.roles import sync_roles
from budget.services import record_expense

DEMO_USERS = [
    # username, group, superuser, label
    ("schatzmeisterin", "treasurer", False, "Schatzmeisterin (treasurer)"),
    ("lgf", "director", False, "Landesgeschäftsführer (director)"),
    ("pruefer", "auditor", False, "Rechnungsprüfer*in (auditor, nur lesen)"),
    ("helferin", "helper", False, "Helferin (helper: reicht Erstattungen ein)"),
    ("admin", None, True, "Administration (superuser)"),
]


class Command(BaseCommand):
    help = "Legt Beschluss 16/2023 mit Budget „Telefonaktion 2024“ und Kategorien an (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo",
            action="store_true",
            help=(
                "Auch Demo-Benutzer (Passwort aus DEMO_PASSWORD oder zufällig) "
                "und Demo-Buchungen anlegen."
            ),
        )

    def handle(self, *args, demo=False, **options):
        with transaction.atomic():
            sync_roles(Group, Permission)
            budget = self.seed_resolution()
        if demo:
            self.seed_datev_settings()
            users = self.seed_users()
            self.seed_bookings(budget, users["schatzmeisterin"])

    def seed_resolution(self) -> Budget:
        data = dict(seed_data.RESOLUTION)
        resolution, created = Resolution.objects.get_or_create(
            number=data.pop("number"), year=data.pop("year"), defaults=data
        )
        self.stdout.write(
            f"Beschluss {resolution.reference}: {'angelegt' if created else 'vorhanden'}"
        )
        budget_data = dict(seed_data.BUDGET)
        budget, created = Budget.objects.get_or_create(
            resolution=resolution, name=budget_data.pop("name"), defaults=budget_data
        )
        self.stdout.write(f"Budget „{budget.name}“: {'angelegt' if created else 'vorhanden'}")
        settings = DatevSettings.load()
        skr04 = settings is not None and settings.chart_of_accounts == DatevSettings.Chart.SKR04
        for category in seed_data.CATEGORIES:
            values = dict(category)
            name = values.pop("name")
            if skr04:
                values["account"] = seed_data.SKR04_ACCOUNTS[values["account"]]
            _category, created = Category.objects.get_or_create(
                budget=budget, name=name, defaults=values
            )
            if not created:
                # Seeded before positions and accounts existed: fill in what is still empty,
                # never overwrite what someone has edited.
                for field in ("position", "account"):
                    Category.objects.filter(budget=budget, name=name, **{field: ""}).update(
                        **{field: values[field]}
                    )
        return budget

    def seed_datev_settings(self) -> None:
        if DatevSettings.objects.exists():
            return
        DatevSettings.objects.create(**seed_data.DEMO_DATEV_SETTINGS)
        self.stdout.write("DATEV-Einstellungen: Demo-Mandant 29098/55003 angelegt.")

    def seed_users(self) -> dict:
        User = get_user_model()
        password = os.environ.get("DEMO_PASSWORD", "")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        users, lines = {}, []
        for username, group, superuser, label in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, is_staff=superuser, is_superuser=superuser)
                user.set_password(password)
                user.save()
                lines.append(f"  {username:16} {password}   {label}")
            elif not generated:
                user.set_password(password)
                user.save(update_fields=["password"])
                lines.append(f"  {username:16} (Passwort aus DEMO_PASSWORD)   {label}")
            else:
                lines.append(f"  {username:16} (besteht bereits, Passwort unverändert)   {label}")
            if group:
                user.groups.add(Group.objects.get(name=group))
            users[username] = user
        self.stdout.write("Demo-Zugänge (Anmeldung unter /accounts/login/):")
        for line in lines:
            self.stdout.write(line)
        return users

    def seed_bookings(self, budget: Budget, user) -> None:
        if budget.expenses.exists():
            return
        categories = {c.name: c for c in budget.categories.all()}
        for category, day, payee, description, amount, quantity in seed_data.DEMO_EXPENSES:
            record_expense(
                budget=budget,
                category=categories[category],
                spent_on=day,
                payee=payee,
                description=description,
                amount=Decimal(amount),
                quantity=quantity,
                created_by=user,
            )
        self.stdout.write(f"{len(seed_data.DEMO_EXPENSES)} Demo-Buchungen angelegt.")
