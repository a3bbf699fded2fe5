"""Claims (Auslagenerstattung, Fahrtkosten): submit, approve, reject, withdraw, waive.

Every operation runs in one transaction that locks the budget row first, like
``budget.services.booking.record_expense``; the caps are checked by ``check_room``, which counts
what open claims and orders have reserved. Approval books the claim through ``record_expense``
inside the same transaction, so a claim's reservation turns into spending at once, and a claim
row locked and checked under the budget lock is booked once, however many approvals arrive.
Each step writes a ``ClaimEvent`` in the same transaction; mails go out after the commit.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from budget import access, exceptions, receipts, services
from budget.exceptions import (
    AlreadySubmitted,
    ClaimsNotAccepted,
    InvalidExpense,
    OwnClaim,
    SameApprover,
    TreasurerDecidesFirst,
    WrongState,
)
from budget.models import Budget, Category, Claim, ClaimEvent
from budget.money import cents, format_eur
from budget.services import booking
from budget.services import mail as claim_mail
from budget.services.booking import (
    category_of,
    lock_budget,
    lock_with_budget,
    next_number,
    refuse_if_closed,
)
from budget.validators import check_amount, check_date, check_quantity, check_text

KM_MAX = Decimal("99999.9")


def validate_iban(value: str) -> tuple[str, str]:
    """The IBAN in its compact form and the bank's BIC where schwifty knows it, or refuse."""
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    try:
        iban = IBAN(value or "")
    except SchwiftyException:
        raise InvalidExpense(
            "iban", _("Diese IBAN ist ungültig. Bitte die IBAN vom Kontoauszug abschreiben.")
        ) from None
    try:
        bic = str(iban.bic) if iban.bic else ""
    except SchwiftyException:
        bic = ""
    return iban.compact, bic


def validate_bic(value: str) -> str:
    from schwifty import BIC
    from schwifty.exceptions import SchwiftyException

    try:
        return str(BIC(value or ""))
    except SchwiftyException:
        raise InvalidExpense("bic", _("Dieser BIC ist ungültig.")) from None


def km_rate(budget: Budget, vehicle: str) -> Decimal:
    return budget.km_rate_car if vehicle == Claim.Vehicle.CAR else budget.km_rate_other


def travel_amount(budget: Budget, km: Decimal, vehicle: str) -> Decimal:
    """km × the budget's rate for the vehicle (EStG § 9 Abs. 1 Nr. 4a), half up to cents."""
    return cents(km * km_rate(budget, vehicle))


def _event(claim: Claim, action: str, actor, note: str = "") -> None:
    ClaimEvent.objects.create(claim=claim, action=action, actor=actor, note=note[:500])


def adjust_reservation(
    *, budget_id: int, category_id: int, field: str, amount: Decimal, quantity: int
) -> None:
    """Add (or, negative, release) a reservation on the running totals. Under the budget lock;
    the new values are computed here in Decimal and written as they are, never as SQL
    arithmetic (SQLite would compute 113.00 − 12.34 − 100.00 − 0.66 in floating point)."""
    reserved = Budget.objects.values_list(field, flat=True).get(pk=budget_id)
    Budget.objects.filter(pk=budget_id).update(**{field: cents(reserved + amount)})
    cat_reserved, cat_quantity = Category.objects.values_list("reserved", "reserved_quantity").get(
        pk=category_id
    )
    Category.objects.filter(pk=category_id).update(
        reserved=cents(cat_reserved + amount), reserved_quantity=cat_quantity + quantity
    )


def _reserve(locked: Budget, cat: Category, amount: Decimal, quantity: int) -> None:
    adjust_reservation(
        budget_id=locked.pk,
        category_id=cat.pk,
        field="reserved_claims",
        amount=amount,
        quantity=quantity,
    )


def _release(claim: Claim) -> None:
    adjust_reservation(
        budget_id=claim.budget_id,
        category_id=claim.category_id,
        field="reserved_claims",
        amount=-claim.amount,
        quantity=-claim.quantity,
    )


