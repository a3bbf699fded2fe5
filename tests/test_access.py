"""Every page of ``budget.urls`` × every role, from one table.

A page that is added to ``budget/urls.py`` without a row in ``ACCESS`` fails
``test_every_page_has_an_access_rule`` (and its own parametrised cases) with its name, so no page
ships without a decided rule. For each page the table says which roles may open it and which may
submit it; everybody else gets 403 (or the answer named in ``refused``: 404 for a claim outside
one's own, a redirect with a message where the service says no), anonymous visitors the login
page, and a POST to a read-only page 405 (a GET to a POST-only page too). The auditor appears in
no ``post`` set: it may look at everything and change nothing.

The table's objects exist, so that a request reaches the permission check and not a 404 for a
missing row. ``helper`` is the volunteer who submitted the table's claims; ``other_helper`` is a
volunteer who did not, and learns nothing about them. Where a row gives a valid ``form``, a POST
by a permitted role must redirect to ``done`` and change ``changes``; everybody else changes
nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone

from budget import uploads
from budget import urls as budget_urls
from budget.models import (
    Budget,
    Category,
    Claim,
    DatevSettings,
    Expense,
    Order,
    PayoutAccount,
    PayoutBatch,
    PendingReceipt,
    ReceiptAttachment,
    ResolutionAttachment,
    Reversal,
)
from budget.services import claims, orders, payouts
from tests.claim_helpers import IBAN_2, claim
from tests.factories import BudgetFactory
from tests.helpers import MINIMAL_PDF, assert_login_required, fresh_key, image_upload, pdf_upload

pytestmark = pytest.mark.django_db

TREASURER, DIRECTOR, AUDITOR, HELPER, OTHER_HELPER, OUTSIDER, ANONYMOUS = (
    "treasurer",
    "director",
    "auditor",
    "helper",
    "other_helper",
    "outsider",
    "anonymous",
)
ROLES = [TREASURER, DIRECTOR, AUDITOR, HELPER, OTHER_HELPER, OUTSIDER, ANONYMOUS]
READERS = frozenset({TREASURER, DIRECTOR, AUDITOR})
BOOKERS = frozenset({TREASURER})
CLOSERS = frozenset({DIRECTOR})
NOBODY = frozenset()  # superusers only
# add_claim: a helper, and the treasurer and the director for their own expenses.
CLAIMANTS = frozenset({TREASURER, DIRECTOR, HELPER, OTHER_HELPER})
THE_CLAIMANT = frozenset({HELPER})
CLAIM_READERS = READERS | THE_CLAIMANT
DECIDERS = frozenset({TREASURER})
SECOND_APPROVERS = frozenset({DIRECTOR})
# Outside one's own claims a claim does not exist (access.get_claim_for): 404, not 403.
NOT_THEIRS = {OTHER_HELPER: 404, OUTSIDER: 404}
# The director approves (and rejects) a helper's claim only as the second person above the
# threshold (services.claims.check_approver): for this small claim the service says no, with a
# message on the claim's page, and nothing changes.
FIRST_APPROVAL_IS_THE_TREASURERS = {**NOT_THEIRS, DIRECTOR: 302}
# Only the claimant withdraws or waives (access.get_own_claim_for): 403 for those who see the
# claim, 404 for those who do not.
ONLY_THE_CLAIMANT = NOT_THEIRS
# A helper's start page is their own claims.
TO_MY_CLAIMS = {HELPER: 302, OTHER_HELPER: 302}


@dataclass(frozen=True)
class Objects:
    budget: Budget
    expense: Expense  # booked with a photo receipt
    bare: Expense  # booked without a receipt: one may be handed in later
    attachment: ResolutionAttachment
    pending: PendingReceipt  # the treasurer's kept photo of a refused booking
    claim: Claim  # the helper's, submitted
    approved: Claim  # the helper's, approved and payable
    claim_pending: PendingReceipt  # the helper's kept photo of a refused claim
    account: PayoutAccount
    batch: PayoutBatch  # holds another approved claim of the helper's; not yet paid
    order: Order  # open
    awaiting: Order  # above the second-approval limit
    settled: Budget  # another budget with nothing open: the one that can be closed


@dataclass(frozen=True)
class Page:
    path: Callable[[Objects], str]
    get: frozenset[str] | None  # roles that open the page; None: POST only, a GET is 405
    post: frozenset[str] | None = None  # roles that may submit it; None: read-only, POST is 405
    ok: int = 200  # what a permitted GET answers
    # What a role outside ``get``/``post`` answers, where that is not 403.
    refused: Mapping[str, int] = field(default_factory=dict)
    # For a page some role may submit: a valid submission, what it changes, where it redirects.
    form: Callable[[Objects], dict] | None = None
    changes: Callable[[Objects], object] | None = None
    done: Callable[[Objects], str] | None = None


def _budget(name, **query):
    return lambda o: reverse(f"budget:{name}", args=[o.budget.pk]) + _query(query)


def _of(which, name):
    """The page ``name`` of the table's object ``which`` (``"claim"``, ``"order"``, ...)."""
    return lambda o: reverse(f"budget:{name}", args=[o.budget.pk, getattr(o, which).pk])


