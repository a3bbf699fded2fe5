"""Payouts: the paying account, batches, a pain.001 file that validates and adds up, paid."""

import datetime
from decimal import Decimal
from xml.etree import ElementTree as etree

import pytest
import xmlschema
from django.core import mail
from django.urls import reverse

from budget import exceptions
from budget.models import Budget, Claim, PayoutBatch
from budget.services import claims, payouts
from tests.claim_helpers import IBAN_2, claim
from tests.factories import UserFactory
from tests.helpers import fresh_key

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
DEBTOR_IBAN = "DE44500105175407324931"


@pytest.fixture
def account(claims_budget, treasurer):
    return payouts.save_account(
        budget=claims_budget,
        account_holder="Die Linke Landesverband Thüringen",
        iban=DEBTOR_IBAN,
        bic="INGDDEFFXXX",
        user=treasurer,
    )


@pytest.fixture
def approved(claims_budget, category, helper, treasurer):
    other = UserFactory(username="zweite", role="helper", email="zweite@example.org")
    rows = [
        claim(claims_budget, category, helper, "12.34"),
        claim(claims_budget, category, other, "100.00", iban=IBAN_2, account_holder="Karl Test"),
        claim(claims_budget, category, helper, "0.66"),
    ]
    for row in rows:
        claims.approve_claim(claim=row, approver=treasurer)
    return [Claim.objects.get(pk=row.pk) for row in rows]


def test_the_paying_account_is_validated(claims_budget, treasurer):
    with pytest.raises(exceptions.InvalidExpense) as refused:
        payouts.save_account(
            budget=claims_budget, account_holder="LV", iban="DE00123", bic="", user=treasurer
        )
    assert refused.value.field == "iban"
    with pytest.raises(exceptions.InvalidExpense) as refused:
        payouts.save_account(
            budget=claims_budget, account_holder="LV", iban=DEBTOR_IBAN, bic="XYZ", user=treasurer
        )
    assert refused.value.field == "bic"


def test_a_batch_takes_every_payable_claim_once(claims_budget, account, approved, treasurer):
    batch = payouts.create_batch(budget=claims_budget, created_by=treasurer)
    assert batch.total == Decimal("113.00")
    assert batch.claim_count == 3
    assert set(batch.claims.all()) == set(approved)
    with pytest.raises(exceptions.NothingToPay):
        payouts.create_batch(budget=claims_budget, created_by=treasurer)


def test_a_batch_of_chosen_claims(claims_budget, account, approved, treasurer):
    batch = payouts.create_batch(
        budget=claims_budget, created_by=treasurer, claim_ids=[approved[1].pk]
    )
    assert batch.total == Decimal("100.00")
    with pytest.raises(exceptions.NothingToPay):  # already in a batch
        payouts.create_batch(budget=claims_budget, created_by=treasurer, claim_ids=[approved[1].pk])
    rest = payouts.create_batch(budget=claims_budget, created_by=treasurer)
    assert rest.total == Decimal("13.00")


def test_waived_and_open_claims_are_not_paid(
    claims_budget, account, approved, category, helper, treasurer
):
    claims.waive_claim(claim=approved[0], actor=helper)
    claim(claims_budget, category, helper, "5.00")  # still submitted
    batch = payouts.create_batch(budget=claims_budget, created_by=treasurer)
    assert batch.total == Decimal("100.66")
    with pytest.raises(exceptions.WrongState):
        claims.waive_claim(claim=approved[2], actor=helper)  # in a batch now


def test_no_batch_without_an_account(claims_budget, approved, treasurer):
    with pytest.raises(exceptions.NoPayoutAccount):
        payouts.create_batch(budget=claims_budget, created_by=treasurer)


