"""Input means exactly one thing: amounts of ASCII digits only, texts without hidden characters."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from budget.exceptions import InvalidExpense
from budget.models import Expense, Resolution, Reversal
from budget.services import record_expense, reverse_expense
from budget.validators import no_control_characters, parse_amount
from tests.helpers import fresh_key, pdf_upload

NOT_AN_AMOUNT = "Bitte einen Betrag in Euro eingeben, z. B. 1.234,56 oder 12,50."


# -- amounts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "１２",  # full-width
        "١٢",  # Arabic-Indic
        "۱۲",  # Extended Arabic-Indic (Persian)
        "1２",  # mixed scripts
        "12,５0",
        "१२",  # Devanagari
        "12 50",  # inner space: not 1.250,00 €
        "1 2 3 4",  # not 1.234,00 €
        "1 234,56",
        "1\u00a0234,56",  # inner no-break space
        "1\u202f234,56",  # narrow no-break space
        "12,\u200b50",  # zero-width space
        "x" * 1000,  # an over-long non-number is not an amount, not "zu groß"
        "1.2" * 300,
        "12,50 € 3",
    ],
)
def test_anything_but_ascii_digits_and_separators_is_not_an_amount(typed):
    with pytest.raises(ValidationError) as refused:
        parse_amount(typed)
    assert refused.value.messages == [NOT_AN_AMOUNT]
    assert refused.value.code == "invalid"


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        (" 12,50 ", "12.50"),
        ("\t12,50\n", "12.50"),
        ("\u00a012,50\u00a0", "12.50"),
        ("12,50 €", "12.50"),
        ("12,50\u00a0€", "12.50"),
        ("12,50€", "12.50"),
        ("12,50 EUR", "12.50"),
        ("1.234,56", "1234.56"),
        ("007,50", "7.50"),
        ("9.999.999.999,99", "9999999999.99"),  # exactly the largest amount the column holds
    ],
)
def test_only_edge_spaces_and_a_currency_sign_are_dropped(typed, amount):
    assert parse_amount(typed) == Decimal(amount)


def test_an_over_long_number_is_too_large():
    with pytest.raises(ValidationError) as refused:
        parse_amount("1" * 1000)
    assert refused.value.code == "max_value"
    with pytest.raises(ValidationError, match="zu groß"):
        parse_amount("10.000.000.000,00")  # one cent over the largest amount is 0,01 € more


def test_the_english_interface_refuses_foreign_digits_too():
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        parse_amount("１,５００")
    assert refused.value.code == "invalid"


@pytest.mark.django_db
def test_the_booking_form_refuses_full_width_digits_and_books_nothing(
    client, treasurer, budget, category
):
    client.force_login(treasurer)
    response = client.post(
        reverse("budget:expense_new", args=[budget.pk]),
        {
            "category": category.pk,
            "spent_on": "15.01.2024",
            "payee": "Bäckerei Roth",
            "description": "Frühstück",
            "amount": "１２,５０",
            "quantity": "1",
            "one_time_key": fresh_key(),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["amount"] == [NOT_AN_AMOUNT]
    assert Expense.objects.count() == 0


# -- texts -------------------------------------------------------------------------------------

FORBIDDEN = {
    "NUL": "\x00",
    "ESC": "\x1b",
    "DEL": "\x7f",
    "C1 NEL": "\x85",
    "C1 CSI": "\x9b",
    "LRE": "\u202a",
    "RLO": "\u202e",
    "LRI": "\u2066",
    "PDI": "\u2069",
    "LRM": "\u200e",
    "RLM": "\u200f",
    "ALM": "\u061c",
    "ZWSP": "\u200b",
    "ZWNJ": "\u200c",
    "ZWJ": "\u200d",
    "WJ": "\u2060",
    "BOM": "\ufeff",
}


@pytest.mark.parametrize("char", FORBIDDEN.values(), ids=FORBIDDEN.keys())
def test_the_text_validator_refuses_invisible_characters(char):
    with pytest.raises(ValidationError) as refused:
        no_control_characters(f"Bäckerei{char}Roth")
    assert "Unsichtbare Steuerzeichen" in refused.value.messages[0]


@pytest.mark.parametrize(
    "text",
    [
        "Bäckerei Roth & Söhne",
        "Zeile 1\nZeile 2\r\n\tEingerückt",
        "محمد الأحمد",  # an Arabic name is a name
        "Café «Zur Sonne» – 2 × Kaffee ☕",
        "\u00a0geschützte\u00a0Leerzeichen",
    ],
)
def test_the_text_validator_keeps_ordinary_text(text):
    no_control_characters(text)


@pytest.mark.django_db
@pytest.mark.parametrize("char", ["\u202e", "\u200b", "\x85"], ids=["RLO", "ZWSP", "C1"])
def test_the_booking_service_refuses_them_whoever_calls_it(treasurer, category, char):
    with pytest.raises(InvalidExpense) as refused:
        record_expense(
            budget=category.budget_id,
            category=category,
            spent_on=datetime.date(2024, 1, 15),
            payee=f"Fir{char}ma",
            description="Frühstück",
            amount=Decimal("10.00"),
            created_by=treasurer,
        )
    assert refused.value.field == "payee"
    assert "Steuerzeichen" in refused.value.message
    assert Expense.objects.count() == 0


@pytest.mark.django_db
def test_the_reversal_service_refuses_them(book, category, treasurer):
    expense = book(category, "10.00").expense
    with pytest.raises(InvalidExpense):
        reverse_expense(expense=expense, reason="doppelt\u2066", created_by=treasurer)
    assert Reversal.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["payee", "description"])
def test_the_booking_form_refuses_a_bidi_override(client, treasurer, budget, category, field):
    client.force_login(treasurer)
    data = {
        "category": category.pk,
        "spent_on": "15.01.2024",
        "payee": "Bäckerei Roth",
        "description": "Frühstück",
        "amount": "12,50",
        "quantity": "1",
        "one_time_key": fresh_key(),
    }
    data[field] = "Rechnung \u202e05,21"
    response = client.post(reverse("budget:expense_new", args=[budget.pk]), data)
    assert response.status_code == 200
    assert "Unsichtbare Steuerzeichen" in response.context["form"].errors[field][0]
    assert Expense.objects.count() == 0


@pytest.mark.django_db
def test_the_reversal_form_refuses_a_zero_width_space(client, treasurer, book, category):
    expense = book(category, "10.00").expense
    client.force_login(treasurer)
    response = client.post(
        reverse("budget:expense_reverse", args=[expense.budget_id, expense.pk]),
        {"reason": "dop\u200bpelt", "one_time_key": fresh_key()},
    )
    assert response.status_code == 200
    assert "Unsichtbare Steuerzeichen" in response.context["form"].errors["reason"][0]
    assert Reversal.objects.count() == 0


@pytest.mark.django_db
def test_the_admin_refuses_them_in_a_resolution_title(admin_client, budget):
    resolution = budget.resolution
    url = reverse("admin:budget_resolution_change", args=[resolution.pk])
    form = admin_client.get(url).context["adminform"].form
    assert any(v is no_control_characters for v in form.fields["title"].validators), (
        "the admin's text fields carry the validator"
    )
    assert any(v is no_control_characters for v in form.fields["text"].validators)
    assert Resolution.objects.get(pk=resolution.pk).title == resolution.title


@pytest.mark.django_db
def test_the_admin_add_form_refuses_them_in_the_payee(admin_client, budget, category):
    response = admin_client.post(
        reverse("admin:budget_expense_add"),
        {
            "budget": budget.pk,
            "category": category.pk,
            "spent_on": "15.01.2024",
            "payee": "Firma\u2067X",
            "description": "Frühstück",
            "amount": "12,50",
            "quantity": "1",
            "one_time_key": fresh_key(),
        },
    )
    assert response.status_code == 200
    assert "Unsichtbare Steuerzeichen" in response.content.decode()
    assert Expense.objects.count() == 0


# -- file names and the 400 page ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_receipt_with_a_1000_character_name_gets_a_german_message(
    client, treasurer, budget, category, settings
):
    client.force_login(treasurer)
    response = client.post(
        reverse("budget:expense_new", args=[budget.pk]),
        {
            "category": category.pk,
            "spent_on": "15.01.2024",
            "payee": "Bäckerei Roth",
            "description": "Frühstück",
            "amount": "12,50",
            "quantity": "1",
            "one_time_key": fresh_key(),
            "receipt": pdf_upload("q" * 996 + ".pdf"),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["receipt"] == [
        "Der Dateiname ist zu lang (höchstens 200 Zeichen). Bitte die Datei kürzer benennen "
        "und noch einmal wählen."
    ]
    assert Expense.objects.count() == 0


@pytest.mark.django_db
def test_a_request_django_cannot_read_gets_the_german_400_page(client, treasurer, settings):
    settings.DEBUG = False
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    client.force_login(treasurer)
    response = client.post(reverse("login"), {f"feld{i}": "x" for i in range(20)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Anfrage nicht verstanden" in page
    assert "es wurde nichts gebucht" in page
    assert "Bad Request" not in page


@pytest.mark.django_db
def test_the_admin_refuses_them_in_a_users_name(admin_client, treasurer):
    url = reverse("admin:auth_user_change", args=[treasurer.pk])
    form = admin_client.get(url).context["adminform"].form
    for name in ["username", "first_name", "last_name"]:
        assert no_control_characters in form.fields[name].validators, name
    form = type(form)(
        {
            "username": "schatzmeisterin",
            "first_name": "Anna\u202e",
            "last_name": "Roth",
            "date_joined_0": "2024-01-01",
            "date_joined_1": "10:00:00",
        },
        instance=treasurer,
    )
    assert not form.is_valid()
    assert "Unsichtbare Steuerzeichen" in form.errors["first_name"][0]
