"""The booking, claim and order-invoice forms share one receipt picker
(templates/budget/_receipt_picker.html): the same buttons, ids and hooks for the scripts, and a
receipt kept from a refused send shown with the thumbnail of the right view."""

import errno
import logging
import os
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertContains, assertInHTML, assertNotContains

from budget.models import Claim, Expense, PendingReceipt, private_storage
from budget.services import orders
from tests.helpers import files_under, fresh_key, image_upload
from tests.test_receipt_storage import STORAGE_MESSAGE, partial_write_then

pytestmark = pytest.mark.django_db

LABEL = "Beleg (PDF, JPEG, PNG, HEIC; höchstens 10 MB)"
CLAIM_HELP = "Für eine Auslage ist der Beleg Pflicht; das Original bitte aufheben."
FIGURES = {
    "spent_on": "15.01.2024",
    "payee": "Bäckerei Roth",
    "description": "Brötchen",
    "quantity": "1",
}


def _expense_form(budget, category, treasurer, helper):
    return treasurer, reverse("budget:expense_new", args=[budget.pk]), {"category": category.pk}


def _claim_form(budget, category, treasurer, helper):
    budget.accepts_claims = True
    budget.save()
    data = {
        "kind": "expense",
        "category": category.pk,
        "account_holder": "Rosa Beispiel",
        "iban": "DE89 3704 0044 0532 0130 00",
    }
    return helper, reverse("budget:claim_new", args=[budget.pk]), data


def _order_book(budget, category, treasurer, helper):
    order = orders.record_order(
        budget=budget,
        category=category,
        supplier="Bäckerei Roth",
        description="Brötchen",
        amount=Decimal("100.00"),
        quantity=1,
        created_by=treasurer,
    )
    return treasurer, reverse("budget:order_book", args=[budget.pk, order.pk]), {}


# (user, page and its own fields; thumbnail view of a kept receipt; help text)
FORMS = {
    "expense": (_expense_form, "budget:pending_receipt_thumbnail", LABEL),
    "claim": (_claim_form, "budget:claim_pending_thumbnail", f"{CLAIM_HELP} {LABEL}"),
    "order": (_order_book, "budget:pending_receipt_thumbnail", LABEL),
}


class PickerForm:
    def __init__(self, name, client, url, fields, thumbnail, help_text):
        self.name, self.client, self.url, self.fields = name, client, url, fields
        self.thumbnail, self.help_text = thumbnail, help_text

    def get(self):
        return self.client.get(self.url)

    def post(self, **data):
        return self.client.post(
            self.url, {"one_time_key": fresh_key(), **FIGURES, **self.fields, **data}
        )


@pytest.fixture(params=FORMS)
def picker_form(request, client, budget, category, treasurer, helper):
    page, thumbnail, help_text = FORMS[request.param]
    user, url, fields = page(budget, category, treasurer, helper)
    client.force_login(user)
    return PickerForm(request.param, client, url, fields, thumbnail, help_text)


def test_a_kept_photo_is_shown_with_its_own_thumbnail(picker_form, budget):
    # One cent over the cap: refused, the photo is kept for the next try.
    response = picker_form.post(
        amount="2.500,01", receipt=image_upload("JPEG", "kassenbon.jpg", "image/jpeg")
    )
    assert response.status_code == 200
    pending = PendingReceipt.objects.get()
    thumbnail_url = reverse(picker_form.thumbnail, args=[budget.pk, pending.token])
    drop = (
        '<div class="form-check mb-0">'
        '<input class="form-check-input" type="checkbox" name="drop_pending" value="1"'
        ' id="drop-pending">'
        '<label class="form-check-label" for="drop-pending">diesen Beleg nicht verwenden</label>'
        "</div>"
    )
    assertInHTML(
        '<div class="pending-receipt d-flex align-items-center gap-3 border rounded p-2 mb-2"'
        ' id="pending-receipt" data-name="kassenbon.jpg">'
        f'<img src="{thumbnail_url}" alt="Vorschau des angehängten Belegs"'
        ' class="receipt-thumb rounded border" width="72" height="72">'
        '<div class="flex-grow-1">'
        '<p class="mb-1 fw-semibold">Beleg kassenbon.jpg bleibt angehängt</p>'
        f"{drop}"
        "</div></div>",
        response.content.decode(),
        count=1,
    )
    assertContains(response, f'value="{pending.token}"', count=1)


