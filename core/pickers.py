"""Type-ahead pickers: a <select> that renders only its chosen options.

The browser turns it into a Tom Select combobox (static/js/pickers.js, the Tom Select build that
the django-tomselect package ships) that asks `data-picker-url` for matches as the user types;
the server answers with the records the user may see (projects.views.pickers). A page therefore
never carries thousands of options, and the field still validates on the server: a value the
user may not see is a field error, never a lookup of someone else's record.

Without JavaScript a picker given `search` lookups renders a "Find" box under its <select>: the
button posts the form with `_search=<field>`, and a form built with `PickerFormMixin` comes back
with every value kept, no errors, nothing saved, and the matches of the box (within the field's
queryset, so within the user's scope) as options to choose beside the chosen ones.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.forms.utils import ErrorDict
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

# A primary key the database can hold; anything else is not looked up at all.
_MAX_ID = 2**63 - 1
# The no-script matches listed under a picker after "Find".
FALLBACK_LIMIT = 25
SEARCH_PARAM = "_search"


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
        search: tuple[str, ...] = (),
        search_label: str = "Find",
        attrs=None,
        **kwargs,
    ):
        self.url_name = url_name
        self.placeholder = placeholder
        self.scope = dict(scope or {})
        # Lookups a word of the no-script "Find" box must match (any of them), e.g. name__icontains.
        self.search = tuple(search)
        self.search_label = search_label
        self.search_text = ""  # set by PickerFormMixin from the submitted form
        super().__init__(attrs=attrs, **kwargs)

    def __deepcopy__(self, memo):
        # Each form narrows its own copy of the widget (Django copies widgets per form).
        obj = super().__deepcopy__(memo)
        obj.scope = dict(self.scope)
        obj.search_text = ""
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
            return options + self._matches(choices, exclude=ids)
        # Plain choices are already the few the form offers (the chosen one, no-script matches).
        return [("" if v is None else str(v), label) for v, label in choices]

    def _matches(self, choices: ModelChoiceIterator, *, exclude: list[int]) -> list[tuple[str, str]]:
        """The no-script matches of the "Find" box, within the field's own queryset."""
        words = self.search_text[:100].split()[:4]
        if not (self.search and words):
            return []
        queryset = choices.queryset.exclude(pk__in=exclude)
        for word in words:
            condition = Q()
            for lookup in self.search:
                condition |= Q(**{lookup: word})
            queryset = queryset.filter(condition)
        return [(str(obj.pk), choices.field.label_from_instance(obj)) for obj in queryset[:FALLBACK_LIMIT]]

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        if not self.search:
            return html
        # static/js/pickers.js hides the box: the type-ahead does its work.
        search_id = f"{(attrs or {}).get('id') or 'id_' + name}_search"
        return html + format_html(
            '<div class="input-group mt-2" data-picker-fallback="{name}">'
            '<label class="input-group-text" for="{id}">{label}</label>'
            '<input type="search" name="{name}_search" id="{id}" value="{text}" class="form-control" '
            'autocomplete="off" maxlength="100">'
            '<button type="submit" name="{param}" value="{name}" formnovalidate '
            'class="btn btn-outline-secondary">Find</button></div>',
            name=name,
            id=search_id,
            label=self.search_label,
            text=self.search_text,
            param=SEARCH_PARAM,
        )

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


class PickerFormMixin:
    """A form whose pickers have a no-script "Find" box (widgets given `search` lookups).

    "Find" is not a submission: the form keeps what was entered, shows no errors, is not valid
    (so the view saves nothing and renders it again) and lists the matches under the picker.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        searchable = []
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, PickerMixin) and widget.search:
                searchable.append(self.add_prefix(name))
                if self.is_bound:
                    text = self.data.get(f"{self.add_prefix(name)}_search", "")
                    widget.search_text = str(text)[:100]
        requested = self.data.get(SEARCH_PARAM) if self.is_bound else None
        self.picker_search_requested = requested in searchable

    def full_clean(self):
        if self.picker_search_requested:
            self._errors = ErrorDict()
            self.cleaned_data = {}
            return
        super().full_clean()

    def is_valid(self):
        return not self.picker_search_requested and super().is_valid()
