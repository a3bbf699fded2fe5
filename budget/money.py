"""One place for rounding and formatting money."""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.utils.formats import number_format

ZERO = Decimal("0.00")

# Every money column: ``models.DecimalField(**MONEY)``.
MONEY = {"max_digits": 12, "decimal_places": 2}
CENT = Decimal("0.01")


def cents(value) -> Decimal:
    """Round to whole cents, half up. Accepts Decimal, int, str, or None (→ 0.00).

    SQLite returns SUM() over decimals as a float-ish value such as 0.30000000000000004; going
    through str() and quantize() gives back the exact cent amount.
    """
    if value is None:
        return ZERO
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def format_eur(value) -> str:
    """`1.234,56 €` in German, `1,234.56 €` in English: the active locale decides separators."""
    return f"{number_format(cents(value), 2, use_l10n=True, force_grouping=True)}\u00a0€"


def share_of(part: Decimal, whole: Decimal) -> Decimal:
    """``part`` as a percentage of ``whole``, cut (not rounded) to one decimal.

    Cutting keeps the number and the colour of the progress bar in step: 79.99 % shows as
    "79,9 %" on a green bar, never as "80,0 %" on a green one.
    """
    if not whole:
        return Decimal("0.0")
    return (part * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


def german_decimal(value) -> str:
    """``1234,50``: cents with a decimal comma and no grouping, for CSV and DATEV files."""
    return f"{cents(value):.2f}".replace(".", ",")
