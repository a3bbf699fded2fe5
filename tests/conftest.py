import datetime
from decimal import Decimal

import pytest

from budget.models import Category
from budget.services import record_expense
from tests.append_only import install_test_flush, uninstall_test_flush
from tests.factories import BudgetFactory, CategoryFactory, UserFactory


def pytest_collection_modifyitems(items):
    # A transactional test without serialized_rollback leaves the database flushed and refilled by
    # post_migrate: the roles from the data migrations are gone and content types get new ids, so
    # the next serialized test fails on a content-type clash depending on the order tests run in.
    unsafe = [
        item.nodeid
        for item in items
        if (marker := item.get_closest_marker("django_db"))
        and marker.kwargs.get("transaction")
        and not marker.kwargs.get("serialized_rollback")
    ]
    if unsafe:
        raise pytest.UsageError(
            "Transactional tests need serialized_rollback=True: " + ", ".join(unsafe)
        )


@pytest.fixture(autouse=True, scope="session")
def _flush_past_append_only_triggers():
    # Transactional tests empty the tables afterwards; see tests/append_only.py.
    install_test_flush()
    yield
    uninstall_test_flush()


@pytest.fixture(autouse=True)
def _plain_static_and_private_media(settings, tmp_path):
    # Tests render templates without collectstatic, and every test gets its own MEDIA_ROOT so that
    # "no file left behind" can be asserted exactly.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    settings.LANGUAGE_CODE = "de"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def treasurer(db):
    return UserFactory(username="schatzmeisterin", role="treasurer")


@pytest.fixture
def director(db):
    return UserFactory(username="lgf", role="director")


@pytest.fixture
def auditor(db):
    return UserFactory(username="pruefer", role="auditor")


@pytest.fixture
def outsider(db):
    return UserFactory(username="ohne-rolle")


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def budget(db):
    """The Telefonaktion budget: 2,500.00 € cap with the four categories of Resolution 16/2023."""
    budget = BudgetFactory(
        name="Telefonaktion 2024", cap=Decimal("2500.00"), starts_on=datetime.date(2023, 11, 24)
    )
    CategoryFactory(budget=budget, name="Reisekosten", order=1)
    CategoryFactory(budget=budget, name="Vor- und Nachbereitung", order=2)
    CategoryFactory(budget=budget, name="Headsets", order=3, quantity_cap=15, quantity_unit="Stück")
    CategoryFactory(budget=budget, name="Verpflegung", order=4)
    return budget


@pytest.fixture
def category(budget):
    return Category.objects.get(budget=budget, name="Verpflegung")


@pytest.fixture
def headsets(budget):
    return Category.objects.get(budget=budget, name="Headsets")


@pytest.fixture
def book(treasurer):
    """Book through the one booking function with sensible defaults."""

    def _book(category, amount, **kwargs):
        defaults = {
            "budget": category.budget_id,
            "category": category,
            "spent_on": datetime.date(2024, 1, 15),
            "payee": "Bäckerei Roth",
            "description": "Verpflegung Telefonabend",
            "amount": Decimal(amount),
            "created_by": treasurer,
        }
        defaults.update(kwargs)
        return record_expense(**defaults)

    return _book


@pytest.fixture
def helper(db):
    """A volunteer (group ``helper``): submits claims, sees only their own."""
    return UserFactory(username="helferin", role="helper", email="helferin@example.org")


@pytest.fixture
def claims_budget(budget):
    """The Telefonaktion budget, open for claims."""
    budget.accepts_claims = True
    budget.save()
    return budget


@pytest.fixture
def other_helper(db):
    """Another volunteer: a helper, but not the one who submitted the claim at hand."""
    return UserFactory(username="helfer", role="helper", email="helfer@example.org")
