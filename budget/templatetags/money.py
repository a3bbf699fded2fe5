from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format

from budget.money import format_eur

register = template.Library()


@register.filter
def eur(value):
    """Render an amount in the active locale: `1.234,56 €`."""
    if value is None or value == "":
        return "–"
    return format_eur(value)


@register.filter
def eur_whole(value):
    """Whole euros for an axis label: `1.250 €`."""
    whole = Decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return f"{number_format(whole, 0, use_l10n=True, force_grouping=True)}\u00a0€"


@register.filter
def percent(value):
    """A share in the active locale with one decimal: `45,3 %`."""
    if value is None or value == "":
        return "–"
    return f"{number_format(Decimal(value), 1, use_l10n=True)}\u00a0%"


@register.filter
def bar(value):
    """A share in percent as a whole number 0–100, for a bar's ``pct-N`` width class."""
    try:
        return int(min(max(Decimal(value), Decimal(0)), Decimal(100)))
    except (ArithmeticError, TypeError, ValueError):
        return 0


@register.filter
def progress_level(budget):
    """``ok``, ``warning`` or ``danger`` for a budget's bar (see ``reports.dashboard``)."""
    from budget.reports.charts import progress_level as level

    return level(budget.spent, budget.cap)
