"""Input means exactly one thing: what an amount and a text may contain, in one place.

Forms, the admin and the booking services all use these, so a value the browser accepts is the
value the ledger keeps, and the statement shows what was typed — nothing hidden in it.

Amounts (``parse_amount``) are written the German way (``1.234,56``, ``1.500``, ``12,50``), or
with a dot for cents (``12.50``). Only ASCII digits count: full-width ``１２`` or Arabic-Indic
``١٢`` look like numbers but are refused, as are inner spaces (``12 50`` is not 1.250,00 €).
Only spaces at the edges and a trailing ``€``/``EUR`` are dropped. ``static/budget/amount.js``
reads amounts by the same rules for the live preview; ``tests/e2e/test_amount_preview.py``
compares the two.

Texts (``no_control_characters``) refuse characters that are invisible or change how the text
around them is shown: C0 controls except tab and line breaks, DEL and the C1 controls
(U+0080–U+009F), bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and bidi
marks (U+200E, U+200F, U+061C), and zero-width characters (U+200B–U+200D, U+2060, U+FEFF). A payee
with a right-to-left override in it would otherwise show as a different name than the one stored.
"""

import datetime
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from budget.exceptions import InvalidExpense
from budget.money import cents

MAX_AMOUNT = Decimal("9999999999.99")  # what DecimalField(max_digits=12, decimal_places=2) holds

FORBIDDEN_IN_TEXT = re.compile(
    "["
    "\x00-\x08\x0b\x0c\x0e-\x1f"  # C0 controls except tab, line feed, carriage return
    "\x7f-\x9f"  # DEL and the C1 controls
    "\u061c\u200e\u200f"  # bidi marks
    "\u202a-\u202e\u2066-\u2069"  # bidi embeddings, overrides, isolates
    "\u200b-\u200d\u2060\ufeff"  # zero-width space, (non-)joiner, word joiner, BOM
    "]"
)


def has_forbidden_characters(value: str) -> bool:
    return bool(FORBIDDEN_IN_TEXT.search(value or ""))


def no_control_characters(value: str) -> None:
    """Validator for every text field of every form and of the admin."""
    if has_forbidden_characters(value):
        raise ValidationError(
            _(
                "Unsichtbare Steuerzeichen oder Formatierungszeichen sind hier nicht erlaubt "
                "(oft aus kopiertem Text). Bitte den Text neu eintippen."
            ),
            code="control",
        )


# Only ASCII digits: re's \d would also admit "١٢" and "１２".
_EDGE_SPACE = "[ \t\r\n\u00a0]"
_EDGES = re.compile(f"^{_EDGE_SPACE}+|{_EDGE_SPACE}+$")
_CURRENCY = re.compile(f"{_EDGE_SPACE}*(?:€|eur)$", re.IGNORECASE)
_NUMBER_CHARACTERS = re.compile(r"^[0-9.,]+$")
_GROUPED_DOTS = re.compile(r"^[1-9][0-9]{0,2}(?:\.[0-9]{3})+(?:,[0-9]+)?$")  # 1.234 / 1.234,56
_COMMA_DECIMAL = re.compile(r"^[0-9]+(?:,[0-9]+)?$")  # 1234 / 12,50
_GROUPED_COMMAS = re.compile(r"^[1-9][0-9]{0,2}(?:,[0-9]{3})+\.[0-9]+$")  # 1,234.56
_GROUPED_COMMAS_ONLY = re.compile(r"^[1-9][0-9]{0,2}(?:,[0-9]{3})+$")  # 1,500 (English only)
_DOT_DECIMAL = re.compile(r"^[0-9]+\.[0-9]+$")  # 12.50

NOT_AN_AMOUNT = _("Bitte einen Betrag in Euro eingeben, z. B. 1.234,56 oder 12,50.")


