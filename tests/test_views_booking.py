"""The booking form at /budgets/<id>/expenses/new/."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertInHTML

from budget.models import Budget, Category, Expense, PendingReceipt
from budget.services import orders
from tests.claim_helpers import claim
from tests.factories import BudgetFactory, CategoryFactory
from tests.helpers import assert_login_required, files_under, fresh_key, image_upload, pdf_upload

pytestmark = pytest.mark.django_db


def url(budget):
    return reverse("budget:expense_new", args=[budget.pk])


def form_data(cat, **overrides):
    data = {
        "category": cat.pk,
        "spent_on": "15.01.2024",
        "payee": "Bäckerei Roth",
        "description": "Frühstück Telefonist*innen",
        "amount": "86,45",
        "quantity": "1",
        "one_time_key": fresh_key(),
    }
    data.update(overrides)
    return data


def assert_nothing_saved(budget, settings):
    """The ledger is untouched and no receipt was stored; a refused booking's upload may only wait
    as the user's pending receipt (see test_views_booking_pending.py)."""
    assert Expense.objects.count() == 0
    assert Budget.objects.get(pk=budget.pk).spent == Decimal("0.00")
    kept = [pending.file.name for pending in PendingReceipt.objects.all()]
    stored = files_under(settings.MEDIA_ROOT)
    assert [p for p in stored if str(p.relative_to(settings.MEDIA_ROOT)) not in kept] == []


def test_anonymous_is_sent_to_login(client, budget):
    assert_login_required(client.get(url(budget)))


@pytest.mark.parametrize(
    ("role", "status"),
    [("treasurer", 200), ("superuser", 200), ("director", 403), ("outsider", 403)],
)
def test_only_treasurers_may_open_the_form(client, budget, request, role, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get(url(budget)).status_code == status


@pytest.mark.parametrize("role", ["director", "outsider"])
def test_others_cannot_book_by_posting(client, budget, category, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.post(url(budget), form_data(category)).status_code == 403
    assert Expense.objects.count() == 0


def test_unknown_budget_is_404(client, treasurer):
    client.force_login(treasurer)
    assert client.get(reverse("budget:expense_new", args=[999999])).status_code == 404


def test_form_shows_figures_and_headset_pieces(client, treasurer, budget, headsets, book):
    book(headsets, "342.93", quantity=7)
    client.force_login(treasurer)
    page = client.get(url(budget)).content.decode()
    assert "noch 8 von 15 Stück" in page
    assert "2.157,07\u00a0€" in page  # remaining
    assert "2.500,00\u00a0€" in page  # cap
    assert 'accept="application/pdf,image/jpeg,image/png' in page


def test_booking_redirects_to_the_expense_with_its_receipt_number(
    client, treasurer, budget, category
):
    client.force_login(treasurer)
    response = client.post(url(budget), form_data(category, amount="1.234,56"), follow=True)
    expense = Expense.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "budget:expense_detail", args=[budget.pk, expense.pk]
    )
    assert expense.amount == Decimal("1234.56")
    assert expense.created_by == treasurer
    assert "Beleg Nr. 1 über 1.234,56\u00a0€ gebucht." in response.content.decode()
    assert Budget.objects.get(pk=budget.pk).remaining == Decimal("1265.44")


@pytest.mark.parametrize(
    ("typed", "amount"),
    [("1.500", "1500.00"), ("12,50", "12.50"), ("12.50", "12.50"), ("1.234,56", "1234.56")],
)
def test_german_amounts(client, treasurer, budget, category, typed, amount):
    client.force_login(treasurer)
    assert client.post(url(budget), form_data(category, amount=typed)).status_code == 302
    assert Expense.objects.get().amount == Decimal(amount)


@pytest.mark.parametrize("typed", ["24.11.2023", "2023-11-24"])
def test_german_and_iso_dates(client, treasurer, budget, category, typed):
    client.force_login(treasurer)
    assert client.post(url(budget), form_data(category, spent_on=typed)).status_code == 302
    assert Expense.objects.get().spent_on.isoformat() == "2023-11-24"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"amount": "0"}, "amount", "größer als 0"),
        ({"amount": "-10,00"}, "amount", "größer als 0"),
        ({"amount": "NaN"}, "amount", "Betrag in Euro"),
        ({"amount": "Infinity"}, "amount", "Betrag in Euro"),
        ({"amount": "12,345"}, "amount", "zwei Nachkommastellen"),
        ({"amount": "9" * 200}, "amount", "zu groß"),
        ({"amount": "zwölf Euro"}, "amount", "Betrag in Euro"),
        ({"amount": ""}, "amount", "zwingend erforderlich"),
        ({"quantity": "0"}, "quantity", "größer oder gleich 1"),
        ({"quantity": "-3"}, "quantity", "größer oder gleich 1"),
        ({"quantity": "1,5"}, "quantity", "ganze Zahl"),
        ({"spent_on": "31.02.2024"}, "spent_on", "gültiges Datum"),
        ({"spent_on": "morgen"}, "spent_on", "gültiges Datum"),
        ({"spent_on": "23.11.2023"}, "spent_on", "vor dem Beginn des Budgets"),
        ({"payee": "x" * 201}, "payee", "höchstens 200 Zeichen"),
        ({"description": "y" * 501}, "description", "höchstens 500 Zeichen"),
        ({"payee": "   "}, "payee", "zwingend erforderlich"),
        ({"payee": "a\x01b"}, "payee", "Steuerzeichen"),
        ({"description": "esc\x1b[31m"}, "description", "Steuerzeichen"),
        ({"spent_on": "31.12.9999"}, "spent_on", "in der Zukunft"),
        ({"category": "999999"}, "category", "gültige Auswahl"),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_saves_nothing(
    client, treasurer, budget, category, settings, overrides, field, message
):
    client.force_login(treasurer)
    response = client.post(url(budget), form_data(category, **overrides, receipt=pdf_upload()))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert_nothing_saved(budget, settings)
    assert PendingReceipt.objects.get().owner == treasurer  # the PDF waits for the correction


