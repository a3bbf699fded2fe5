"""Widths and offsets in whole percent as CSS classes (static/budget/percent.css), because the
Content-Security-Policy allows no inline ``style=`` attributes."""

import math
from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def pct_class(value, prefix: str) -> str:
    """``79.99|pct_class:"w"`` → ``pct-w-79``: rounded down, so a bar is full only at 100 %, and
    held between 0 and 100."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        number = Decimal(0)
    if not number.is_finite():
        number = Decimal(0)
    return f"pct-{prefix}-{min(max(math.floor(number), 0), 100)}"