def test_the_sepa_file_validates_against_pain_001_and_adds_up(
    claims_budget, account, approved, treasurer
):
    batch = payouts.create_batch(budget=claims_budget, created_by=treasurer)
    xml = payouts.sepa_xml(batch, execution_date=datetime.date(2024, 2, 1))

    schema = xmlschema.XMLSchema(str(payouts.schema_path()))
    schema.validate(xml.decode())  # raises on any violation
    tree = etree.fromstring(xml)
    assert tree.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", namespaces=NS) == batch.message_id
    assert tree.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", namespaces=NS) == "3"
    assert tree.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=NS) == "113.00"
    debtor = tree.find("p:CstmrCdtTrfInitn/p:PmtInf", namespaces=NS)
    assert debtor.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == DEBTOR_IBAN
    transactions = tree.findall(".//p:CdtTrfTxInf", namespaces=NS)
    amounts = [Decimal(t.findtext("p:Amt/p:InstdAmt", namespaces=NS)) for t in transactions]
    assert sum(amounts) == Decimal("113.00")
    assert sorted(amounts) == [Decimal("0.66"), Decimal("12.34"), Decimal("100.00")]
    texts = {t.findtext("p:RmtInf/p:Ustrd", namespaces=NS) for t in transactions}
    assert texts == {f"Erstattung {c.reference}" for c in approved}
    ids = {t.findtext("p:PmtId/p:EndToEndId", namespaces=NS) for t in transactions}
    assert ids == {c.reference for c in approved}
    ibans = {t.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS) for t in transactions}
    assert IBAN_2 in ibans


def test_the_schema_refuses_a_broken_file(claims_budget, account, approved, treasurer):
    """The validation can fail: an IBAN that breaks the schema's pattern is refused."""
    batch = payouts.create_batch(budget=claims_budget, created_by=treasurer)
    xml = payouts.sepa_xml(batch).decode().replace(f">{DEBTOR_IBAN}<", ">DE-44 5001<")
    schema = xmlschema.XMLSchema(str(payouts.schema_path()))
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        schema.validate(xml)


def test_marking_paid_pays_the_claims_and_tells_the_claimants(
    claims_budget, account, approved, treasurer, django_capture_on_commit_callbacks
):
    batch = payouts.create_batch(budget=claims_budget, created_by=treasurer)
    with django_capture_on_commit_callbacks(execute=True):
        payouts.mark_paid(batch=batch, paid_on=datetime.date(2024, 2, 2), user=treasurer)
    assert set(Claim.objects.values_list("state", flat=True)) == {Claim.State.PAID}
    assert set(Claim.objects.values_list("paid_on", flat=True)) == {datetime.date(2024, 2, 2)}
    assert sorted(m.to[0] for m in mail.outbox) == [
        "helferin@example.org",
        "helferin@example.org",
        "zweite@example.org",
    ]
    assert "02.02.2024" in mail.outbox[0].body
    with pytest.raises(exceptions.ClaimError):
        payouts.mark_paid(batch=batch, paid_on=datetime.date(2024, 2, 3), user=treasurer)


def test_a_closed_budget_makes_no_payout_batch(claims_budget, account, approved, treasurer):
    # Closing refuses while claims are approved and unpaid; a budget closed before that rule
    # pays out only after reopening.
    Budget.objects.filter(pk=claims_budget.pk).update(is_closed=True)
    with pytest.raises(exceptions.BudgetClosed):
        payouts.create_batch(budget=claims_budget, created_by=treasurer)
    assert not PayoutBatch.objects.exists()
    assert set(Claim.objects.values_list("payout_batch", flat=True)) == {None}


def test_a_closed_budget_marks_no_batch_paid_until_reopened(
    claims_budget, account, approved, treasurer, superuser
):
    from budget.services.closing import reopen_budget

    batch = payouts.create_batch(budget=claims_budget, created_by=treasurer)
    Budget.objects.filter(pk=claims_budget.pk).update(is_closed=True)
    with pytest.raises(exceptions.BudgetClosed):
        payouts.mark_paid(batch=batch, paid_on=datetime.date(2024, 2, 2), user=treasurer)
    assert PayoutBatch.objects.get().paid_on is None
    assert set(Claim.objects.values_list("state", flat=True)) == {Claim.State.APPROVED}
    reopen_budget(budget=claims_budget, reopened_by=superuser, reason="Auszahlung nachtragen")
    payouts.mark_paid(batch=batch, paid_on=datetime.date(2024, 2, 2), user=treasurer)
    assert set(Claim.objects.values_list("state", flat=True)) == {Claim.State.PAID}


