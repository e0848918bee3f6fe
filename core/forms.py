"""A service's refusal shown on the form that asked for it.

Views validate a form, call one service and redirect; a service that refuses raises
ValidationError, with field keys where a field is to blame. Every form page shows it the same
way: each message next to the field it names, the rest at the top of the form.

    if form.is_valid():
        with service_errors(form):
            activity = activity_log(author=request.user, **form.service_fields())
            return redirect(activity)
    return render(request, template, {"form": form}, status=400)
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django import forms
from django.core.exceptions import ValidationError


def form_add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put `error` on `form`: messages next to the fields they name; messages for fields the form
    lacks, and messages naming no field, at the top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


@contextmanager
def service_errors(form: forms.BaseForm) -> Iterator[None]:
    """Run the block (a service call and its redirect); a ValidationError it raises goes onto
    `form` (then invalid) and the view goes on to show the form again."""
    try:
        yield
    except ValidationError as error:
        form_add_service_errors(form, error)


def share_choices(*fields: forms.ModelChoiceField) -> None:
    """Render model choice fields that offer the same records from one query.

    Each field still validates against its own queryset; only the options shown are read once
    (a project's lead center and partner centers, its center lead and center staff).
    """
    records = list(fields[0].queryset)
    for field in fields:
        choices = [(record.pk, field.label_from_instance(record)) for record in records]
        if not isinstance(field, forms.ModelMultipleChoiceField) and field.empty_label is not None:
            choices.insert(0, ("", field.empty_label))
        field.choices = choices
