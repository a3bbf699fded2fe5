"""Forms for claims, orders and payouts: parse what people type, nothing else. The rules live in
``budget.services.claims``, ``budget.services.orders`` and ``budget.services.payouts``."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from budget.forms.expenses import (
    DATE_INPUT_FORMATS,
    CategorySelect,
    ExpenseForm,
    GermanDecimalField,
    date_field,
    limit_to_budget_dates,
    pending_receipt_field,
    quantity_field,
    receipt_field,
)
from budget.forms.one_time_keys import OneTimeKeyField, OneTimeKeyMixin
from budget.models import Category, Claim, Order
from budget.validators import no_control_characters

_KM = re.compile(r"^\d{1,5}(?:[.,]\d)?$")


class KmField(forms.CharField):
    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value):
        text = (value or "").replace("km", "").strip()
        if not text:
            return None
        if not _KM.match(text):
            raise ValidationError(
                _("Bitte die Kilometer als Zahl angeben, z. B. 84 oder 84,5."), code="invalid"
            )
        km = Decimal(text.replace(",", "."))
        if km <= 0:
            raise ValidationError(_("Die Kilometer müssen größer als 0 sein."), code="min_value")
        return km


def _text(label, max_length, required=True, **attrs):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        validators=[no_control_characters],
        widget=forms.TextInput(attrs=attrs) if attrs else None,
    )


class ClaimForm(OneTimeKeyMixin, forms.Form):
    one_time_key = OneTimeKeyField()
    kind = forms.ChoiceField(
        label=_("Art"),
        choices=Claim.Kind.choices,
        initial=Claim.Kind.EXPENSE,
        widget=forms.RadioSelect,
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(),
        label=_("Kategorie"),
        empty_label=_("– bitte wählen –"),
        widget=forms.Select,  # no cap figures for helpers
    )
    spent_on = date_field()
    payee = _text(_("Empfänger (Geschäft)"), 200, required=False)
    description = _text(_("Beschreibung"), 500, required=False)
    amount = GermanDecimalField(
        label=_("Betrag (brutto, €)"), required=False, help_text=_("z. B. 1.234,56 oder 12,50")
    )
    quantity = quantity_field(required=False)
    receipt = receipt_field()
    pending_receipt = pending_receipt_field()
    travel_from = _text(_("von"), 200, required=False)
    travel_to = _text(_("nach"), 200, required=False)
    purpose = _text(_("Zweck der Fahrt"), 300, required=False)
    km = KmField(label=_("gefahrene Kilometer"), required=False)
    vehicle = forms.ChoiceField(
        label=_("Fahrzeug"),
        choices=Claim.Vehicle.choices,
        initial=Claim.Vehicle.CAR,
        required=False,
    )
    iban = _text(_("IBAN"), 42, autocomplete="off", spellcheck="false")
    account_holder = _text(_("Kontoinhaber*in"), 70, autocomplete="name")

    def __init__(self, *args, budget, **kwargs):
        super().__init__(*args, **kwargs)
        self.budget = budget
        self.fields["category"].queryset = budget.categories.all()
        limit_to_budget_dates(self.fields["spent_on"], budget)

    def clean(self):
        data = super().clean()
        if data.get("kind") == Claim.Kind.TRAVEL:
            for name in ("travel_from", "travel_to", "purpose", "km"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Bitte angeben."))
        else:
            for name in ("payee", "description", "amount"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Bitte angeben."))
            category = data.get("category")
            # Pieces count only where a category caps them; every other line is one piece.
            if (category is not None and not category.quantity_cap) or not data.get("quantity"):
                data["quantity"] = 1
        return data

    def claim_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {
            "category": data["category"],
            "kind": data["kind"],
            "spent_on": data["spent_on"],
            "iban": data["iban"],
            "account_holder": data["account_holder"],
            "submission_key": self.one_time_key,
        }
        if data["kind"] == Claim.Kind.TRAVEL:
            kwargs.update(
                travel_from=data["travel_from"],
                travel_to=data["travel_to"],
                purpose=data["purpose"],
                km=data["km"],
                vehicle=data["vehicle"] or Claim.Vehicle.CAR,
            )
        else:
            kwargs.update(
                payee=data["payee"],
                description=data["description"],
                amount=data["amount"],
                quantity=data.get("quantity") or 1,
            )
        return kwargs


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Grund"),
        max_length=500,
        validators=[no_control_characters],
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ClaimFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Stand"), required=False, choices=[("", _("alle")), *Claim.State.choices]
    )


class OrderForm(OneTimeKeyMixin, forms.Form):
    one_time_key = OneTimeKeyField()
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(),
        label=_("Kategorie"),
        empty_label=_("– bitte wählen –"),
        widget=CategorySelect,
    )
    supplier = _text(_("Lieferant"), 200)
    description = _text(_("Beschreibung"), 500)
    amount = GermanDecimalField(label=_("erwarteter Betrag (brutto, €)"))
    quantity = quantity_field()

    def __init__(self, *args, budget, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = budget.categories.all()


class OrderBookForm(ExpenseForm):
    """The booking fields; the category is the order's."""

    def __init__(self, *args, order: Order, **kwargs):
        super().__init__(*args, budget=order.budget, **kwargs)
        del self.fields["category"]
        self.order = order

    def clean(self):
        data = super().clean()
        if self.order.category.quantity_cap is None:
            data["quantity"] = 1
        return data


class PayoutAccountForm(forms.Form):
    account_holder = _text(_("Kontoinhaber*in"), 70)
    iban = _text(_("IBAN"), 42, autocomplete="off", spellcheck="false")
    bic = _text(_("BIC (leer lassen: aus der IBAN)"), 11, required=False, autocomplete="off")


class PaidForm(forms.Form):
    paid_on = forms.DateField(
        label=_("bezahlt am"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