def submit_claim(
    *,
    budget: Budget | int,
    category: Category | int,
    submitted_by,
    spent_on: datetime.date,
    iban: str,
    account_holder: str,
    kind: str = Claim.Kind.EXPENSE,
    payee: str = "",
    description: str = "",
    amount: Decimal | None = None,
    quantity: int = 1,
    receipt=None,
    travel_from: str = "",
    travel_to: str = "",
    purpose: str = "",
    km: Decimal | None = None,
    vehicle: str = Claim.Vehicle.CAR,
    submission_key: uuid.UUID | None = None,
) -> Claim:
    """Submit a claim and reserve its amount and pieces, or raise a ``BookingError`` and keep
    nothing (no row, no file)."""
    spent_on = check_date("spent_on", spent_on)
    account_holder = check_text("account_holder", account_holder, 70, _("Kontoinhaber*in"))
    iban, bic = validate_iban(iban)
    budget_id = budget.pk if isinstance(budget, Budget) else budget
    category_id = category.pk if isinstance(category, Category) else category
    if kind == Claim.Kind.TRAVEL:
        travel_from = check_text("travel_from", travel_from, 200, _("Start"))
        travel_to = check_text("travel_to", travel_to, 200, _("Ziel"))
        purpose = check_text("purpose", purpose, 300, _("Zweck der Fahrt"))
        if vehicle not in Claim.Vehicle.values:
            raise InvalidExpense("vehicle", _("Bitte das Fahrzeug wählen."))
        if not isinstance(km, Decimal) or not km.is_finite() or km <= 0 or km > KM_MAX:
            raise InvalidExpense("km", _("Bitte die gefahrenen Kilometer angeben (größer als 0)."))
        if km != km.quantize(Decimal("0.1")):
            raise InvalidExpense("km", _("Kilometer bitte mit höchstens einer Nachkommastelle."))
        quantity = 1
        receipt = None
    elif kind == Claim.Kind.EXPENSE:
        amount = check_amount(amount)
        payee = check_text("payee", payee, 200, _("Empfänger"))
        description = check_text("description", description, 500, _("Beschreibung"))
        check_quantity(quantity)
        if not receipt:
            raise InvalidExpense(
                "receipt", _("Für eine Auslage bitte den Beleg fotografieren oder hochladen.")
            )
    else:
        raise InvalidExpense("kind", _("Bitte die Art der Erstattung wählen."))
    kind_of_file = booking.inspect_receipt(receipt)

    stored = None
    try:
        with transaction.atomic():
            locked = lock_budget(budget_id)
            if submission_key is not None:
                earlier = Claim.objects.filter(budget=locked, submission_key=submission_key).first()
                if earlier is not None:
                    raise AlreadySubmitted(earlier)
            cat = category_of(locked, category_id)
            refuse_if_closed(locked)
            if not locked.accepts_claims:
                raise ClaimsNotAccepted(
                    _("Für das Budget „%(budget)s“ können keine Erstattungen eingereicht werden.")
                    % {"budget": locked.name}
                )
            if not locked.covers(spent_on):
                raise exceptions.OutsideBudgetPeriod(
                    starts_on=locked.starts_on, ends_on=locked.ends_on
                )
            rate = None
            if kind == Claim.Kind.TRAVEL:
                rate = km_rate(locked, vehicle)
                amount = travel_amount(locked, km, vehicle)
                payee = account_holder
                description = _("Fahrt %(from)s – %(to)s: %(purpose)s") % {
                    "from": travel_from,
                    "to": travel_to,
                    "purpose": purpose,
                }
                description = description[:500]
            services.check_room(locked, cat, amount, quantity)
            number = next_number(Claim, locked)
            claim = Claim(
                budget=locked,
                number=number,
                category=cat,
                kind=kind,
                spent_on=spent_on,
                payee=payee,
                description=description,
                amount=amount,
                quantity=quantity,
                travel_from=travel_from if kind == Claim.Kind.TRAVEL else "",
                travel_to=travel_to if kind == Claim.Kind.TRAVEL else "",
                purpose=purpose if kind == Claim.Kind.TRAVEL else "",
                km=km if kind == Claim.Kind.TRAVEL else None,
                vehicle=vehicle if kind == Claim.Kind.TRAVEL else "",
                km_rate=rate,
                iban=iban,
                bic=bic,
                account_holder=account_holder,
                submitted_by=submitted_by,
                submission_key=submission_key,
            )
            if receipt:
                # Stored like a booking's receipt: a generated name, its fingerprint recorded.
                stored = booking.store_receipt(receipt, budget_id=locked.pk, kind=kind_of_file)
                claim.receipt = stored.name
                claim.receipt_original_name = booking.original_name(receipt)
                claim.receipt_content_type = kind_of_file.content_type
                claim.receipt_sha256 = stored.sha256
                claim.receipt_size = stored.size
            claim.save()
            _reserve(locked, cat, amount, quantity)
            _event(claim, ClaimEvent.Action.SUBMITTED, submitted_by)
            transaction.on_commit(lambda: claim_mail.new_claim(claim))
    except BaseException:
        # Whatever failed after the file was written, it goes again by the name it was stored
        # under (never by a name taken from the model, which may have changed).
        if stored is not None:
            receipts.discard(stored.name)
        raise
    return claim


