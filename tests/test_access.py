"""Every page of ``budget.urls`` × every role, from one table.

A page that is added to ``budget/urls.py`` without a row in ``ACCESS`` fails
``test_every_page_has_an_access_rule`` (and its own parametrised cases) with its name, so no page
ships without a decided rule. For each page the table says which roles may open it and which may
submit it; everybody else gets 403, anonymous visitors the login page, and a POST to a read-only
page 405. The auditor appears in no ``post`` set: it may look at everything and change nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, reverse

from budget import uploads
from budget import urls as budget_urls
from budget.models import Category, ResolutionAttachment
from budget.models.datev import DatevSettings
from tests.helpers import MINIMAL_PDF, assert_login_required, image_upload

pytestmark = pytest.mark.django_db

TREASURER, DIRECTOR, AUDITOR, OUTSIDER, ANONYMOUS = (
    "treasurer",
    "director",
    "auditor",
    "outsider",
    "anonymous",
)
ROLES = [TREASURER, DIRECTOR, AUDITOR, OUTSIDER, ANONYMOUS]
READERS = frozenset({TREASURER, DIRECTOR, AUDITOR})
BOOKERS = frozenset({TREASURER})
CLOSERS = frozenset({DIRECTOR})
NOBODY = frozenset()  # superusers only


@dataclass(frozen=True)
class Objects:
    budget: object
    expense: object
    attachment: object
    pending: object


@dataclass(frozen=True)
class Page:
    path: Callable[[Objects], str]
    get: frozenset[str]  # roles that open the page
    post: frozenset[str] | None = None  # roles that may submit it; None: read-only, POST is 405
    ok: int = 200  # what a permitted GET answers


@dataclass(frozen=True)
class Elsewhere:
    """A page whose per-role rule is tested in its own module (it needs objects this file does
    not build). Here it is still walked with made-up ids: anonymous visitors go to the login
    page, and neither an outsider nor the auditor gets anything but a refusal from a POST."""

    module: str


def _budget(name, **query):
    return lambda o: reverse(f"budget:{name}", args=[o.budget.pk]) + _query(query)


def _expense(name):
    return lambda o: reverse(f"budget:{name}", args=[o.budget.pk, o.expense.pk])


def _query(query: dict) -> str:
    return ("?" + "&".join(f"{k}={v}" for k, v in query.items())) if query else ""


# One row per URL name in budget.urls. Add the row together with the page.
ACCESS: dict[str, Page | Elsewhere] = {
    "home": Page(lambda o: reverse("budget:home"), READERS),
    "resolution": Page(
        lambda o: reverse("budget:resolution", args=[o.budget.resolution_id]), READERS
    ),
    "attachment": Page(
        lambda o: reverse("budget:attachment", args=[o.budget.resolution_id, o.attachment.pk]),
        READERS,
    ),
    "expense_list": Page(_budget("expense_list"), READERS),
    "expense_new": Page(_budget("expense_new"), BOOKERS, post=BOOKERS),
    "expense_detail": Page(_expense("expense_detail"), READERS),
    "expense_reverse": Page(_expense("expense_reverse"), BOOKERS, post=BOOKERS),
    "expense_receipt": Page(_expense("expense_receipt"), READERS),
    "expense_thumbnail": Page(
        lambda o: reverse("budget:expense_thumbnail", args=[o.budget.pk, o.expense.pk, "small"]),
        READERS,
    ),
    "pending_receipt_thumbnail": Page(
        lambda o: reverse("budget:pending_receipt_thumbnail", args=[o.budget.pk, o.pending.token]),
        BOOKERS,
    ),
    "budget_dashboard": Page(_budget("budget_dashboard"), READERS),
    "budget_summary": Page(_budget("budget_summary"), READERS),
    "budget_export_csv": Page(_budget("budget_export_csv"), READERS),
    "budget_export_xlsx": Page(_budget("budget_export_xlsx"), READERS),
    "budget_statement": Page(_budget("budget_statement"), READERS),
    "budget_statement_pdf": Page(_budget("budget_statement_pdf"), READERS),
    "budget_close": Page(_budget("budget_close"), CLOSERS, post=CLOSERS),
    "budget_reopen": Page(_budget("budget_reopen"), NOBODY, post=NOBODY),
    "budget_datev": Page(_budget("budget_datev"), READERS),
    "budget_export_datev": Page(
        _budget("budget_export_datev", **{"from": "2024-01-01", "to": "2024-12-31"}), READERS
    ),
    "yearly_report_current": Page(
        lambda o: reverse("budget:yearly_report_current"), READERS, ok=302
    ),
    "yearly_report": Page(lambda o: reverse("budget:yearly_report", args=[2024]), READERS),
    "yearly_report_budgets_csv": Page(
        lambda o: reverse("budget:yearly_report_budgets_csv", args=[2024]), READERS
    ),
    "yearly_report_positions_csv": Page(
        lambda o: reverse("budget:yearly_report_positions_csv", args=[2024]), READERS
    ),
    "yearly_report_xlsx": Page(
        lambda o: reverse("budget:yearly_report_xlsx", args=[2024]), READERS
    ),
    # Claims, orders, payouts (tests/test_views_claims.py, test_orders.py, test_payouts.py),
    # late receipts (test_late_receipts.py) and the budget's history (test_audit_trail.py).
    **{
        name: Elsewhere("tests/test_views_claims.py")
        for name in [
            "my_claims",
            "claim_list",
            "claim_new",
            "claim_waived",
            "claim_detail",
            "claim_approve",
            "claim_reject",
            "claim_withdraw",
            "claim_waive",
            "claim_receipt",
            "claim_thumbnail",
            "claim_pending_thumbnail",
        ]
    },
    **{
        name: Elsewhere("tests/test_orders.py")
        for name in [
            "order_list",
            "order_new",
            "order_detail",
            "order_approve",
            "order_book",
            "order_cancel",
        ]
    },
    **{
        name: Elsewhere("tests/test_payouts.py")
        for name in [
            "payout_account",
            "payout_list",
            "payout_detail",
            "payout_sepa",
            "payout_paid",
        ]
    },
    "expense_attach_receipt": Elsewhere("tests/test_late_receipts.py"),
    "budget_history": Elsewhere("tests/test_audit_trail.py"),
}


def url_names(patterns, prefix="") -> list[str]:
    names = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            names += url_names(entry.url_patterns, prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            names.append(prefix + entry.name)
    return names


URL_NAMES = url_names(budget_urls.urlpatterns)


def rule_for(name: str) -> Page:
    if name not in ACCESS:
        pytest.fail(
            f"budget:{name} has no access rule: add a row for it to ACCESS in tests/test_access.py "
            "saying which roles may open and submit it."
        )
    return ACCESS[name]


def test_every_page_has_an_access_rule():
    missing = sorted(set(URL_NAMES) - set(ACCESS))
    assert not missing, f"pages without an access rule in tests/test_access.py: {missing}"


def test_the_table_names_no_page_that_is_gone():
    assert sorted(set(ACCESS) - set(URL_NAMES)) == []


@pytest.fixture
def objects(budget, category, book, treasurer):
    expense = book(category, "86.45", receipt=image_upload()).expense
    attachment = ResolutionAttachment.objects.create(
        resolution=budget.resolution,
        file=SimpleUploadedFile("Beschluss.pdf", MINIMAL_PDF),
        original_name="Beschluss.pdf",
    )
    DatevSettings.objects.create(adviser_number=29098, client_number=55003, contra_account="1200")
    Category.objects.filter(budget=budget).update(account="4650")
    # A refused booking's photo, kept for the treasurer who took it.
    pending = uploads.stash(upload=image_upload(), owner=treasurer, budget=budget)
    return Objects(budget=budget, expense=expense, attachment=attachment, pending=pending)


@pytest.fixture
def login(client, request):
    def _login(role):
        if role != ANONYMOUS:
            client.force_login(request.getfixturevalue(role))
        return client

    return _login


TABLED = [name for name in URL_NAMES if not isinstance(ACCESS.get(name), Elsewhere)]
ELSEWHERE = [name for name in URL_NAMES if isinstance(ACCESS.get(name), Elsewhere)]


def _made_up_path(name, budget) -> str:
    pattern = next(p for p in budget_urls.urlpatterns if getattr(p, "name", None) == name)
    kwargs = {}
    for key, converter in pattern.pattern.converters.items():
        if key == "budget_id":
            kwargs[key] = budget.pk
        elif "UUID" in type(converter).__name__:
            kwargs[key] = uuid.UUID(int=1)
        else:
            kwargs[key] = 999999
    return reverse(f"budget:{name}", kwargs=kwargs)


def test_the_modules_named_for_other_pages_exist():
    from pathlib import Path

    root = Path(__file__).parent.parent
    missing = {page.module for page in ACCESS.values() if isinstance(page, Elsewhere)}
    assert sorted(m for m in missing if not (root / m).exists()) == []


@pytest.mark.parametrize("role", [OUTSIDER, AUDITOR, ANONYMOUS])
@pytest.mark.parametrize("name", ELSEWHERE)
def test_pages_tested_elsewhere_refuse_changes(name, role, budget, login):
    path = _made_up_path(name, budget)
    client = login(role)
    get, post = client.get(path), client.post(path, {})
    if role == ANONYMOUS:
        assert_login_required(get)
        assert_login_required(post)
        return
    assert get.status_code < 500
    if role == OUTSIDER:
        assert get.status_code in (403, 404, 405)
    assert post.status_code in (403, 404, 405), f"{role} must not submit budget:{name}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", TABLED)
def test_get(name, role, objects, login):
    page = rule_for(name)
    response = login(role).get(page.path(objects))
    if role == ANONYMOUS:
        assert_login_required(response)
    elif role in page.get:
        assert response.status_code == page.ok, f"{role} should open budget:{name}"
    else:
        assert response.status_code == 403, f"{role} must not open budget:{name}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", TABLED)
def test_post(name, role, objects, login):
    """No role outside a page's ``post`` set changes anything: 403 (405 on a read-only page)."""
    page = rule_for(name)
    expense = objects.expense
    response = login(role).post(page.path(objects), {})
    if role == ANONYMOUS:
        assert_login_required(response)
    elif page.post is None:
        assert response.status_code == 405, f"budget:{name} is read-only"
    elif role in page.post:
        # An empty form: the page answers with its errors and books nothing.
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == 403, f"{role} must not submit budget:{name}"
    expense.refresh_from_db()
    assert not expense.is_reversed
    assert objects.budget.expenses.count() == 1


CHANGING = ("add_", "change_", "delete_", "close_", "approve_")


def test_the_auditor_holds_no_permission_that_changes_data(auditor):
    changing = [
        perm for perm in auditor.get_all_permissions() if perm.split(".")[1].startswith(CHANGING)
    ]
    assert changing == []


def test_the_auditor_sees_what_the_director_sees(auditor, director):
    looking = {
        perm
        for perm in director.get_all_permissions()
        if not perm.split(".")[1].startswith(CHANGING)
    }
    assert auditor.get_all_permissions() == looking


def test_the_auditor_role_comes_from_a_migration(db):
    from django.contrib.auth.models import Group

    group = Group.objects.get(name="auditor")
    assert "export_budget" in set(group.permissions.values_list("codename", flat=True))
