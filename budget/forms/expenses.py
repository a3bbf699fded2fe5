"""Forms: parse what people type (German amounts and dates), nothing else. Booking rules live in
``budget.services.booking``; the views turn their refusals into errors on these forms."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from budget import receipts
from budget.forms.one_time_keys import OneTimeKeyField, OneTimeKeyMixin
from budget.models import Category, Expense, Reversal
from budget.validators import no_control_characters, parse_amount


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
    # The browser sends the name as typed; Django cuts it at 255 characters. A name that long
    # is refused here, in German, before anything is stored.
    MAX_NAME_LENGTH = 200

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", self.MAX_NAME_LENGTH)
        super().__init__(**kwargs)
        self.error_messages["max_length"] = _(
            "Der Dateiname ist zu lang (höchstens %(max)d Zeichen). Bitte die Datei kürzer "
            "benennen und noch einmal wählen."
        )

    def validate(self, value):
        super().validate(value)
        if value:
            try:
                receipts.inspect(value)
            except receipts.InvalidReceipt as exc:
                raise ValidationError(exc.message, code="invalid_receipt") from exc


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
            if category.planned is not None:
                # The figure check_room uses: reserved money (open claims, orders) counts.
                attrs["data-plan-left"] = f"{category.available_plan:.2f}"
                attrs["data-plan-action"] = category.over_plan
        return option


def date_field() -> forms.DateField:
    """The day money was spent: the phone's date picker, or typed the German way."""
    return forms.DateField(
        label=_("Datum"),
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Bitte ein gültiges Datum eingeben, z. B. 24.11.2023.")},
    )


def limit_to_budget_dates(field: forms.DateField, budget, today=None) -> None:
    """Offer only the budget's period up to today in the date picker. A hint only: the service
    decides (``validators.check_date``, ``Budget.covers``)."""
    today = today or timezone.localdate()
    latest = min(today, budget.ends_on) if budget.ends_on else today
    field.widget.attrs.update(
        {"min": budget.starts_on.isoformat(), "max": max(latest, budget.starts_on).isoformat()}
    )


def quantity_field(**kwargs) -> forms.IntegerField:
    """Pieces (headsets): a whole number from 1, typed on a phone's number pad."""
    return forms.IntegerField(
        label=_("Menge"),
        initial=1,
        min_value=1,
        max_value=100000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1", "min": "1"}),
        error_messages={"invalid": _("Bitte eine ganze Zahl ab 1 eingeben.")},
        **kwargs,
    )


def receipt_field() -> ReceiptField:
    """The receipt: a photo from the camera or a file (templates/budget/_receipt_picker.html)."""
    return ReceiptField(
        label=_("Beleg (PDF, JPEG, PNG, HEIC; höchstens 10 MB)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": receipts.ACCEPT + ",image/*"}),
    )


def pending_receipt_field() -> forms.CharField:
    """The token of a receipt kept from a refused send (budget.uploads); only its owner's counts."""
    return forms.CharField(required=False, widget=forms.HiddenInput, max_length=36)


# What ``record_expense`` takes from a booking form, beside budget, receipt, user and key.
BOOKING_FIELDS = ("category", "spent_on", "payee", "description", "amount", "quantity")


def booking_kwargs(cleaned_data: dict) -> dict:
    """The booking service's arguments from a cleaned form (the booking page, an order's invoice,
    the admin), so that all of them call it the same way."""
    return {name: cleaned_data[name] for name in BOOKING_FIELDS if name in cleaned_data}


class ExpenseForm(OneTimeKeyMixin, forms.Form):
    one_time_key = OneTimeKeyField()
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(),
        label=_("Kategorie"),
        empty_label=_("– bitte wählen –"),
        widget=CategorySelect,
    )
    spent_on = date_field()
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
    quantity = quantity_field()
    receipt = receipt_field()
    pending_receipt = pending_receipt_field()

    def __init__(self, *args, budget, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.budget = budget
        self.fields["category"].queryset = budget.categories.all()
        limit_to_budget_dates(self.fields["spent_on"], budget, today)

    def clean(self):
        data = super().clean()
        category = data.get("category")
        # "Menge" is shown only for categories with a quantity cap; every other line is one piece,
        # whatever a field hidden after switching the category still holds.
        if category is not None and not category.quantity_cap and "quantity" in data:
            data["quantity"] = 1
        return data

    def booking_kwargs(self) -> dict:
        return booking_kwargs(self.cleaned_data)

    def selected_category(self, categories):
        """The category among ``categories`` the form shows as chosen, or None."""
        value = self["category"].value()
        for category in categories:
            if str(category.pk) == str(value):
                return category
        return None


class LateReceiptForm(forms.Form):
    receipt = ReceiptField(
        label=_("Beleg (PDF, JPEG, PNG; höchstens 10 MB)"),
        widget=forms.FileInput(attrs={"accept": receipts.ACCEPT + ",image/*"}),
        error_messages={"required": _("Bitte eine Belegdatei auswählen.")},
    )


class ReversalForm(OneTimeKeyMixin, forms.Form):
    one_time_key = OneTimeKeyField()
    reason = forms.CharField(
        validators=[no_control_characters],
        label=_("Grund der Stornierung"),
        max_length=Reversal._meta.get_field("reason").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Bitte einen Grund angeben."),
            "max_length": _("Der Grund darf höchstens %(limit_value)d Zeichen lang sein."),
        },
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

    @property
    def is_active(self) -> bool:
        return any(self.data.get(name) for name in self.fields)

    def narrows(self) -> bool:
        """Whether ``filter`` leaves out anything (an invalid form filters nothing)."""
        if not self.is_valid():
            return False
        data = self.cleaned_data
        return bool(data["category"] or data["date_from"] or data["date_to"] or data["q"].strip())

    def only_category(self):
        """The chosen category when it is the only filter, else None."""
        if not self.narrows():
            return None
        data = self.cleaned_data
        if data["date_from"] or data["date_to"] or data["q"].strip():
            return None
        return data["category"]

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        # A date typed the German way (20.01.2024) comes back in the date box's own format, so
        # the box still shows it after filtering.
        self.data = self.data.copy()
        for name in ("date_from", "date_to"):
            if data[name]:
                self.data[name] = data[name].isoformat()
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


class CloseBudgetForm(forms.Form):
    note = forms.CharField(
        label=_("Abschlussvermerk"),
        help_text=_("z. B. „Verwendungsnachweis vom 15.03.2024 dem Landesvorstand vorgelegt“"),
        max_length=2000,
        validators=[no_control_characters],
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReopenBudgetForm(forms.Form):
    reason = forms.CharField(
        label=_("Grund der Wiedereröffnung"),
        max_length=2000,
        validators=[no_control_characters],
        widget=forms.Textarea(attrs={"rows": 3}),
    )
