"""Payouts: the paying account, batches of approved claims, the SEPA credit transfer file, paid.

A batch is made under the budget row lock from approved claims that are in no batch yet
(``Claim.payout_batch`` is one foreign key, so a claim is in at most one batch), with the paying
account copied onto it, so the file it gives is the same whenever it is downloaded. The file is an
ISO 20022 ``pain.001.001.03`` credit transfer built with sepaxml and validated against the schema
sepaxml ships: one transaction per claim, the claim's reference as end-to-end id and remittance
text. Marking the batch paid marks its claims "ausgezahlt" and tells the claimants.

A closed budget makes no new batch and marks none paid: closing is refused while a batch is
unpaid (``budget.services.closing``), so a payout after closing means the statement of use was
wrong, and reopening it (admins, with a reason) is how that is put on record.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from budget.exceptions import (
    AlreadyBatched,
    ClaimError,
    NoPayoutAccount,
    NothingToPay,
)
from budget.models import Budget, Claim, ClaimEvent, PayoutAccount, PayoutBatch
from budget.money import cents
from budget.services import mail as claim_mail
from budget.services.booking import lock_budget, lock_with_budget, next_number, refuse_if_closed
from budget.services.claims import validate_bic, validate_iban
from budget.validators import check_text

SCHEMA = "pain.001.001.03"


def schema_path() -> Path:
    """The pain.001.001.03 XSD shipped inside the sepaxml package."""
    import sepaxml

    return Path(sepaxml.__file__).parent / "schemas" / f"{SCHEMA}.xsd"


def save_account(
    *, budget: Budget, account_holder: str, iban: str, bic: str, user
) -> PayoutAccount:
    account_holder = check_text("account_holder", account_holder, 70, _("Kontoinhaber*in"))
    iban, known_bic = validate_iban(iban)
    bic = validate_bic(bic) if (bic or "").strip() else known_bic
    if not bic:
        from budget.exceptions import InvalidExpense

        raise InvalidExpense("bic", _("Bitte den BIC der Bank angeben."))
    account = PayoutAccount.objects.filter(budget=budget).first() or PayoutAccount(budget=budget)
    account.account_holder = account_holder
    account.iban = iban
    account.bic = bic
    account.updated_by = user
    account.save()
    return account


def create_batch(
    *,
    budget: Budget | int,
    created_by,
    claim_ids: list[int] | None = None,
    submission_key: uuid.UUID | None = None,
) -> PayoutBatch:
    """Put the approved, unpaid, unwaived claims (all, or those in ``claim_ids``) into a batch."""
    budget_id = budget.pk if isinstance(budget, Budget) else budget
    with transaction.atomic():
        locked = lock_budget(budget_id)
        if submission_key is not None:
            earlier = PayoutBatch.objects.filter(
                budget=locked, submission_key=submission_key
            ).first()
            if earlier is not None:
                raise AlreadyBatched(earlier)
        refuse_if_closed(locked)
        account = PayoutAccount.objects.filter(budget=locked).first()
        if account is None:
            raise NoPayoutAccount(
                _("Bitte zuerst das Konto hinterlegen, von dem das Budget auszahlt.")
            )
        payable = Claim.objects.payable().filter(budget=locked).select_for_update()
        if claim_ids is not None:
            wanted = set(claim_ids)
            payable = payable.filter(pk__in=wanted)
        rows = list(payable.order_by("number"))
        if claim_ids is not None and len(rows) != len(wanted):
            raise NothingToPay(
                _("Einige der gewählten Erstattungen sind nicht (mehr) zur Auszahlung offen.")
            )
        if not rows:
            raise NothingToPay(_("Es gibt keine genehmigten Erstattungen, die offen sind."))
        number = next_number(PayoutBatch, locked)
        batch = PayoutBatch.objects.create(
            budget=locked,
            number=number,
            total=cents(sum((c.amount for c in rows), Decimal("0"))),
            claim_count=len(rows),
            debtor_name=account.account_holder,
            debtor_iban=account.iban,
            debtor_bic=account.bic,
            message_id=f"BK-{locked.pk}-{number}-{uuid.uuid4().hex[:12]}"[:35],
            created_by=created_by,
            submission_key=submission_key,
        )
        moved = Claim.objects.filter(pk__in=[c.pk for c in rows], payout_batch__isnull=True).update(
            payout_batch=batch
        )
        if moved != len(rows):  # pragma: no cover - the budget lock makes this impossible
            raise NothingToPay(
                _("Erstattungen wurden gleichzeitig einer anderen Auszahlung zugeordnet.")
            )
        ClaimEvent.objects.bulk_create(
            ClaimEvent(
                claim=c, action=ClaimEvent.Action.IN_BATCH, actor=created_by, note=batch.reference
            )
            for c in rows
        )
    return batch


def sepa_xml(batch: PayoutBatch, execution_date: datetime.date | None = None) -> bytes:
    """The batch as a pain.001.001.03 credit transfer, validated against the schema."""
    from sepaxml import SepaTransfer

    class Transfer(SepaTransfer):
        # The batch's own message id, not a random one: a bank refuses a file sent twice.
        def _create_header(self):
            self.msg_id = batch.message_id
            super()._create_header()

    transfer = Transfer(
        {
            "name": batch.debtor_name,
            "IBAN": batch.debtor_iban,
            "BIC": batch.debtor_bic,
            "batch": True,
            "currency": "EUR",
        },
        schema=SCHEMA,
    )
    day = execution_date or max(timezone.localdate(), batch.created_at.date())
    for claim in batch.claims.order_by("number"):
        payment = {
            "name": claim.account_holder,
            "IBAN": claim.iban,
            "amount": int((claim.amount * 100).to_integral_value()),
            "execution_date": day,
            "description": _("Erstattung %(reference)s") % {"reference": claim.reference},
            "endtoend_id": claim.reference,
        }
        if claim.bic:
            payment["BIC"] = claim.bic
        transfer.add_payment(payment)
    return transfer.export(validate=True)


def mark_paid(*, batch: PayoutBatch | int, paid_on: datetime.date, user) -> PayoutBatch:
    with transaction.atomic():
        locked, row = lock_with_budget(PayoutBatch, batch)
        if row.paid_on is not None:
            raise ClaimError(
                _("Die Auszahlung %(reference)s ist bereits als bezahlt markiert (%(date)s).")
                % {"reference": row.reference, "date": row.paid_on.strftime("%d.%m.%Y")}
            )
        refuse_if_closed(locked)
        if paid_on > timezone.localdate():
            raise ClaimError(_("Das Datum liegt in der Zukunft."), field="paid_on")
        row.paid_on = paid_on
        row.paid_by = user
        row.save(update_fields=["paid_on", "paid_by"])
        claims = list(row.claims.select_related("submitted_by", "budget"))
        Claim.objects.filter(payout_batch=row, state=Claim.State.APPROVED).update(
            state=Claim.State.PAID, paid_on=paid_on
        )
        ClaimEvent.objects.bulk_create(
            ClaimEvent(claim=c, action=ClaimEvent.Action.PAID, actor=user, note=row.reference)
            for c in claims
        )
        for claim in claims:
            claim.state, claim.paid_on = Claim.State.PAID, paid_on
            transaction.on_commit(lambda claim=claim: claim_mail.paid(claim))
    return row