def _locked_claim(claim: Claim | int) -> tuple[Budget, Claim]:
    return lock_with_budget(Claim, claim, "budget", "category")


def _refuse_move(claim: Claim, state: str) -> None:
    if not claim.can_move_to(state):
        raise WrongState(
            _("Die Erstattung %(reference)s ist %(state)s; das ist jetzt nicht mehr möglich.")
            % {"reference": claim.reference, "state": claim.get_state_display()}
        )


def check_approver(claim: Claim, user, *, rejecting: bool = False) -> None:
    """Refuse ``user`` deciding ``claim`` if it is the treasurer's to decide.

    Whoever holds the treasurer's permission (``access.acts_as_treasurer``) decides any claim but
    their own. Anybody else allowed to approve — the director — decides only where four eyes call
    them in: the claim of someone holding the treasurer's permission (who cannot approve it
    themselves), or a claim whose first approval somebody already gave (the second approval
    above ``second_approval_above``). Otherwise raise ``TreasurerDecidesFirst``: the director
    sees such a claim read-only, and neither approves nor rejects it."""
    if access.acts_as_treasurer(user):
        return
    if claim.first_approved_by_id is not None:
        return
    if access.acts_as_treasurer(claim.submitted_by):
        return
    raise TreasurerDecidesFirst(claim=claim, rejecting=rejecting)


def may_decide(claim: Claim, user) -> bool:
    """``check_approver`` as a yes or no, for the page that shows the buttons."""
    try:
        check_approver(claim, user)
    except TreasurerDecidesFirst:
        return False
    return True