def _query(query: dict) -> str:
    return ("?" + "&".join(f"{k}={v}" for k, v in query.items())) if query else ""


def _state(which):
    return lambda o: type(getattr(o, which)).objects.get(pk=getattr(o, which).pk).state


def _count(model):
    return lambda o: model.objects.filter(budget=o.budget).count()


def _newest(name, model, key="pk"):
    """The page of the row a POST has just created."""
    return lambda o: reverse(
        f"budget:{name}",
        kwargs={
            "budget_id": o.budget.pk,
            key: model.objects.filter(budget=o.budget).latest("pk").pk,
        },
    )


def _expense_form(o):
    return {
        "one_time_key": fresh_key(),
        "category": o.expense.category_id,
        "spent_on": "16.01.2024",
        "payee": "Bäckerei Roth",
        "description": "Verpflegung zweiter Telefonabend",
        "amount": "41,10",
        "quantity": "1",
        "receipt": image_upload(),
    }


def _claim_form(o):
    return {
        "one_time_key": fresh_key(),
        "kind": "expense",
        "category": o.claim.category_id,
        "spent_on": "15.01.2024",
        "payee": "Bäckerei Roth",
        "description": "Brötchen",
        "amount": "23,40",
        "quantity": "1",
        "iban": "DE89 3704 0044 0532 0130 00",
        "account_holder": "Rosa Beispiel",
        "receipt": image_upload(),
    }


def _order_form(o):
    return {
        "one_time_key": fresh_key(),
        "category": o.order.category_id,
        "supplier": "Elektro Erfurt GmbH",
        "description": "Verlängerungskabel",
        "amount": "19,90",
        "quantity": "1",
    }


def _invoice_form(o):
    return {
        "one_time_key": fresh_key(),
        "spent_on": "20.01.2024",
        "payee": "Elektro Erfurt GmbH",
        "description": "Rechnung 4711",
        "amount": "31,20",
        "quantity": "1",
        "receipt": pdf_upload(),
    }


def _no_fields(o):
    return {}


def _reason(o):
    return {"reason": "Kein Beschluss dafür"}


def _account(o):
    return (
        PayoutAccount.objects.filter(budget=o.budget)
        .values_list("account_holder", "iban", "bic")
        .get()
    )