def test_category_of_another_budget_is_refused(client, treasurer, budget, settings):
    foreign = CategoryFactory(budget=BudgetFactory(), name="Fremd")
    client.force_login(treasurer)
    response = client.post(url(budget), form_data(foreign))
    assert response.status_code == 200
    assert "category" in response.context["form"].errors
    assert_nothing_saved(budget, settings)


def test_over_the_cap_says_by_how_much_and_what_remains(
    client, treasurer, budget, category, book, settings
):
    book(category, "2187.60")
    client.force_login(treasurer)
    response = client.post(url(budget), form_data(category, amount="432,40", receipt=pdf_upload()))
    assert response.status_code == 200
    assert response.context["form"].errors["amount"] == [
        "Diese Ausgabe würde das Budget um 120,00\u00a0€ überschreiten. "
        "Noch verfügbar: 312,40\u00a0€."
    ]
    assert "Nicht gebucht." in response.content.decode()
    assert Expense.objects.count() == 1
    assert len(files_under(settings.MEDIA_ROOT)) == 1  # kept only as the pending receipt
    assert "Beleg beleg.pdf bleibt angehängt" in response.content.decode()


def test_exactly_the_remaining_amount_is_accepted(client, treasurer, budget, category, book):
    book(category, "2187.60")
    client.force_login(treasurer)
    assert client.post(url(budget), form_data(category, amount="312,40")).status_code == 302
    assert Budget.objects.get(pk=budget.pk).remaining == Decimal("0.00")


def test_headsets_over_their_cap_say_how_many_pieces_remain(
    client, treasurer, budget, headsets, book
):
    book(headsets, "300.00", quantity=13)
    client.force_login(treasurer)
    response = client.post(url(budget), form_data(headsets, quantity="3", amount="60,00"))
    assert response.status_code == 200
    assert "Noch möglich: 2 Stück" in response.context["form"].errors["quantity"][0]
    assert Expense.objects.count() == 1


def test_warn_category_books_and_shows_a_warning(client, treasurer, budget, category):
    Category.objects.filter(pk=category.pk).update(planned=Decimal("50.00"))
    client.force_login(treasurer)
    response = client.post(url(budget), form_data(category, amount="60,00"), follow=True)
    assert Expense.objects.count() == 1
    page = response.content.decode()
    assert "alert-warning" in page
    assert "10,00\u00a0€ über ihrem Plan" in page


def test_closed_budget_refuses_with_a_message(client, treasurer, budget, category, settings):
    Budget.objects.filter(pk=budget.pk).update(is_closed=True)
    client.force_login(treasurer)
    response = client.post(url(budget), form_data(category))
    assert response.status_code == 200
    assert "abgeschlossen" in " ".join(response.context["form"].non_field_errors())
    assert_nothing_saved(budget, settings)


