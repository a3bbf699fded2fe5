import datetime
from decimal import Decimal

from budget.services.claims import submit_claim
from tests.helpers import image_upload

IBAN = "DE89370400440532013000"
IBAN_2 = "DE02120300000000202051"


def claim(budget, category, user, amount="20.00", **kwargs):
    """Submit an expense claim through the one claims service with sensible defaults."""
    defaults = {
        "budget": budget,
        "category": category,
        "submitted_by": user,
        "spent_on": datetime.date(2024, 1, 15),
        "payee": "Bäckerei Roth",
        "description": "Brötchen für den Telefonabend",
        "amount": None if amount is None else Decimal(amount),
        "receipt": image_upload(),
        "iban": IBAN,
        "account_holder": "Rosa Beispiel",
    }
    defaults.update(kwargs)
    return submit_claim(**defaults)
