"""One-time keys: a form that books something is sent once, however often it arrives.

A phone on a bad line sends a form twice, and a booked line can only be reversed, never removed.
So every form that books (an expense in the app or the admin, a reversal) carries a hidden key
issued when the form is rendered. The booking service stores it with the row under a unique
constraint and, when the same key comes again, books nothing and names the row booked with it.
Loading the form anew issues a new key, so a genuine second receipt of the same amount is
still possible.
"""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

FIELD = "one_time_key"


class OneTimeKeyField(forms.Field):
    """A hidden UUID; a missing or malformed key cleans to ``None`` (the form then asks again)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, uuid.UUID):
            return value
        try:
            return uuid.UUID(str(value or "").strip())
        except ValueError:
            return None


class OneTimeKeyMixin:
    """For a form that declares ``one_time_key = OneTimeKeyField()``: an unbound form gets a new
    key; a form sent without a valid key is refused and comes back with a new one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial[FIELD] = uuid.uuid4()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get(FIELD) is None:
            # An outdated or hand-made form: issue a key now, and ask for one more send.
            self.data = self.data.copy()
            self.data[self.add_prefix(FIELD)] = str(uuid.uuid4())
            raise ValidationError(
                _(
                    "Das Formular war unvollständig; es wurde nichts gebucht. "
                    "Bitte die Angaben prüfen und noch einmal absenden."
                ),
                code="one_time_key",
            )
        return cleaned

    @property
    def one_time_key(self) -> uuid.UUID:
        return self.cleaned_data[FIELD]
