from django import template

from budget.money import format_eur

register = template.Library()


@register.filter
def eur(value):
    """Render an amount in the active locale: `1.234,56 €`."""
    if value is None or value == "":
        return "–"
    return format_eur(value)
