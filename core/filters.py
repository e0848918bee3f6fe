"""Filter pieces shared by the portal's lists and the API: a bad value is an error, never ignored."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError

TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off"})


class StrictNullBooleanField(forms.NullBooleanField):
    """Yes, no or not given. `true`/`false` (also 1/0, yes/no, on/off, any case); anything else
    is an error on the field rather than a filter silently left out."""

    widget = forms.TextInput

    def to_python(self, value):
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValidationError(
            "“%(value)s” is neither true nor false.", code="invalid", params={"value": str(value)[:50]}
        )

    def validate(self, value):
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictNullBooleanField
