"""Forms: parse what people type (German amounts and dates), nothing else. Booking rules live in
``budget.services``; the views turn their refusals into errors on these forms."""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import receipts
from .models import Category, Expense, Reversal
from .one_time_keys import OneTimeKeyField, OneTimeKeyMixin
from .services import CONTROL_CHARACTERS, MAX_AMOUNT

_GROUPED_DOTS = re.compile(r"^[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?$")  # 1.234 / 1.234,56
_COMMA_DECIMAL = re.compile(r"^\d+(?:,\d+)?$")  # 1234 / 12,50
_GROUPED_COMMAS = re.compile(r"^[1-9]\d{0,2}(?:,\d{3})+\.\d+$")  # 1,234.56
_GROUPED_COMMAS_ONLY = re.compile(r"^[1-9]\d{0,2}(?:,\d{3})+$")  # 1,500 (English only)
_DOT_DECIMAL = re.compile(r"^\d+\.\d+$")  # 12.50


def parse_amount(raw: str) -> Decimal:
    """Read an amount the way a German user writes it; raise ValidationError otherwise.

    ``1.234,56`` → 1234.56, ``1.500`` → 1500, ``12,50`` and ``12.50`` → 12.50. A dot followed by
    exactly three digits is a thousands separator, as on every German receipt. With the English
    interface active the separators swap roles: ``1,500`` is 1500 and ``12.500`` is refused
    (three decimals) instead of silently becoming 12,500.
    """
    text = (raw or "").replace("\u00a0", "").replace(" ", "").strip()
    text = re.sub(r"(?i)(€|eur)$", "", text)
    if not text:
        raise ValidationError(_("Bitte einen Betrag angeben."), code="required")
    if len(text) > 24:
        raise ValidationError(_("Der Betrag ist zu groß."), code="max_value")
    negative = text.startswith("-")
    text = text.lstrip("+-")
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
        raise ValidationError(
            _("Bitte einen Betrag in Euro eingeben, z. B. 1.234,56 oder 12,50."), code="invalid"
        )
    try:
        value = Decimal(normal)
    except InvalidOperation:  # pragma: no cover - the patterns admit only digits
        raise ValidationError(_("Bitte einen gültigen Betrag eingeben."), code="invalid") from None
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


class GermanDecimalField(forms.Field):
    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def __init__(self, *, max_digits=None, decimal_places=None, **kwargs):
        # Accepts DecimalField's arguments so the admin can use it for every money field;
        # parse_amount already enforces two places and the column's size.
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        return parse_amount(str(value))

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return formats.number_format(value, 2, use_l10n=True)
        return value


DATE_INPUT_FORMATS = ["%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y"]


class ReceiptField(forms.FileField):
    widget = forms.ClearableFileInput

    def validate(self, value):
        super().validate(value)
        if value:
            try:
                receipts.inspect(value)
            except receipts.InvalidReceipt as exc:
                raise ValidationError(exc.message, code="invalid_receipt") from exc


def no_control_characters(value: str) -> None:
    if CONTROL_CHARACTERS.search(value or ""):
        raise ValidationError(_("Steuerzeichen sind hier nicht erlaubt."), code="control")


class CategorySelect(forms.Select):
    """Each option carries what the booking page needs to show the quantity field and the
    live preview for that category (the server still decides)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        category = getattr(value, "instance", None)
        if category is not None:
            attrs = option["attrs"]
            if category.quantity_cap:
                attrs["data-quantity-left"] = str(category.remaining_quantity)
                attrs["data-quantity-cap"] = str(category.quantity_cap)
                attrs["data-unit"] = category.quantity_unit
            if category.planned is not None and category.over_plan == Category.OverPlan.STOP:
                attrs["data-plan-left"] = f"{category.remaining_plan:.2f}"
        return option


class ExpenseForm(OneTimeKeyMixin, forms.Form):
    one_time_key = OneTimeKeyField()
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(),
        label=_("Kategorie"),
        empty_label=_("– bitte wählen –"),
        widget=CategorySelect,
    )
    spent_on = forms.DateField(
        label=_("Datum"),
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Bitte ein gültiges Datum eingeben, z. B. 24.11.2023.")},
    )
    payee = forms.CharField(
        validators=[no_control_characters],
        label=_("Empfänger"),
        max_length=Expense._meta.get_field("payee").max_length,
        # Suggestions come from this budget's earlier payees (a datalist), not the browser.
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "payee-suggestions"}),
    )
    description = forms.CharField(
        validators=[no_control_characters],
        label=_("Beschreibung"),
        max_length=Expense._meta.get_field("description").max_length,
    )
    amount = GermanDecimalField(
        label=_("Betrag (brutto, €)"), help_text=_("z. B. 1.234,56 oder 12,50")
    )
    quantity = forms.IntegerField(
        label=_("Menge"),
        initial=1,
        min_value=1,
        max_value=100000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1", "min": "1"}),
        error_messages={"invalid": _("Bitte eine ganze Zahl ab 1 eingeben.")},
    )
    receipt = ReceiptField(
        label=_("Beleg (PDF, JPEG, PNG, HEIC; höchstens 10 MB)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": receipts.ACCEPT + ",image/*"}),
    )
    # The token of a receipt kept from a refused attempt (budget.uploads); only its owner's counts.
    pending_receipt = forms.CharField(required=False, widget=forms.HiddenInput, max_length=36)

    def __init__(self, *args, budget, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.budget = budget
        self.fields["category"].queryset = budget.categories.all()
        # A hint for the date picker only; the booking service decides.
        today = today or timezone.localdate()
        latest = min(today, budget.ends_on) if budget.ends_on else today
        self.fields["spent_on"].widget.attrs.update(
            {"min": budget.starts_on.isoformat(), "max": max(latest, budget.starts_on).isoformat()}
        )

    def clean(self):
        data = super().clean()
        category = data.get("category")
        # "Menge" is shown only for categories with a quantity cap; every other line is one piece,
        # whatever a field hidden after switching the category still holds.
        if category is not None and not category.quantity_cap and "quantity" in data:
            data["quantity"] = 1
        return data

    def selected_category(self, categories):
        """The category among ``categories`` the form shows as chosen, or None."""
        value = self["category"].value()
        for category in categories:
            if str(category.pk) == str(value):
                return category
        return None


class ReversalForm(OneTimeKeyMixin, forms.Form):
    one_time_key = OneTimeKeyField()
    reason = forms.CharField(
        validators=[no_control_characters],
        label=_("Grund der Stornierung"),
        max_length=Reversal._meta.get_field("reason").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Bitte einen Grund angeben."))
        return reason


class ExpenseFilterForm(forms.Form):
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(),
        required=False,
        label=_("Kategorie"),
        empty_label=_("alle"),
    )
    date_from = forms.DateField(
        label=_("von"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("bis"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    q = forms.CharField(
        label=_("Suche"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Empfänger, Text, Beleg-Nr.")}),
    )

    def __init__(self, *args, budget, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = budget.categories.all()
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-select" if name == "category" else "form-control"

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["category"]:
            queryset = queryset.filter(category=data["category"])
        if data["date_from"]:
            queryset = queryset.filter(spent_on__gte=data["date_from"])
        if data["date_to"]:
            queryset = queryset.filter(spent_on__lte=data["date_to"])
        q = data["q"].strip()
        if q:
            match = Q(payee__icontains=q) | Q(description__icontains=q)
            if q.isascii() and q.isdigit() and len(q) <= 9:
                match |= Q(receipt_number=int(q))
            queryset = queryset.filter(match)
        return queryset
