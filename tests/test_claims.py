"""The claims service: reservation at the cap, four eyes, the state arrows, release, booking."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from budget import exceptions
from budget.models import Budget, Category, Claim, ClaimEvent, Expense
from budget.services import claims
from tests.claim_helpers import IBAN, claim
from tests.factories import UserFactory
from tests.helpers import files_under


def reload(obj):
    obj.refresh_from_db()
    return obj


@pytest.fixture
def second_treasurer(db):
    return UserFactory(username="kassenwart", role="treasurer")


# --- reservation ----------------------------------------------------------------------------------


def test_a_claim_reserves_its_amount_at_once(claims_budget, category, helper):
    c = claim(claims_budget, category, helper, "120.50")
    budget = reload(claims_budget)
    assert c.state == Claim.State.SUBMITTED
    assert budget.reserved_claims == Decimal("120.50")
    assert budget.spent == Decimal("0.00")
    assert budget.available == Decimal("2379.50")
    assert reload(category).reserved == Decimal("120.50")
    assert c.events.get().action == ClaimEvent.Action.SUBMITTED


def test_claim_exactly_at_what_is_available_passes(claims_budget, category, helper, book):
    book(category, "2000.00")
    claim(claims_budget, category, helper, "300.00")
    c = claim(claims_budget, category, helper, "200.00")
    assert c.pk
    assert reload(claims_budget).available == Decimal("0.00")


def test_claim_one_cent_over_is_refused_with_the_figures(claims_budget, category, helper, book):
    book(category, "2000.00")
    claim(claims_budget, category, helper, "300.00")
    with pytest.raises(exceptions.CapExceeded) as refused:
        claim(claims_budget, category, helper, "200.01")
    assert refused.value.message == (
        "Das würde das Budget um 0,01\xa0€ überschreiten. Noch verfügbar: 200,00\xa0€ "
        "(300,00\xa0€ sind für offene Erstattungen und Bestellungen vorgemerkt)."
    )
    assert Claim.objects.count() == 1
    assert reload(claims_budget).reserved_claims == Decimal("300.00")


def test_a_booking_counts_what_claims_reserve(claims_budget, category, helper, book):
    claim(claims_budget, category, helper, "500.00")
    book(category, "2000.00")  # exactly what is left
    with pytest.raises(exceptions.CapExceeded, match="500,00\xa0€ sind für offene"):
        book(category, "0.01")


def test_reserved_pieces_count_against_the_quantity_cap(claims_budget, headsets, helper, book):
    book(headsets, "100.00", quantity=10)
    claim(claims_budget, headsets, helper, "50.00", quantity=5)
    with pytest.raises(exceptions.QuantityCapExceeded) as refused:
        book(headsets, "10.00", quantity=1)
    assert "Noch möglich: 0 Stück (5 Stück sind für offene" in refused.value.message
    with pytest.raises(exceptions.QuantityCapExceeded):
        claim(claims_budget, headsets, helper, "10.00", quantity=1)


def test_a_budget_that_takes_no_claims_refuses_them(budget, category, helper):
    with pytest.raises(exceptions.ClaimsNotAccepted):
        claim(budget, category, helper)
    assert not Claim.objects.exists()


def test_a_closed_budget_refuses_claims(claims_budget, category, helper):
    claims_budget.is_closed = True
    claims_budget.save()
    with pytest.raises(exceptions.BudgetClosed):
        claim(claims_budget, category, helper)


def test_an_expense_claim_needs_a_receipt(claims_budget, category, helper):
    with pytest.raises(exceptions.InvalidExpense) as refused:
        claim(claims_budget, category, helper, receipt=None)
    assert refused.value.field == "receipt"


@pytest.mark.parametrize("iban", ["DE89370400440532013001", "DE8937040044", "kein iban", ""])
def test_an_invalid_iban_is_refused(claims_budget, category, helper, iban):
    with pytest.raises(exceptions.InvalidExpense) as refused:
        claim(claims_budget, category, helper, iban=iban)
    assert refused.value.field == "iban"


def test_iban_is_stored_compact_with_the_bic_schwifty_knows(claims_budget, category, helper):
    c = claim(claims_budget, category, helper, iban="de89 3704 0044 0532 0130 00")
    assert c.iban == IBAN
    assert c.bic == "COBADEFFXXX"
    assert c.masked_iban == "DE89 **** **** 3000"


def test_a_refused_claim_keeps_no_file(claims_budget, category, helper, settings):
    with pytest.raises(exceptions.CapExceeded):
        claim(claims_budget, category, helper, "2500.01")
    assert files_under(settings.MEDIA_ROOT) == []


def test_the_same_form_twice_submits_once(claims_budget, category, helper):
    import uuid

    key = uuid.uuid4()
    first = claim(claims_budget, category, helper, submission_key=key)
    with pytest.raises(exceptions.AlreadySubmitted) as again:
        claim(claims_budget, category, helper, submission_key=key)
    assert again.value.claim == first
    assert reload(claims_budget).reserved_claims == Decimal("20.00")


# --- travel ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("km", "vehicle", "amount"),
    [
        ("84", Claim.Vehicle.CAR, "25.20"),
        ("84.5", Claim.Vehicle.CAR, "25.35"),
        ("0.1", Claim.Vehicle.CAR, "0.03"),
        ("84.5", Claim.Vehicle.OTHER, "16.90"),
        ("12.3", Claim.Vehicle.OTHER, "2.46"),
    ],
)
def test_travel_is_km_times_the_budgets_rate(claims_budget, helper, km, vehicle, amount):
    travel = Category.objects.get(budget=claims_budget, name="Reisekosten")
    c = claim(
        claims_budget,
        travel,
        helper,
        kind=Claim.Kind.TRAVEL,
        amount=None,
        receipt=None,
        travel_from="Erfurt",
        travel_to="Jena",
        purpose="Schulung der Telefonist*innen",
        km=Decimal(km),
        vehicle=vehicle,
    )
    assert c.amount == Decimal(amount)
    assert c.payee == "Rosa Beispiel"
    assert "Erfurt – Jena" in c.description


def test_the_km_rate_is_editable_per_budget(claims_budget, helper):
    claims_budget.km_rate_car = Decimal("0.35")
    claims_budget.save()
    travel = Category.objects.get(budget=claims_budget, name="Reisekosten")
    c = claim(
        claims_budget,
        travel,
        helper,
        kind=Claim.Kind.TRAVEL,
        receipt=None,
        travel_from="Erfurt",
        travel_to="Gera",
        purpose="Infostand",
        km=Decimal("100"),
        vehicle=Claim.Vehicle.CAR,
    )
    assert c.amount == Decimal("35.00")
    assert c.km_rate == Decimal("0.35")


# --- approval -------------------------------------------------------------------------------------


def test_approval_books_the_claim_and_turns_reservation_into_spending(
    claims_budget, category, helper, treasurer
):
    c = claim(claims_budget, category, helper, "42.00")
    claims.approve_claim(claim=c, approver=treasurer)
    c = reload(c)
    budget = reload(claims_budget)
    assert c.state == Claim.State.APPROVED
    assert c.approved_by == treasurer
    assert budget.spent == Decimal("42.00")
    assert budget.reserved_claims == Decimal("0.00")
    assert reload(category).reserved == Decimal("0.00")
    expense = c.expense
    assert expense.amount == Decimal("42.00")
    assert expense.claim == c  # the expense refers to its claim
    assert expense.description.startswith(c.reference)
    assert expense.receipt and expense.receipt_content_type == "image/png"
    assert [e.action for e in c.events.all()] == ["submitted", "approved"]


def test_nobody_approves_their_own_claim(claims_budget, category, treasurer):
    c = claim(claims_budget, category, treasurer)
    with pytest.raises(exceptions.OwnClaim):
        claims.approve_claim(claim=c, approver=treasurer)
    assert reload(c).state == Claim.State.SUBMITTED
    assert not Expense.objects.exists()


def test_the_treasurers_claim_is_approved_by_the_director(
    claims_budget, category, treasurer, director
):
    c = claim(claims_budget, category, treasurer)
    claims.approve_claim(claim=c, approver=director)
    assert reload(c).state == Claim.State.APPROVED


def test_above_the_threshold_two_different_people_approve(
    claims_budget, category, helper, treasurer, director
):
    claims_budget.second_approval_above = Decimal("500.00")
    claims_budget.save()
    c = claim(claims_budget, category, helper, "500.01")
    claims.approve_claim(claim=c, approver=treasurer)
    c = reload(c)
    assert c.state == Claim.State.SUBMITTED
    assert c.first_approved_by == treasurer
    assert not Expense.objects.exists()
    with pytest.raises(exceptions.SameApprover):
        claims.approve_claim(claim=c, approver=treasurer)
    claims.approve_claim(claim=c, approver=director)
    c = reload(c)
    assert c.state == Claim.State.APPROVED
    assert c.approved_by == director
    assert Expense.objects.count() == 1


def test_exactly_at_the_threshold_one_approval_is_enough(
    claims_budget, category, helper, treasurer
):
    claims_budget.second_approval_above = Decimal("500.00")
    claims_budget.save()
    c = claim(claims_budget, category, helper, "500.00")
    claims.approve_claim(claim=c, approver=treasurer)
    assert reload(c).state == Claim.State.APPROVED


def test_approval_checks_the_period_again_and_books_nothing_when_refused(
    claims_budget, category, helper, treasurer
):
    c = claim(claims_budget, category, helper, "50.00")
    Budget.objects.filter(pk=claims_budget.pk).update(starts_on=datetime.date(2024, 2, 1))
    with pytest.raises(exceptions.OutsideBudgetPeriod):
        claims.approve_claim(claim=c, approver=treasurer)
    assert reload(c).state == Claim.State.SUBMITTED
    assert reload(claims_budget).reserved_claims == Decimal("50.00")  # still reserved


# --- the director approves only where a second person is called for -----------------------------


def _threshold(budget, limit="500.00"):
    Budget.objects.filter(pk=budget.pk).update(second_approval_above=Decimal(limit))


@pytest.mark.parametrize(
    ("limit", "amount", "message"),
    [
        (None, "20.00", "genehmigt die Schatzmeisterei. Die Geschäftsführung genehmigt nur"),
        ("500.00", "500.00", "genehmigt die Schatzmeisterei. Die Geschäftsführung genehmigt nur"),
        ("500.00", "500.01", "gibt die Schatzmeisterei; danach können Sie die zweite Freigabe"),
    ],
)
def test_the_director_gives_no_first_approval_of_a_helpers_claim(
    claims_budget, category, helper, director, limit, amount, message
):
    if limit:
        _threshold(claims_budget, limit)
    c = claim(claims_budget, category, helper, amount)
    with pytest.raises(exceptions.TreasurerDecidesFirst) as refused:
        claims.approve_claim(claim=c, approver=director)
    assert message in refused.value.message
    assert c.reference in refused.value.message
    c = reload(c)
    assert (c.state, c.first_approved_by) == (Claim.State.SUBMITTED, None)
    assert [e.action for e in c.events.all()] == ["submitted"]
    assert not Expense.objects.exists()
    assert reload(claims_budget).reserved_claims == Decimal(amount)


def test_one_cent_over_the_threshold_the_director_gives_the_second_approval(
    claims_budget, category, helper, treasurer, director
):
    _threshold(claims_budget)
    c = claim(claims_budget, category, helper, "500.01")
    claims.approve_claim(claim=c, approver=treasurer)
    claims.approve_claim(claim=c, approver=director)
    c = reload(c)
    assert (c.state, c.first_approved_by, c.approved_by) == (
        Claim.State.APPROVED,
        treasurer,
        director,
    )


def test_another_treasurer_may_give_the_second_approval(
    claims_budget, category, helper, treasurer, second_treasurer
):
    _threshold(claims_budget)
    c = claim(claims_budget, category, helper, "500.01")
    claims.approve_claim(claim=c, approver=treasurer)
    claims.approve_claim(claim=c, approver=second_treasurer)
    assert reload(c).state == Claim.State.APPROVED


def test_above_the_threshold_the_treasurers_claim_takes_the_director_and_another_treasurer(
    claims_budget, category, treasurer, second_treasurer, director
):
    _threshold(claims_budget)
    c = claim(claims_budget, category, treasurer, "500.01")
    claims.approve_claim(claim=c, approver=director)  # the first: the treasurer cannot
    assert reload(c).first_approved_by == director
    with pytest.raises(exceptions.OwnClaim):
        claims.approve_claim(claim=c, approver=treasurer)
    with pytest.raises(exceptions.SameApprover):
        claims.approve_claim(claim=c, approver=director)
    claims.approve_claim(claim=c, approver=second_treasurer)
    assert reload(c).state == Claim.State.APPROVED


@pytest.mark.parametrize("who", ["superuser", "holds the permission"])
def test_the_director_approves_the_claim_of_whoever_holds_the_treasurers_permission(
    claims_budget, category, director, superuser, who
):
    from django.contrib.auth.models import Permission

    if who == "superuser":
        submitter = superuser
    else:
        submitter = UserFactory(username="kassenpruefung-vertretung")
        submitter.user_permissions.add(
            *Permission.objects.filter(
                content_type__app_label="budget", codename__in=["add_expense", "add_claim"]
            )
        )
    c = claim(claims_budget, category, submitter)
    assert claims.may_decide(c, director)
    claims.approve_claim(claim=c, approver=director)
    assert reload(c).state == Claim.State.APPROVED


def test_the_director_rejects_only_what_they_may_approve(
    claims_budget, category, helper, treasurer, director
):
    _threshold(claims_budget)
    small = claim(claims_budget, category, helper, "500.00")
    with pytest.raises(exceptions.TreasurerDecidesFirst) as refused:
        claims.reject_claim(claim=small, actor=director, reason="zu teuer")
    assert refused.value.message == (
        f"Über die Erstattung {small.reference} entscheidet zuerst die Schatzmeisterei."
    )
    assert reload(small).state == Claim.State.SUBMITTED
    # The second approval withheld: the director rejects after the treasurer's first approval.
    large = claim(claims_budget, category, helper, "500.01")
    claims.approve_claim(claim=large, approver=treasurer)
    claims.reject_claim(claim=large, actor=director, reason="Kein Beschluss für diese Ausgabe")
    assert reload(large).state == Claim.State.REJECTED
    assert reload(claims_budget).reserved_claims == Decimal("500.00")  # only the small one


def test_the_director_rejects_a_treasurers_claim(claims_budget, category, treasurer, director):
    c = claim(claims_budget, category, treasurer, "80.00")
    claims.reject_claim(claim=c, actor=director, reason="privat")
    assert reload(c).state == Claim.State.REJECTED


@pytest.mark.parametrize(
    "step",
    [
        lambda c, treasurer, helper: claims.approve_claim(claim=c, approver=treasurer),
        lambda c, treasurer, helper: claims.reject_claim(claim=c, actor=treasurer, reason="nein"),
        lambda c, treasurer, helper: claims.withdraw_claim(claim=c, actor=helper),
    ],
    ids=["approve", "reject", "withdraw"],
)
def test_a_closed_budget_decides_no_claim(claims_budget, category, helper, treasurer, step):
    # A budget closed before closing checked what is open: only reopening changes it.
    c = claim(claims_budget, category, helper, "40.00")
    Budget.objects.filter(pk=claims_budget.pk).update(is_closed=True)
    with pytest.raises(exceptions.BudgetClosed):
        step(c, treasurer, helper)
    assert reload(c).state == Claim.State.SUBMITTED
    assert reload(claims_budget).reserved_claims == Decimal("40.00")


def test_a_closed_budget_takes_no_waiver(claims_budget, category, helper, treasurer):
    c = claim(claims_budget, category, helper, "40.00")
    claims.approve_claim(claim=c, approver=treasurer)
    Budget.objects.filter(pk=claims_budget.pk).update(is_closed=True)
    with pytest.raises(exceptions.BudgetClosed):
        claims.waive_claim(claim=c, actor=helper)
    assert reload(c).state == Claim.State.APPROVED


# --- the state arrows -----------------------------------------------------------------------------


def test_rejection_releases_the_reservation_and_keeps_the_reason(
    claims_budget, category, helper, treasurer
):
    c = claim(claims_budget, category, helper, "80.00")
    claims.reject_claim(claim=c, actor=treasurer, reason="Kein Bezug zur Telefonaktion")
    c = reload(c)
    assert c.state == Claim.State.REJECTED
    assert c.reason == "Kein Bezug zur Telefonaktion"
    assert reload(claims_budget).reserved_claims == Decimal("0.00")
    assert reload(category).reserved == Decimal("0.00")


def test_a_rejection_needs_a_reason(claims_budget, category, helper, treasurer):
    c = claim(claims_budget, category, helper)
    with pytest.raises(exceptions.InvalidExpense):
        claims.reject_claim(claim=c, actor=treasurer, reason="  ")


def test_withdrawal_by_the_submitter_releases(claims_budget, category, headsets, helper):
    c = claim(claims_budget, headsets, helper, "30.00", quantity=3)
    assert reload(headsets).reserved_quantity == 3
    claims.withdraw_claim(claim=c, actor=helper)
    assert reload(c).state == Claim.State.WITHDRAWN
    assert reload(headsets).reserved_quantity == 0
    assert reload(claims_budget).reserved_claims == Decimal("0.00")


def test_only_the_submitter_withdraws(claims_budget, category, helper, treasurer):
    c = claim(claims_budget, category, helper)
    with pytest.raises(exceptions.OwnClaim):
        claims.withdraw_claim(claim=c, actor=treasurer)


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("approve", "withdraw"),
        ("approve", "reject"),
        ("approve", "approve"),
        ("reject", "approve"),
        ("reject", "withdraw"),
        ("withdraw", "approve"),
        ("withdraw", "reject"),
        ("withdraw", "waive"),
        ("reject", "waive"),
    ],
)
def test_state_changes_only_along_the_arrows(
    claims_budget, category, helper, treasurer, first, then
):
    c = claim(claims_budget, category, helper)
    steps = {
        "approve": lambda: claims.approve_claim(claim=c, approver=treasurer),
        "reject": lambda: claims.reject_claim(claim=c, actor=treasurer, reason="nein"),
        "withdraw": lambda: claims.withdraw_claim(claim=c, actor=helper),
        "waive": lambda: claims.waive_claim(claim=c, actor=helper),
    }
    steps[first]()
    state = reload(c).state
    budget = reload(claims_budget)
    with pytest.raises(exceptions.WrongState):
        steps[then]()
    assert reload(c).state == state
    after = reload(claims_budget)
    assert (after.spent, after.reserved_claims) == (budget.spent, budget.reserved_claims)
    assert Expense.objects.count() == (1 if first == "approve" else 0)


def test_waiver_closes_an_approved_claim_and_the_cost_stays_booked(
    claims_budget, category, helper, treasurer
):
    c = claim(claims_budget, category, helper, "64.00")
    with pytest.raises(exceptions.WrongState):
        claims.waive_claim(claim=c, actor=helper)  # not approved yet
    claims.approve_claim(claim=c, approver=treasurer)
    claims.waive_claim(claim=c, actor=helper)
    c = reload(c)
    assert c.state == Claim.State.WAIVED
    assert c.waived_at is not None
    assert reload(claims_budget).spent == Decimal("64.00")


# --- database backstops ---------------------------------------------------------------------------


def test_the_database_refuses_a_committed_total_over_the_cap(claims_budget):
    with pytest.raises(IntegrityError, match="budget_spent_within_cap"), transaction.atomic():
        Budget.objects.filter(pk=claims_budget.pk).update(reserved_claims=Decimal("2500.01"))


def test_the_database_refuses_reserved_pieces_over_the_cap(headsets):
    with (
        pytest.raises(IntegrityError, match="category_quantity_within_cap"),
        transaction.atomic(),
    ):
        Category.objects.filter(pk=headsets.pk).update(reserved_quantity=16)


def test_the_database_refuses_an_approved_claim_without_booking(claims_budget, category, helper):
    c = claim(claims_budget, category, helper)
    with pytest.raises(IntegrityError, match="claim_approved_is_booked"), transaction.atomic():
        Claim.objects.filter(pk=c.pk).update(state=Claim.State.APPROVED)


def test_claim_history_is_append_only(claims_budget, category, helper):
    c = claim(claims_budget, category, helper)
    with (
        pytest.raises(IntegrityError, match="append_only_budget_claimevent_no_update"),
        transaction.atomic(),
    ):
        ClaimEvent.objects.filter(claim=c).update(note="geändert")


# --- mail -----------------------------------------------------------------------------------------


def test_treasurers_hear_of_a_new_claim_and_the_claimant_of_the_decision(
    claims_budget, category, helper, django_capture_on_commit_callbacks
):
    treasurer = UserFactory(username="kasse", role="treasurer", email="kasse@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        c = claim(claims_budget, category, helper, "12.50")
    assert [m.to for m in mail.outbox] == [["kasse@example.org"]]
    assert "12,50" in mail.outbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        claims.reject_claim(claim=c, actor=treasurer, reason="doppelt eingereicht")
    assert mail.outbox[1].to == ["helferin@example.org"]
    assert "doppelt eingereicht" in mail.outbox[1].body


# --- verify_totals --------------------------------------------------------------------------------


def test_verify_totals_recomputes_the_reservations(claims_budget, headsets, helper, treasurer):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from budget.services import orders

    claim(claims_budget, headsets, helper, "30.00", quantity=2)
    orders.record_order(
        budget=claims_budget,
        category=headsets,
        supplier="Elektro",
        description="Headsets",
        amount=Decimal("98.00"),
        quantity=2,
        created_by=treasurer,
    )
    call_command("verify_totals", verbosity=0)  # consistent
    Budget.objects.filter(pk=claims_budget.pk).update(reserved_claims=Decimal("0.00"))
    Category.objects.filter(pk=headsets.pk).update(reserved_quantity=1)
    with pytest.raises(CommandError, match="2 Abweichung"):
        call_command("verify_totals", verbosity=0)
    call_command("verify_totals", "--fix", verbosity=0)
    budget, category = reload(claims_budget), reload(headsets)
    assert (budget.reserved_claims, budget.reserved_orders) == (Decimal("30.00"), Decimal("98.00"))
    assert (category.reserved, category.reserved_quantity) == (Decimal("128.00"), 4)
    call_command("verify_totals", verbosity=0)


# --- receipt files ----------------------------------------------------------------------------


def test_claim_receipts_are_fingerprinted_and_verified(claims_budget, category, helper, settings):
    import hashlib
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    c = claim(claims_budget, category, helper)
    path = settings.MEDIA_ROOT / c.receipt.name
    assert c.receipt.name.startswith(f"receipts/{claims_budget.pk}/")
    assert c.receipt_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert c.receipt_size == path.stat().st_size
    out = io.StringIO()
    call_command("verify_receipts", stdout=out)  # no orphan, nothing altered
    assert "1 Belegdatei(en) geprüft" in out.getvalue()
    path.write_bytes(b"changed")
    with pytest.raises(CommandError):
        call_command("verify_receipts", stdout=io.StringIO())


def test_a_refused_claim_removes_the_file_it_stored(
    claims_budget, category, helper, settings, monkeypatch
):
    def refuse(*args, **kwargs):
        raise exceptions.LedgerInconsistent()

    monkeypatch.setattr(claims, "_reserve", refuse)  # fails after the file was written
    with pytest.raises(exceptions.LedgerInconsistent):
        claim(claims_budget, category, helper)
    assert files_under(settings.MEDIA_ROOT) == []
    assert not Claim.objects.exists()
