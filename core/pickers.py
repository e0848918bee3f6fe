"""Type-ahead pickers: a <select> that renders only its chosen options.

The browser turns it into a Tom Select combobox (static/js/pickers.js, the Tom Select build that
the django-tomselect package ships) that asks `data-picker-url` for matches as the user types;
the server answers with the records the user may see (projects.views.pickers). A page therefore
never carries thousands of options, and the field still validates on the server: a value the
user may not see is a field error, never a lookup of someone else's record.
"""

from __future__ import annotations

from django import forms
from django.forms.models import ModelChoiceIterator
from django.urls import reverse
from django.utils.http import urlencode

# A primary key the database can hold; anything else is not looked up at all.
_MAX_ID = 2**63 - 1


def valid_ids(values) -> list[int]:
    ids = []
    for value in values or ():
        value = getattr(value, "pk", value)
        try:
            number = int(str(value))
        except (TypeError, ValueError):
            continue
        if 0 < number <= _MAX_ID:
            ids.append(number)
    return ids


class PickerMixin:
    """Render only the chosen options; the rest come from `url_name` as the user types.

    `scope` narrows the matches the same way the form narrows its queryset (for example
    `{"sea": 9}`: districts of that state); the endpoint applies it on top of what the user may
    see, and the form still refuses anything outside its own queryset.
    """

    def __init__(
        self,
        url_name: str,
        *,
        placeholder: str = "Type to search",
        scope: dict | None = None,
        attrs=None,
        **kwargs,
    ):
        self.url_name = url_name
        self.placeholder = placeholder
        self.scope = dict(scope or {})
        super().__init__(attrs=attrs, **kwargs)

    def __deepcopy__(self, memo):
        # Each form narrows its own copy of the widget (Django copies widgets per form).
        obj = super().__deepcopy__(memo)
        obj.scope = dict(self.scope)
        return obj

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        url = reverse(self.url_name)
        if self.scope:
            url = f"{url}?{urlencode(self.scope)}"
        attrs["data-picker-url"] = url
        attrs["data-placeholder"] = self.placeholder
        return attrs

    def chosen_choices(self, value) -> list[tuple[str, str]]:
        chosen = {str(v) for v in value if v not in (None, "")}
        choices = self.choices
        if isinstance(choices, ModelChoiceIterator):
            field = choices.field
            options = []
            if not self.allow_multiple_selected and field.empty_label is not None:
                options.append(("", field.empty_label))
            ids = valid_ids(chosen)
            if ids:
                found = choices.queryset.filter(pk__in=ids)
                options += [(str(obj.pk), field.label_from_instance(obj)) for obj in found]
            return options
        # Plain choices are already the few the form offers (the chosen one, no-script matches).
        return [("" if v is None else str(v), label) for v, label in choices]

    def optgroups(self, name, value, attrs=None):
        chosen = {str(v) for v in value}
        groups = []
        for index, (option_value, label) in enumerate(self.chosen_choices(value)):
            selected = option_value in chosen and option_value != ""
            option = self.create_option(name, option_value, label, selected, index, attrs=attrs)
            groups.append((None, [option], index))
        return groups


class PickerSelect(PickerMixin, forms.Select):
    pass


class PickerSelectMultiple(PickerMixin, forms.SelectMultiple):
    pass
