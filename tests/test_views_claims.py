"""Claim pages: who may open what (200 / 403 / 404 / login), and what a POST changes."""

from decimal import Decimal

import pytest
from django.urls import reverse

from budget.models import Claim, PendingReceipt
from tests.claim_helpers import IBAN, claim
from tests.factories import UserFactory
from tests.helpers import assert_login_required, fresh_key, image_upload


def _post_data(category, **overrides):
    data = {
        "one_time_key": fresh_key(),
        "kind": "expense",
        "category": category.pk,
        "spent_on": "15.01.2024",
        "payee": "Bäckerei Roth",
        "description": "Brötchen",
        "amount": "23,40",
        "quantity": "1",
        "iban": "DE89 3704 0044 0532 0130 00",
        "account_holder": "Rosa Beispiel",
    }
    data.update(overrides)
    return data


def test_anonymous_is_sent_to_login(client, claims_budget):
    assert_login_required(client.get(reverse("budget:claim_new", args=[claims_budget.pk])))
    assert_login_required(client.get(reverse("budget:my_claims")))


def test_a_user_without_role_may_not_submit(client, outsider, claims_budget):
    client.force_login(outsider)
    assert client.get(reverse("budget:claim_new", args=[claims_budget.pk])).status_code == 403
    assert client.get(reverse("budget:my_claims")).status_code == 403


def test_a_helpers_start_page_is_their_claims(client, helper, claims_budget):
    client.force_login(helper)
    response = client.get(reverse("budget:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("budget:my_claims")
    page = client.get(reverse("budget:my_claims"))
    assert page.status_code == 200
    assert reverse("budget:claim_new", args=[claims_budget.pk]) in page.content.decode()


def test_a_helper_sees_no_dashboard_and_no_budget_lists(client, helper, claims_budget):
    client.force_login(helper)
    for name in ("budget_dashboard", "claim_list", "expense_list", "budget_summary"):
        assert client.get(reverse(f"budget:{name}", args=[claims_budget.pk])).status_code == 403


def test_a_budget_without_claims_is_hidden_from_helpers(client, helper, budget):
    client.force_login(helper)
    assert client.get(reverse("budget:claim_new", args=[budget.pk])).status_code == 404


def test_helper_submits_a_claim_with_a_photo(client, helper, claims_budget, category):
    client.force_login(helper)
    response = client.post(
        reverse("budget:claim_new", args=[claims_budget.pk]),
        {**_post_data(category), "receipt": image_upload()},
    )
    c = Claim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("budget:claim_detail", args=[claims_budget.pk, c.pk])
    assert c.amount == Decimal("23.40")
    assert c.iban == IBAN
    assert c.receipt_content_type == "image/png"
    claims_budget.refresh_from_db()
    assert claims_budget.reserved_claims == Decimal("23.40")


def test_a_refused_claim_keeps_its_photo_for_the_next_try(client, helper, claims_budget, category):
    client.force_login(helper)
    url = reverse("budget:claim_new", args=[claims_budget.pk])
    refused = client.post(
        url, {**_post_data(category, iban="DE00 1234"), "receipt": image_upload()}
    )
    assert refused.status_code == 200
    assert "Nicht eingereicht." in refused.content.decode()
    assert "Diese IBAN ist ungültig" in refused.content.decode()
    pending = PendingReceipt.objects.get()
    response = client.post(url, _post_data(category, pending_receipt=str(pending.token)))
    assert response.status_code == 302
    assert Claim.objects.get().receipt
    assert not PendingReceipt.objects.exists()


def test_an_expense_claim_without_receipt_is_refused(client, helper, claims_budget, category):
    client.force_login(helper)
    response = client.post(
        reverse("budget:claim_new", args=[claims_budget.pk]), _post_data(category)
    )
    assert response.status_code == 200
    assert "Beleg fotografieren" in response.content.decode()
    assert not Claim.objects.exists()


def test_a_travel_claim_needs_no_receipt(client, helper, claims_budget):
    from budget.models import Category

    client.force_login(helper)
    travel = Category.objects.get(budget=claims_budget, name="Reisekosten")
    response = client.post(
        reverse("budget:claim_new", args=[claims_budget.pk]),
        _post_data(
            travel,
            kind="travel",
            payee="",
            description="",
            amount="",
            travel_from="Erfurt",
            travel_to="Weimar",
            purpose="Plakate abholen",
            km="46,5",
            vehicle="car",
        ),
    )
    assert response.status_code == 302
    assert Claim.objects.get().amount == Decimal("13.95")


def test_the_same_form_sent_twice_submits_once(client, helper, claims_budget, category):
    client.force_login(helper)
    url = reverse("budget:claim_new", args=[claims_budget.pk])
    data = _post_data(category)
    client.post(url, {**data, "receipt": image_upload()})
    again = client.post(url, {**data, "receipt": image_upload()})
    assert again.status_code == 302
    assert Claim.objects.count() == 1


def test_one_cent_over_shows_the_figures(client, helper, claims_budget, category, book):
    book(category, "2400.00")
    claim(claims_budget, category, helper, "80.00")
    client.force_login(helper)
    response = client.post(
        reverse("budget:claim_new", args=[claims_budget.pk]),
        {**_post_data(category, amount="20,01"), "receipt": image_upload()},
    )
    assert response.status_code == 200
    assert "Noch verfügbar: 20,00\xa0€ (80,00\xa0€ sind für offene" in response.content.decode()


def test_another_helpers_claim_is_404(client, helper, claims_budget, category):
    c = claim(claims_budget, category, helper)
    other = UserFactory(username="anderer", role="helper")
    client.force_login(other)
    for name in ("claim_detail", "claim_receipt", "claim_thumbnail"):
        assert (
            client.get(reverse(f"budget:{name}", args=[claims_budget.pk, c.pk])).status_code == 404
        )
    for name in ("claim_approve", "claim_withdraw", "claim_waive"):
        assert (
            client.post(reverse(f"budget:{name}", args=[claims_budget.pk, c.pk])).status_code == 404
        )
    assert UserFactory(username="x").pk  # nothing leaked
    assert Claim.objects.get().state == Claim.State.SUBMITTED


def test_bank_details_in_full_for_claimant_and_treasurer_masked_for_director(
    client, helper, treasurer, director, claims_budget, category
):
    c = claim(claims_budget, category, helper)
    url = reverse("budget:claim_detail", args=[claims_budget.pk, c.pk])
    for user, shown in [
        (helper, "DE89 3704 0044 0532 0130 00"),
        (treasurer, "DE89 3704 0044 0532 0130 00"),
        (director, "DE89 **** **** 3000"),
    ]:
        client.force_login(user)
        page = client.get(url).content.decode()
        assert shown in page, user
        if user == director:
            assert "3704 0044" not in page


def test_treasurer_approves_and_the_claim_is_booked(
    client, helper, treasurer, claims_budget, category
):
    c = claim(claims_budget, category, helper, "31.00")
    client.force_login(treasurer)
    page = client.get(reverse("budget:claim_detail", args=[claims_budget.pk, c.pk]))
    assert 'id="approve"' in page.content.decode()
    response = client.post(reverse("budget:claim_approve", args=[claims_budget.pk, c.pk]))
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.state == Claim.State.APPROVED
    assert c.expense.amount == Decimal("31.00")


def test_a_helper_may_not_approve_and_sees_no_buttons(client, helper, claims_budget, category):
    other = UserFactory(username="andere", role="helper")
    c = claim(claims_budget, category, other)
    client.force_login(helper)
    # another helper's claim: 404; the own claim: 403 for approval
    own = claim(claims_budget, category, helper)
    assert (
        client.post(reverse("budget:claim_approve", args=[claims_budget.pk, c.pk])).status_code
        == 404
    )
    assert (
        client.post(reverse("budget:claim_approve", args=[claims_budget.pk, own.pk])).status_code
        == 403
    )
    assert (
        'id="approve"'
        not in client.get(
            reverse("budget:claim_detail", args=[claims_budget.pk, own.pk])
        ).content.decode()
    )


def test_own_claim_approval_is_refused_with_a_message(client, treasurer, claims_budget, category):
    c = claim(claims_budget, category, treasurer)
    client.force_login(treasurer)
    response = client.post(
        reverse("budget:claim_approve", args=[claims_budget.pk, c.pk]), follow=True
    )
    assert "nur eine andere Person genehmigen" in response.content.decode()
    c.refresh_from_db()
    assert c.state == Claim.State.SUBMITTED


def test_reject_needs_a_reason(client, helper, treasurer, claims_budget, category):
    c = claim(claims_budget, category, helper)
    client.force_login(treasurer)
    url = reverse("budget:claim_reject", args=[claims_budget.pk, c.pk])
    client.post(url, {"reason": ""})
    c.refresh_from_db()
    assert c.state == Claim.State.SUBMITTED
    client.post(url, {"reason": "Beleg unleserlich"})
    c.refresh_from_db()
    assert c.state == Claim.State.REJECTED


def test_withdraw_and_get_is_not_allowed(client, helper, claims_budget, category):
    c = claim(claims_budget, category, helper)
    client.force_login(helper)
    url = reverse("budget:claim_withdraw", args=[claims_budget.pk, c.pk])
    assert client.get(url).status_code == 405
    client.post(url)
    c.refresh_from_db()
    assert c.state == Claim.State.WITHDRAWN


def test_budget_claim_list_filters_by_state(
    client, helper, treasurer, director, claims_budget, category
):
    a = claim(claims_budget, category, helper, description="Erste")
    claim(claims_budget, category, helper, description="Zweite")
    from budget.services import claims as service

    service.reject_claim(claim=a, actor=treasurer, reason="nein")
    for user in (treasurer, director):
        client.force_login(user)
        url = reverse("budget:claim_list", args=[claims_budget.pk])
        everything = client.get(url).content.decode()
        assert "Erste" in everything and "Zweite" in everything
        submitted = client.get(url, {"state": "submitted"}).content.decode()
        assert "Zweite" in submitted and "Erste" not in submitted


@pytest.mark.parametrize("count", [1, 12])
def test_claim_list_costs_fixed_queries(
    client, helper, treasurer, claims_budget, category, count, django_assert_num_queries
):
    for _ in range(count):
        claim(claims_budget, category, helper, "1.00")
    client.force_login(treasurer)
    url = reverse("budget:claim_list", args=[claims_budget.pk])
    client.get(url)
    with django_assert_num_queries(6):  # session, user, perms, budget, claims, groups
        client.get(url)


def test_waiver_and_the_treasurers_list(
    client, helper, treasurer, director, claims_budget, category
):
    from budget.services import claims as service

    c = claim(claims_budget, category, helper, "45.00")
    service.approve_claim(claim=c, approver=treasurer)
    client.force_login(helper)
    client.post(reverse("budget:claim_waive", args=[claims_budget.pk, c.pk]))
    c.refresh_from_db()
    assert c.state == Claim.State.WAIVED
    url = reverse("budget:claim_waived", args=[claims_budget.pk])
    assert client.get(url).status_code == 403
    client.force_login(director)
    assert client.get(url).status_code == 403
    client.force_login(treasurer)
    page = client.get(url).content.decode()
    assert "Rosa Beispiel" in page and "45,00" in page


def test_the_history_is_shown(client, helper, treasurer, claims_budget, category):
    from budget.services import claims as service

    c = claim(claims_budget, category, helper)
    service.approve_claim(claim=c, approver=treasurer)
    client.force_login(helper)
    page = client.get(
        reverse("budget:claim_detail", args=[claims_budget.pk, c.pk])
    ).content.decode()
    assert "eingereicht – helferin" in page
    assert "genehmigt und gebucht – schatzmeisterin" in page


def test_admin_shows_claims_read_only(client, superuser, helper, claims_budget, category):
    c = claim(claims_budget, category, helper)
    client.force_login(superuser)
    assert client.get(reverse("admin:budget_claim_changelist")).status_code == 200
    assert client.get(reverse("admin:budget_claim_change", args=[c.pk])).status_code == 200
    assert client.get(reverse("admin:budget_claim_add")).status_code == 403
    for name in ("order", "payoutbatch"):
        assert client.get(reverse(f"admin:budget_{name}_changelist")).status_code == 200


def test_the_booked_expense_links_back_to_its_claim(
    client, helper, treasurer, claims_budget, category
):
    from budget.services import claims as service

    c = claim(claims_budget, category, helper)
    service.approve_claim(claim=c, approver=treasurer)
    c.refresh_from_db()
    client.force_login(treasurer)
    page = client.get(reverse("budget:expense_detail", args=[claims_budget.pk, c.expense_id]))
    assert reverse("budget:claim_detail", args=[claims_budget.pk, c.pk]) in page.content.decode()


def test_the_first_approver_sees_no_second_approve_button(
    client, helper, treasurer, director, claims_budget, category
):
    from budget.models import Budget

    Budget.objects.filter(pk=claims_budget.pk).update(second_approval_above=Decimal("10.00"))
    c = claim(claims_budget, category, helper, "10.01")
    client.force_login(treasurer)
    url = reverse("budget:claim_detail", args=[claims_budget.pk, c.pk])
    assert "Erste Freigabe erteilen" in client.get(url).content.decode()
    client.post(reverse("budget:claim_approve", args=[claims_budget.pk, c.pk]))
    page = client.get(url).content.decode()
    assert 'id="approve"' not in page and 'id="waiting-for-second"' in page
    assert "1 von 2 Freigaben" in page
    client.force_login(director)
    assert "Genehmigen und buchen" in client.get(url).content.decode()
    client.post(reverse("budget:claim_approve", args=[claims_budget.pk, c.pk]))
    c.refresh_from_db()
    assert c.state == Claim.State.APPROVED


def test_the_director_sees_a_helpers_claim_read_only_and_why(
    client, helper, director, claims_budget, category
):
    c = claim(claims_budget, category, helper, "31.00")
    client.force_login(director)
    url = reverse("budget:claim_detail", args=[claims_budget.pk, c.pk])
    page = client.get(url).content.decode()
    assert 'id="approve"' not in page and 'id="decide"' not in page
    assert f"Die Erstattung {c.reference} genehmigt die Schatzmeisterei." in page
    response = client.post(
        reverse("budget:claim_approve", args=[claims_budget.pk, c.pk]), follow=True
    )
    assert response.redirect_chain == [(url, 302)]
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    c.refresh_from_db()
    assert c.state == Claim.State.SUBMITTED and c.expense_id is None
    client.post(reverse("budget:claim_reject", args=[claims_budget.pk, c.pk]), {"reason": "nein"})
    c.refresh_from_db()
    assert c.state == Claim.State.SUBMITTED


def test_the_director_approves_the_treasurers_claim_on_its_page(
    client, treasurer, director, claims_budget, category
):
    c = claim(claims_budget, category, treasurer, "31.00")
    client.force_login(director)
    page = client.get(reverse("budget:claim_detail", args=[claims_budget.pk, c.pk])).content
    assert b'id="approve"' in page and b'id="treasurer-decides-first"' not in page
    client.post(reverse("budget:claim_approve", args=[claims_budget.pk, c.pk]))
    c.refresh_from_db()
    assert c.state == Claim.State.APPROVED and c.approved_by == director


def test_above_the_threshold_the_director_waits_for_the_treasurers_first_approval(
    client, helper, treasurer, director, claims_budget, category
):
    from budget.models import Budget

    Budget.objects.filter(pk=claims_budget.pk).update(second_approval_above=Decimal("10.00"))
    c = claim(claims_budget, category, helper, "10.01")
    url = reverse("budget:claim_detail", args=[claims_budget.pk, c.pk])
    client.force_login(director)
    page = client.get(url).content.decode()
    assert "Erste Freigabe erteilen" not in page and 'id="approve"' not in page
    assert "danach können Sie die zweite Freigabe geben" in page
    client.force_login(treasurer)
    client.post(reverse("budget:claim_approve", args=[claims_budget.pk, c.pk]))
    client.force_login(director)
    page = client.get(url).content.decode()
    assert "Genehmigen und buchen" in page and 'id="treasurer-decides-first"' not in page