def test_every_form_has_the_same_buttons_and_hooks(picker_form):
    response = picker_form.get()
    assert response.status_code == 200
    accept = response.context["form"].fields["receipt"].widget.attrs["accept"]
    page = response.content.decode()
    assertInHTML(
        '<div class="d-flex gap-2">'
        '<label class="btn btn-primary flex-fill receipt-button" for="id_receipt_camera">'
        "Foto aufnehmen"
        '<input type="file" name="receipt" id="id_receipt_camera" class="visually-hidden"'
        ' accept="image/*" capture="environment" aria-describedby="receipt-help">'
        "</label>"
        '<label class="btn btn-outline-primary flex-fill receipt-button" for="id_receipt">'
        "Datei wählen"
        f'<input type="file" name="receipt" id="id_receipt" class="visually-hidden"'
        f' accept="{accept}" aria-describedby="receipt-help">'
        "</label></div>",
        page,
        count=1,
    )
    assertInHTML(
        '<div class="d-none align-items-center gap-2 mt-2" id="receipt-chosen">'
        '<img alt="" class="receipt-thumb rounded border d-none" id="receipt-thumb"'
        ' width="72" height="72">'
        '<span class="small" id="receipt-name"></span></div>',
        page,
        count=1,
    )
    assertInHTML(
        f'<div class="form-text" id="receipt-help">{picker_form.help_text}</div>', page, count=1
    )
    assertContains(response, "budget/receipt-picker.js", count=1)
    assertNotContains(response, 'id="pending-receipt"')
    assertNotContains(response, 'id="receipt-errors"')


def test_a_refused_file_is_named_under_the_picker(picker_form):
    not_a_pdf = SimpleUploadedFile("rechnung.pdf", b"hello", content_type="application/pdf")
    response = picker_form.post(amount="12,50", receipt=not_a_pdf)
    assert response.status_code == 200
    [error] = response.context["form"].errors["receipt"]
    assertInHTML(
        f'<div id="receipt-errors"><div class="invalid-feedback d-block">{error}</div></div>',
        response.content.decode(),
        count=1,
    )
    # The buttons point screen readers at the error, not only at the help text.
    assertContains(response, 'aria-describedby="receipt-help receipt-errors"', count=3)
    assert not PendingReceipt.objects.exists()


def test_the_claim_form_hides_the_picker_with_the_other_expense_fields(
    client, helper, claims_budget
):
    client.force_login(helper)
    response = client.get(reverse("budget:claim_new", args=[claims_budget.pk]))
    page = response.content.decode()
    # claim-form.js toggles #expense-fields for a trip: picker and figures are inside it.
    start = page.index('<div id="expense-fields">')
    end = page.index('id="travel-fields"')
    for hook in ('class="mb-3 receipt-picker"', 'id="id_receipt_camera"', 'name="payee"'):
        assert start < page.index(hook) < end, hook


def test_a_kept_receipt_can_be_dropped_on_every_form(picker_form):
    picker_form.post(amount="2.500,01", receipt=image_upload("JPEG", "falsch.jpg", "image/jpeg"))
    pending = PendingReceipt.objects.get()

    response = picker_form.post(
        amount="12,50", pending_receipt=str(pending.token), drop_pending="1"
    )

    assert not PendingReceipt.objects.exists()
    if picker_form.name == "claim":
        # An expense claim needs its receipt: refused, and the dropped photo is not offered again.
        assert response.status_code == 200
        assertContains(response, "Für eine Auslage bitte den Beleg fotografieren oder hochladen.")
        assertNotContains(response, "falsch.jpg")
    else:
        assert response.status_code == 302
        assert not Expense.objects.get().receipt


def test_a_full_disk_answers_with_the_form_and_keeps_nothing(
    picker_form, settings, monkeypatch, caplog
):
    monkeypatch.setattr(private_storage, "_save", partial_write_then(errno.ENOSPC))
    with caplog.at_level(logging.ERROR):
        response = picker_form.post(
            amount="12,50", receipt=image_upload("JPEG", "kassenbon.jpg", "image/jpeg")
        )

    assert response.status_code == 200
    assertContains(response, STORAGE_MESSAGE)
    assert not Expense.objects.exists() and not Claim.objects.exists()
    assert not PendingReceipt.objects.exists()
    assert files_under(settings.MEDIA_ROOT) == []
    assert os.strerror(errno.ENOSPC) in caplog.text