# One row per URL name in budget.urls. Add the row together with the page.
ACCESS: dict[str, Page] = {
    "home": Page(lambda o: reverse("budget:home"), READERS, refused=TO_MY_CLAIMS),
    "resolution": Page(
        lambda o: reverse("budget:resolution", args=[o.budget.resolution_id]), READERS
    ),
    "attachment": Page(
        lambda o: reverse("budget:attachment", args=[o.budget.resolution_id, o.attachment.pk]),
        READERS,
    ),
    "expense_list": Page(_budget("expense_list"), READERS),
    "expense_new": Page(
        _budget("expense_new"),
        BOOKERS,
        post=BOOKERS,
        form=_expense_form,
        changes=_count(Expense),
        done=_newest("expense_detail", Expense),
    ),
    "expense_detail": Page(_of("expense", "expense_detail"), READERS),
    "expense_reverse": Page(
        _of("expense", "expense_reverse"),
        BOOKERS,
        post=BOOKERS,
        form=lambda o: {"one_time_key": fresh_key(), "reason": "Doppelt gebucht"},
        changes=lambda o: Reversal.objects.filter(expense=o.expense).exists(),
        done=_of("expense", "expense_detail"),
    ),
    "expense_receipt": Page(_of("expense", "expense_receipt"), READERS),
    "expense_attach_receipt": Page(
        _of("bare", "expense_attach_receipt"),
        BOOKERS,
        post=BOOKERS,
        form=lambda o: {"receipt": pdf_upload()},
        changes=lambda o: ReceiptAttachment.objects.filter(expense=o.bare).count(),
        done=_of("bare", "expense_detail"),
    ),
    "expense_thumbnail": Page(
        lambda o: reverse("budget:expense_thumbnail", args=[o.budget.pk, o.expense.pk, "small"]),
        READERS,
    ),
    "pending_receipt_thumbnail": Page(
        lambda o: reverse("budget:pending_receipt_thumbnail", args=[o.budget.pk, o.pending.token]),
        BOOKERS,
    ),
    # Claims: the helper's own, and every claim of a budget for those who see them.
    "my_claims": Page(lambda o: reverse("budget:my_claims"), CLAIMANTS),
    "claim_list": Page(_budget("claim_list"), READERS),
    "claim_new": Page(
        _budget("claim_new"),
        CLAIMANTS,
        post=CLAIMANTS,
        form=_claim_form,
        changes=_count(Claim),
        done=_newest("claim_detail", Claim),
    ),
    "claim_waived": Page(_budget("claim_waived"), BOOKERS),
    "claim_detail": Page(_of("claim", "claim_detail"), CLAIM_READERS, refused=NOT_THEIRS),
    "claim_approve": Page(
        _of("claim", "claim_approve"),
        None,
        post=DECIDERS,
        refused=FIRST_APPROVAL_IS_THE_TREASURERS,
        form=_no_fields,
        changes=_state("claim"),
        done=_of("claim", "claim_detail"),
    ),
    "claim_reject": Page(
        _of("claim", "claim_reject"),
        None,
        post=DECIDERS,
        refused=FIRST_APPROVAL_IS_THE_TREASURERS,
        form=_reason,
        changes=_state("claim"),
        done=_of("claim", "claim_detail"),
    ),
    "claim_withdraw": Page(
        _of("claim", "claim_withdraw"),
        None,
        post=THE_CLAIMANT,
        refused=ONLY_THE_CLAIMANT,
        form=_no_fields,
        changes=_state("claim"),
        done=_of("claim", "claim_detail"),
    ),
    "claim_waive": Page(
        _of("approved", "claim_waive"),
        None,
        post=THE_CLAIMANT,
        refused=ONLY_THE_CLAIMANT,
        form=_no_fields,
        changes=_state("approved"),
        done=_of("approved", "claim_detail"),
    ),
    "claim_receipt": Page(_of("claim", "claim_receipt"), CLAIM_READERS, refused=NOT_THEIRS),
    "claim_thumbnail": Page(_of("claim", "claim_thumbnail"), CLAIM_READERS, refused=NOT_THEIRS),
    "claim_pending_thumbnail": Page(
        lambda o: reverse(
            "budget:claim_pending_thumbnail", args=[o.budget.pk, o.claim_pending.token]
        ),
        THE_CLAIMANT,
        # Those who may submit claims find only their own kept photos.
        refused={TREASURER: 404, DIRECTOR: 404, OTHER_HELPER: 404},
    ),
    # Orders: the treasurer records, books and cancels; a second person approves a large one.
    "order_list": Page(_budget("order_list"), READERS),
    "order_new": Page(
        _budget("order_new"),
        BOOKERS,
        post=BOOKERS,
        form=_order_form,
        changes=_count(Order),
        done=_newest("order_detail", Order),
    ),
    "order_detail": Page(_of("order", "order_detail"), READERS),
    "order_approve": Page(
        _of("awaiting", "order_approve"),
        None,
        post=SECOND_APPROVERS,
        # The treasurer holds the permission, but recorded this order: not the second person.
        refused={TREASURER: 302},
        form=_no_fields,
        changes=_state("awaiting"),
        done=_of("awaiting", "order_detail"),
    ),
    "order_book": Page(
        _of("order", "order_book"),
        BOOKERS,
        post=BOOKERS,
        form=_invoice_form,
        changes=_state("order"),
        done=_newest("expense_detail", Expense),
    ),
    "order_cancel": Page(
        _of("order", "order_cancel"),
        None,
        post=BOOKERS,
        form=_reason,
        changes=_state("order"),
        done=_of("order", "order_detail"),
    ),
    # Payouts: the treasurer pays; bank details in full (the account, sepa.xml) only for them.
    "payout_account": Page(
        _budget("payout_account"),
        BOOKERS,
        post=BOOKERS,
        form=lambda o: {
            "account_holder": "Die Linke Landesverband Thüringen",
            "iban": IBAN_2,
            "bic": "BYLADEM1001",
        },
        changes=_account,
        done=_budget("payout_list"),
    ),
    "payout_list": Page(
        _budget("payout_list"),
        READERS,
        post=BOOKERS,
        form=lambda o: {"one_time_key": fresh_key()},
        changes=_count(PayoutBatch),
        done=_newest("payout_detail", PayoutBatch, key="batch"),
    ),
    "payout_detail": Page(_of("batch", "payout_detail"), READERS),
    "payout_sepa": Page(_of("batch", "payout_sepa"), BOOKERS),
    "payout_paid": Page(
        _of("batch", "payout_paid"),
        None,
        post=BOOKERS,
        form=lambda o: {"paid_on": timezone.localdate().strftime("%d.%m.%Y")},
        changes=lambda o: PayoutBatch.objects.get(pk=o.batch.pk).paid_on,
        done=_of("batch", "payout_detail"),
    ),
    "budget_dashboard": Page(_budget("budget_dashboard"), READERS),
    "budget_history": Page(_budget("budget_history"), READERS),
    "budget_summary": Page(_budget("budget_summary"), READERS),
    "budget_export_csv": Page(_budget("budget_export_csv"), READERS),
    "budget_export_xlsx": Page(_budget("budget_export_xlsx"), READERS),
    "budget_statement": Page(_budget("budget_statement"), READERS),
    "budget_statement_pdf": Page(_budget("budget_statement_pdf"), READERS),
    # ``budget`` still has open claims, orders and a payout, so closing it is refused
    # (test_closing.py); the page's access is tested on a budget with nothing open.
    "budget_close": Page(
        lambda o: reverse("budget:budget_close", args=[o.settled.pk]),
        CLOSERS,
        post=CLOSERS,
        form=lambda o: {"note": "Verwendungsnachweis dem Landesvorstand vorgelegt"},
        changes=lambda o: Budget.objects.get(pk=o.settled.pk).is_closed,
        done=lambda o: reverse("budget:budget_dashboard", args=[o.settled.pk]),
    ),
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


def test_every_page_that_takes_a_post_says_what_the_post_does():
    incomplete = [
        name
        for name, page in ACCESS.items()
        if page.post and None in (page.form, page.changes, page.done)
    ]
    assert incomplete == []


@pytest.fixture
def objects(budget, category, book, treasurer, helper):
    Budget.objects.filter(pk=budget.pk).update(
        accepts_claims=True, second_approval_above=Decimal("100.00")
    )
    budget.refresh_from_db()
    expense = book(category, "86.45", receipt=image_upload()).expense
    bare = book(category, "12.00", description="Kassenbon kommt nach").expense
    attachment = ResolutionAttachment.objects.create(
        resolution=budget.resolution,
        file=SimpleUploadedFile("Beschluss.pdf", MINIMAL_PDF),
        original_name="Beschluss.pdf",
    )
    DatevSettings.objects.create(adviser_number=29098, client_number=55003, contra_account="1200")
    Category.objects.filter(budget=budget).update(account="4650")
    # A refused booking's photo, kept for the treasurer who took it; the same for a claim.
    pending = uploads.stash(upload=image_upload(), owner=treasurer, budget=budget)
    claim_pending = uploads.stash(upload=image_upload(), owner=helper, budget=budget)

    account = payouts.save_account(
        budget=budget,
        account_holder="Die Linke Landesverband Thüringen",
        iban="DE44500105175407324931",
        bic="INGDDEFFXXX",
        user=treasurer,
    )
    in_batch = claims.approve_claim(
        claim=claim(budget, category, helper, "7.50"), approver=treasurer
    )
    batch = payouts.create_batch(budget=budget, created_by=treasurer, claim_ids=[in_batch.pk])
    approved = claims.approve_claim(
        claim=claim(budget, category, helper, "45.00"), approver=treasurer
    )
    submitted = claim(budget, category, helper, "20.00")

    def order(amount):
        return orders.record_order(
            budget=budget,
            category=category,
            supplier="Elektro Erfurt GmbH",
            description="USB-Headsets",
            amount=Decimal(amount),
            created_by=treasurer,
        )

    return Objects(
        budget=budget,
        expense=expense,
        bare=bare,
        attachment=attachment,
        pending=pending,
        claim=submitted,
        approved=approved,
        claim_pending=claim_pending,
        account=account,
        batch=batch,
        order=order("30.00"),
        awaiting=order("150.00"),
        settled=BudgetFactory(),
    )


def test_the_tables_objects_are_in_the_state_its_rows_expect(objects):
    assert objects.claim.state == Claim.State.SUBMITTED
    assert objects.approved.state == Claim.State.APPROVED and objects.approved.payout_batch is None
    assert objects.batch.paid_on is None and objects.batch.claims.count() == 1
    assert objects.order.state == Order.State.OPEN
    assert objects.awaiting.state == Order.State.AWAITING_APPROVAL
    assert objects.expense.has_receipt and not objects.bare.has_receipt


@pytest.fixture
def login(client, request):
    def _login(role):
        if role != ANONYMOUS:
            client.force_login(request.getfixturevalue(role))
        return client

    return _login


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", URL_NAMES)
def test_get(name, role, objects, login):
    page = rule_for(name)
    response = login(role).get(page.path(objects))
    if role == ANONYMOUS:
        assert_login_required(response)
    elif page.get is None:
        assert response.status_code == 405, f"budget:{name} takes only POST"
    elif role in page.get:
        assert response.status_code == page.ok, f"{role} should open budget:{name}"
    else:
        expected = page.refused.get(role, 403)
        assert response.status_code == expected, f"{role} must not open budget:{name}"


def _effect(page, objects) -> tuple:
    """The ledger, and what the page's POST changes: neither may move on a refused POST."""
    return (
        Expense.objects.filter(budget=objects.budget).count(),
        Reversal.objects.filter(expense__budget=objects.budget).count(),
        page.changes(objects) if page.changes else None,
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", URL_NAMES)
def test_post(name, role, objects, login):
    """A permitted role's valid POST changes what the row says and redirects to ``done``; no role
    outside a page's ``post`` set changes anything: 403 (405 on a read-only page)."""
    page = rule_for(name)
    path = page.path(objects)
    before = _effect(page, objects)
    response = login(role).post(path, page.form(objects) if page.form else {})
    if role == ANONYMOUS:
        assert_login_required(response)
    elif page.post is None:
        assert response.status_code == 405, f"budget:{name} is read-only"
    elif role in page.post:
        assert response.status_code == 302, f"{role} should submit budget:{name}"
        assert response["Location"] == page.done(objects)
        assert page.changes(objects) != before[-1], f"{role} sent budget:{name}, nothing changed"
        return
    else:
        expected = page.refused.get(role, 403)
        assert response.status_code == expected, f"{role} must not submit budget:{name}"
    assert _effect(page, objects) == before


def test_my_claims_are_only_ones_own(objects, login):
    reference = objects.claim.reference
    assert reference in login(HELPER).get(reverse("budget:my_claims")).content.decode()
    for role in (OTHER_HELPER, TREASURER):
        assert reference not in login(role).get(reverse("budget:my_claims")).content.decode()


@pytest.mark.parametrize(
    "change", [{"accepts_claims": False}, {"is_closed": True}], ids=["takes-no-claims", "closed"]
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_helper_finds_no_claim_form_where_no_claims_are_taken(objects, login, change, method):
    Budget.objects.filter(pk=objects.budget.pk).update(**change)
    claims_before = Claim.objects.count()
    path = reverse("budget:claim_new", args=[objects.budget.pk])
    client = login(HELPER)
    response = client.get(path) if method == "get" else client.post(path, _claim_form(objects))
    assert response.status_code == 404
    assert Claim.objects.count() == claims_before


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
