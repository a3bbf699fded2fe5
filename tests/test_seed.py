import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from budget.models import Budget, Category, Expense, Resolution

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        list(Resolution.objects.values()),
        list(Budget.objects.values()),
        list(Category.objects.values()),
        list(Expense.objects.values_list("pk", "amount")),
        list(get_user_model().objects.values_list("username", "password")),
    )


def test_seed_creates_resolution_16_2023_and_is_idempotent():
    call_command("seed_telefonaktion", stdout=None)
    first = snapshot()
    call_command("seed_telefonaktion")
    assert snapshot() == first

    resolution = Resolution.objects.get(number=16, year=2023)
    assert resolution.decided_on == datetime.date(2023, 11, 24)
    assert resolution.get_outcome_display() == "mit Zusatz beschlossen"
    assert (resolution.votes_for, resolution.votes_against, resolution.votes_abstained) == (
        11,
        0,
        1,
    )
    assert resolution.responsible == "LGF"
    assert "bis zu 2.500 €" in resolution.text
    assert "Zetkin" in resolution.rationale
    assert resolution.further_measures == "Absprache mit Bundesgeschäftsstelle"
    budget = Budget.objects.get(resolution=resolution)
    assert (budget.name, budget.cap, budget.currency) == (
        "Telefonaktion 2024",
        Decimal("2500.00"),
        "EUR",
    )
    assert budget.starts_on == datetime.date(2023, 11, 24)
    assert list(budget.categories.values_list("name", "quantity_cap", "quantity_unit")) == [
        ("Reisekosten", None, "Stück"),
        ("Vor- und Nachbereitung", None, "Stück"),
        ("Headsets", 15, "Stück"),
        ("Verpflegung", None, "Stück"),
    ]
    assert get_user_model().objects.count() == 0


def test_demo_creates_users_with_roles_and_the_given_password(monkeypatch, capsys):
    monkeypatch.setenv("DEMO_PASSWORD", "geheim-und-lang-genug")
    call_command("seed_telefonaktion", "--demo")
    users = get_user_model().objects
    assert users.get(username="schatzmeisterin").groups.get().name == "treasurer"
    assert users.get(username="lgf").groups.get().name == "director"
    assert users.get(username="admin").is_superuser
    assert users.get(username="lgf").check_password("geheim-und-lang-genug")
    booked = Expense.objects.count()
    assert booked > 0
    call_command("seed_telefonaktion", "--demo")
    assert Expense.objects.count() == booked


def test_demo_without_password_prints_a_random_one_once(monkeypatch, capsys):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    call_command("seed_telefonaktion", "--demo")
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.strip().startswith("lgf"))
    password = line.split()[1]
    assert get_user_model().objects.get(username="lgf").check_password(password)
    call_command("seed_telefonaktion", "--demo")
    assert password not in capsys.readouterr().out


def test_roles_come_from_a_migration():
    treasurer = set(
        Group.objects.get(name="treasurer").permissions.values_list("codename", flat=True)
    )
    director = set(
        Group.objects.get(name="director").permissions.values_list("codename", flat=True)
    )
    assert {"view_budget", "add_expense", "add_reversal", "export_budget"} <= treasurer
    assert "export_budget" in director and "view_expense" in director
    assert not {"add_expense", "add_reversal"} & director


def test_verify_totals_finds_and_fixes_a_drift(book, category, budget):
    book(category, "10.00")
    Budget.objects.filter(pk=budget.pk).update(spent=Decimal("11.00"))
    with pytest.raises(Exception, match="Abweichung"):
        call_command("verify_totals")
    call_command("verify_totals", "--fix")
    call_command("verify_totals")
    assert Budget.objects.get(pk=budget.pk).spent == Decimal("10.00")


def test_verify_totals_is_quiet_when_asked(book, category, capsys):
    book(category, "10.00")
    call_command("verify_totals", verbosity=0)
    assert capsys.readouterr().out == ""
    call_command("verify_totals")
    assert "0 Abweichung(en)" in capsys.readouterr().out