# --- pages ----------------------------------------------------------------------------------------


def test_payout_pages_by_role(
    client, claims_budget, account, approved, treasurer, director, helper
):
    batch = payouts.create_batch(budget=claims_budget, created_by=treasurer)
    b = claims_budget.pk
    for user, expected in [(treasurer, 200), (director, 200), (helper, 403)]:
        client.force_login(user)
        assert client.get(reverse("budget:payout_list", args=[b])).status_code == expected
        assert (
            client.get(reverse("budget:payout_detail", args=[b, batch.pk])).status_code == expected
        )
    client.force_login(director)
    assert client.get(reverse("budget:payout_sepa", args=[b, batch.pk])).status_code == 403
    assert client.get(reverse("budget:payout_account", args=[b])).status_code == 403
    assert client.post(reverse("budget:payout_paid", args=[b, batch.pk])).status_code == 403
    assert client.post(reverse("budget:payout_list", args=[b])).status_code == 403
    page = client.get(reverse("budget:payout_detail", args=[b, batch.pk])).content.decode()
    assert "DE02 **** **** 2051" in page and "1203 0000" not in page


def test_treasurer_pays_through_the_pages(client, claims_budget, account, approved, treasurer):
    client.force_login(treasurer)
    b = claims_budget.pk
    page = client.get(reverse("budget:payout_list", args=[b]))
    assert 'id="payable-total">113,00\xa0€' in page.content.decode()
    response = client.post(
        reverse("budget:payout_list", args=[b]),
        {"one_time_key": fresh_key(), "claims": [approved[0].pk, approved[1].pk]},
    )
    batch = PayoutBatch.objects.get()
    assert response["Location"] == reverse("budget:payout_detail", args=[b, batch.pk])
    assert batch.total == Decimal("112.34")
    sepa = client.get(reverse("budget:payout_sepa", args=[b, batch.pk]))
    assert sepa.status_code == 200
    assert sepa["Content-Type"] == "application/xml"
    assert b"<CtrlSum>112.34</CtrlSum>" in sepa.content
    client.post(reverse("budget:payout_paid", args=[b, batch.pk]), {"paid_on": "03.02.2024"})
    assert Claim.objects.get(pk=approved[0].pk).state == Claim.State.PAID
    assert Claim.objects.get(pk=approved[2].pk).state == Claim.State.APPROVED


def test_the_same_payout_form_twice_makes_one_batch(
    client, claims_budget, account, approved, treasurer
):
    client.force_login(treasurer)
    data = {"one_time_key": fresh_key()}
    client.post(reverse("budget:payout_list", args=[claims_budget.pk]), data)
    again = client.post(reverse("budget:payout_list", args=[claims_budget.pk]), data)
    assert PayoutBatch.objects.count() == 1
    assert again.status_code == 302


def test_account_page_saves_and_shows(client, claims_budget, treasurer):
    client.force_login(treasurer)
    url = reverse("budget:payout_account", args=[claims_budget.pk])
    refused = client.post(url, {"account_holder": "LV", "iban": "DE12", "bic": ""})
    assert "Diese IBAN ist ungültig" in refused.content.decode()
    client.post(url, {"account_holder": "LV Thüringen", "iban": DEBTOR_IBAN, "bic": ""})
    assert claims_budget.payout_account.iban == DEBTOR_IBAN
    assert claims_budget.payout_account.bic  # from schwifty's bank registry


def test_changes_of_the_paying_account_are_audited(client, claims_budget, treasurer):
    client.force_login(treasurer)
    url = reverse("budget:payout_account", args=[claims_budget.pk])
    client.post(url, {"account_holder": "LV Thüringen", "iban": DEBTOR_IBAN, "bic": ""})
    client.post(url, {"account_holder": "LV Thüringen", "iban": IBAN_2, "bic": ""})
    account = claims_budget.payout_account
    history = list(account.history.order_by("history_date"))
    assert [h.iban for h in history] == [DEBTOR_IBAN, IBAN_2]
    assert {h.history_user for h in history} == {treasurer}
    page = client.get(url).content.decode()
    assert 'id="account-history"' in page and DEBTOR_IBAN in page