def parse_amount(raw: str) -> Decimal:
    """Read an amount the way a German user writes it; raise ValidationError otherwise.

    ``1.234,56`` → 1234.56, ``1.500`` → 1500, ``12,50`` and ``12.50`` → 12.50. A dot followed by
    exactly three digits is a thousands separator, as on every German receipt. With the English
    interface active the separators swap roles: ``1,500`` is 1500 and ``12.500`` is refused
    (three decimals) instead of silently becoming 12,500.
    """
    text = _EDGES.sub("", raw or "")
    text = _EDGES.sub("", _CURRENCY.sub("", text))
    if not text:
        raise ValidationError(_("Bitte einen Betrag angeben."), code="required")
    negative = text.startswith("-")
    text = text.lstrip("+-")
    if not _NUMBER_CHARACTERS.match(text):
        raise ValidationError(NOT_AN_AMOUNT, code="invalid")
    english = (get_language() or "de").startswith("en")
    if english and _GROUPED_COMMAS_ONLY.match(text):
        normal = text.replace(",", "")
    elif not english and _GROUPED_DOTS.match(text):
        normal = text.replace(".", "").replace(",", ".")
    elif _COMMA_DECIMAL.match(text):
        normal = text.replace(",", ".")
    elif _GROUPED_COMMAS.match(text):
        normal = text.replace(",", "")
    elif _DOT_DECIMAL.match(text):
        normal = text
    else:
        raise ValidationError(NOT_AN_AMOUNT, code="invalid")
    value = Decimal(normal)  # only ASCII digits and one dot are left
    if negative or value <= 0:
        raise ValidationError(_("Der Betrag muss größer als 0 sein."), code="min_value")
    # Count the digits typed, not the value: "1,500" is ambiguous (1.5 or 1500?) and is refused.
    if "." in normal and len(normal.split(".", 1)[1]) > 2:
        raise ValidationError(
            _("Der Betrag darf höchstens zwei Nachkommastellen haben."), code="max_decimal_places"
        )
    if value > MAX_AMOUNT:
        raise ValidationError(_("Der Betrag ist zu groß."), code="max_value")
    return value.quantize(Decimal("0.01"))


# --- The same rules inside the services --------------------------------------------------------
# A form has already parsed its input; the services check again what they are given (the admin,
# a command or a test may call them directly) and refuse with an ``InvalidExpense`` naming the
# field, so that the view can put the message under it.


def check_amount(amount) -> Decimal:
    """``amount`` as cents if it is a positive ``Decimal`` the ledger can hold; else refuse."""
    if not isinstance(amount, Decimal):
        raise InvalidExpense("amount", _("Bitte einen Betrag in Euro angeben."))
    if not amount.is_finite():
        raise InvalidExpense("amount", _("Bitte einen gültigen Betrag angeben."))
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidExpense("amount", _("Der Betrag darf höchstens zwei Nachkommastellen haben."))
    if amount <= 0:
        raise InvalidExpense("amount", _("Der Betrag muss größer als 0 sein."))
    if amount > MAX_AMOUNT:
        raise InvalidExpense("amount", _("Der Betrag ist zu groß."))
    return cents(amount)


def check_quantity(quantity) -> int:
    """Pieces: a whole number from 1 (``True`` is no number of headsets)."""
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise InvalidExpense("quantity", _("Die Menge muss eine ganze Zahl ab 1 sein."))
    return quantity


def check_date(field_name: str, value) -> datetime.date:
    """A calendar day, not in the future: a booked line can never be removed, so a typo like
    2204 would stay on the books."""
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise InvalidExpense(field_name, _("Bitte ein gültiges Datum angeben."))
    if value > timezone.localdate():
        raise InvalidExpense(field_name, _("Das Datum liegt in der Zukunft."))
    return value


def check_text(field_name: str, value: str, max_length: int, label: str) -> str:
    """``value`` stripped, if it is not empty, has no forbidden characters and fits; else refuse
    with a message that names the field by its ``label``."""
    value = (value or "").strip()
    if not value:
        raise InvalidExpense(field_name, _("%(label)s fehlt.") % {"label": label})
    if has_forbidden_characters(value):
        raise InvalidExpense(
            field_name, _("%(label)s enthält unzulässige Steuerzeichen.") % {"label": label}
        )
    if len(value) > max_length:
        raise InvalidExpense(
            field_name,
            _("%(label)s ist zu lang (höchstens %(max)s Zeichen).")
            % {"label": label, "max": max_length},
        )
    return value
