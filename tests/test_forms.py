from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from budget.forms.expenses import parse_amount


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1.234,56", "1234.56"),
        ("1.500", "1500.00"),
        ("12,50", "12.50"),
        ("12.50", "12.50"),
        ("12", "12.00"),
        ("0,01", "0.01"),
        ("2.500,00 €", "2500.00"),
        ("1,234.56", "1234.56"),
        (" 7,5 ", "7.50"),
        ("1.000.000", "1000000.00"),
    ],
)
def test_german_amounts_are_read_as_a_german_user_means_them(typed, amount):
    assert parse_amount(typed) == Decimal(amount)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "größer als 0"),
        ("0,00", "größer als 0"),
        ("-5,00", "größer als 0"),
        ("12,345", "zwei Nachkommastellen"),
        ("0.001", "zwei Nachkommastellen"),
        ("NaN", "Betrag in Euro"),
        ("Infinity", "Betrag in Euro"),
        ("1e5", "Betrag in Euro"),
        ("zwölf", "Betrag in Euro"),
        ("12,50,3", "Betrag in Euro"),
        ("99999999999", "zu groß"),
        ("9" * 40, "zu groß"),
    ],
)
def test_bad_amounts_are_refused_in_german(typed, message):
    with pytest.raises(ValidationError) as refused:
        parse_amount(typed)
    assert message in refused.value.messages[0]


def test_english_users_write_thousands_with_commas():
    from django.utils import translation

    with translation.override("en"):
        assert parse_amount("1,500") == Decimal("1500.00")
        assert parse_amount("1,234.56") == Decimal("1234.56")
        assert parse_amount("12.50") == Decimal("12.50")
        with pytest.raises(ValidationError):
            parse_amount("12.500")  # not twelve thousand five hundred in English
    with translation.override("de"), pytest.raises(ValidationError):
        parse_amount("1,500")