@pytest.mark.parametrize(
    "upload",
    [
        lambda: pdf_upload("Rechnung.pdf"),
        lambda: image_upload("PNG", "foto.png"),
        lambda: image_upload("JPEG", "foto.jpg", "image/jpeg"),
    ],
)
def test_receipt_files_are_kept_privately(client, treasurer, budget, category, settings, upload):
    client.force_login(treasurer)
    file = upload()
    assert client.post(url(budget), form_data(category, receipt=file)).status_code == 302
    expense = Expense.objects.get()
    stored = files_under(settings.MEDIA_ROOT)
    assert len(stored) == 1
    assert file.name not in stored[0].name
    assert expense.receipt_original_name == file.name


def test_heic_from_an_iphone_is_accepted(client, treasurer, budget, category):
    client.force_login(treasurer)
    heic = image_upload("HEIF", "IMG_0001.HEIC", "image/heic")
    assert client.post(url(budget), form_data(category, receipt=heic)).status_code == 302
    assert Expense.objects.get().receipt_content_type == "image/heic"


@pytest.mark.parametrize(
    ("name", "content", "content_type", "message"),
    [
        ("beleg.pdf", b"just some text pretending", "application/pdf", "Dateityp"),
        ("beleg.png", b"<html><script>alert(1)</script></html>", "image/png", "Dateityp"),
        ("beleg.exe", b"MZ\x90\x00" + b"\x00" * 100, "application/pdf", "Dateityp"),
        ("beleg.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "image/png", "beschädigt"),
        ("beleg.pdf", b"%PDF-1.4 truncated", "application/pdf", "unvollständig"),
        (
            "evil.html",
            b"<html><!-- %PDF-1.4 --><script>x</script>\n%%EOF",
            "application/pdf",
            "Dateityp",
        ),
        ("leer.pdf", b"", "application/pdf", "leer"),
    ],
)
def test_files_are_judged_by_content_not_name(
    client, treasurer, budget, category, settings, name, content, content_type, message
):
    client.force_login(treasurer)
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    response = client.post(url(budget), form_data(category, receipt=upload))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["receipt"])
    assert_nothing_saved(budget, settings)


def test_files_over_ten_megabytes_are_refused(client, treasurer, budget, category, settings):
    client.force_login(treasurer)
    big = SimpleUploadedFile("gross.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024) + b"\n%%EOF\n")
    response = client.post(url(budget), form_data(category, receipt=big))
    assert response.status_code == 200
    assert "zu groß" in " ".join(response.context["form"].errors["receipt"])
    assert_nothing_saved(budget, settings)


@pytest.mark.parametrize("over_plan", [Category.OverPlan.STOP, Category.OverPlan.WARN])
def test_the_plan_hint_counts_what_claims_and_orders_reserve(
    client, treasurer, helper, budget, category, book, over_plan
):
    Budget.objects.filter(pk=budget.pk).update(accepts_claims=True)
    Category.objects.filter(pk=category.pk).update(planned=Decimal("100.00"), over_plan=over_plan)
    book(category, "30.00")
    claim(budget, category, helper, "35.00")
    orders.record_order(
        budget=budget,
        category=category,
        supplier="Catering",
        description="Suppe",
        amount=Decimal("15.00"),
        created_by=treasurer,
    )
    client.force_login(treasurer)
    page = client.get(url(budget)).content.decode()
    # 100,00 € plan − 30,00 € spent − 50,00 € reserved: the figure the server refuses beyond
    assertInHTML(
        f'<option value="{category.pk}" data-plan-left="20.00" data-plan-action="{over_plan}">'
        "Verpflegung</option>",
        page,
    )
    assertInHTML('<span class="amount" data-plan>20,00\xa0€ im Plan</span>', page)
    assertInHTML(
        '<span class="small text-body-secondary" data-reserved>50,00\xa0€ vorgemerkt</span>', page
    )


def test_a_stop_category_books_exactly_what_the_hint_shows_and_refuses_a_cent_more(
    client, treasurer, helper, budget, category, book
):
    Budget.objects.filter(pk=budget.pk).update(accepts_claims=True)
    Category.objects.filter(pk=category.pk).update(planned=Decimal("100.00"), over_plan="stop")
    book(category, "30.00")
    claim(budget, category, helper, "50.00")
    client.force_login(treasurer)
    refused = client.post(url(budget), form_data(category, amount="20,01"))
    assert refused.status_code == 200
    assert "Im Plan noch verfügbar: 20,00\xa0€." in refused.context["form"].errors["amount"][0]
    assert client.post(url(budget), form_data(category, amount="20,00")).status_code == 302
    assert Category.objects.get(pk=category.pk).available_plan == Decimal("0.00")