def approve_claim(*, claim: Claim | int, approver) -> Claim:
    """Approve a claim. Above the budget's ``second_approval_above`` the first approval is
    recorded and a different person must give the second; the last approval books the claim as
    an expense through ``record_expense`` and releases its reservation, all in one transaction."""
    with transaction.atomic():
        locked, row = _locked_claim(claim)
        _refuse_move(row, Claim.State.APPROVED)
        if row.submitted_by_id == approver.pk:
            raise OwnClaim(_("Die eigene Erstattung kann nur eine andere Person genehmigen."))
        refuse_if_closed(locked)
        check_approver(row, approver)
        if row.needs_second_approval:
            if row.first_approved_by_id is None:
                row.first_approved_by = approver
                row.save(update_fields=["first_approved_by"])
                _event(row, ClaimEvent.Action.FIRST_APPROVAL, approver)
                return row
            if row.first_approved_by_id == approver.pk:
                raise SameApprover(
                    _(
                        "Über %(limit)s braucht es eine zweite Freigabe durch eine andere Person; "
                        "die erste Freigabe ist schon von Ihnen."
                    )
                    % {"limit": format_eur(locked.second_approval_above)}
                )
        _release(row)
        upload = None
        if row.receipt:
            upload = File(row.receipt.open("rb"), name=row.receipt_original_name or "beleg")
        try:
            booking = services.record_expense(
                budget=locked,
                category=row.category_id,
                spent_on=row.spent_on,
                payee=row.payee,
                description=f"{row.reference}: {row.description}"[:500],
                amount=row.amount,
                quantity=row.quantity,
                receipt=upload,
                created_by=approver,
                # A key that belongs to this claim: a second booking would hit the unique key.
                booking_key=uuid.uuid5(uuid.NAMESPACE_URL, f"beschlusskasse:claim:{row.pk}"),
            )
        finally:
            if upload is not None:
                upload.close()
        row.state = Claim.State.APPROVED
        row.approved_by = approver
        row.approved_at = timezone.now()
        row.expense = booking.expense
        row.save(update_fields=["state", "approved_by", "approved_at", "expense"])
        _event(
            row,
            ClaimEvent.Action.APPROVED,
            approver,
            _("Beleg Nr. %(number)s") % {"number": booking.expense.receipt_number},
        )
        transaction.on_commit(lambda: claim_mail.decided(row))
    return row


def reject_claim(*, claim: Claim | int, actor, reason: str) -> Claim:
    reason = check_text("reason", reason, 500, _("Grund"))
    with transaction.atomic():
        locked, row = _locked_claim(claim)
        _refuse_move(row, Claim.State.REJECTED)
        if row.submitted_by_id == actor.pk:
            raise OwnClaim(_("Die eigene Erstattung kann man zurückziehen, aber nicht ablehnen."))
        refuse_if_closed(locked)
        check_approver(row, actor, rejecting=True)
        _release(row)
        row.state = Claim.State.REJECTED
        row.reason = reason
        row.save(update_fields=["state", "reason"])
        _event(row, ClaimEvent.Action.REJECTED, actor, reason)
        transaction.on_commit(lambda: claim_mail.decided(row))
    return row


def withdraw_claim(*, claim: Claim | int, actor) -> Claim:
    with transaction.atomic():
        locked, row = _locked_claim(claim)
        if row.submitted_by_id != actor.pk:
            raise OwnClaim(_("Nur wer die Erstattung eingereicht hat, kann sie zurückziehen."))
        _refuse_move(row, Claim.State.WITHDRAWN)
        refuse_if_closed(locked)
        _release(row)
        row.state = Claim.State.WITHDRAWN
        row.save(update_fields=["state"])
        _event(row, ClaimEvent.Action.WITHDRAWN, actor)
    return row


def waive_claim(*, claim: Claim | int, actor) -> Claim:
    """Aufwandsspende: the claimant gives up the payout of an approved claim; the cost stays
    booked, the claim is closed as waived and appears on the treasurer's list of waivers."""
    with transaction.atomic():
        locked, row = _locked_claim(claim)
        if row.submitted_by_id != actor.pk:
            raise OwnClaim(_("Nur wer die Erstattung eingereicht hat, kann darauf verzichten."))
        _refuse_move(row, Claim.State.WAIVED)
        refuse_if_closed(locked)
        if row.payout_batch_id is not None:
            raise WrongState(
                _("Die Erstattung %(reference)s ist schon zur Auszahlung vorgesehen.")
                % {"reference": row.reference}
            )
        row.state = Claim.State.WAIVED
        row.waived_at = timezone.now()
        row.save(update_fields=["state", "waived_at"])
        _event(row, ClaimEvent.Action.WAIVED, actor)
    return row
