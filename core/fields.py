"""Model fields shared by the portal's apps."""

from __future__ import annotations

from django.core import validators
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual


class BoundedTextField(models.TextField):
    """Free text with a maximum length held by forms (`maxlength` and an error), model validation
    (services call full_clean) and the API's serializers, so that no path stores a text the pages
    cannot show. Where the database must hold it too, add `text_length_check` to the model."""

    def __init__(self, *args, max_length: int | None = None, **kwargs):
        if max_length is None:
            raise TypeError("BoundedTextField needs a max_length.")
        super().__init__(*args, max_length=max_length, **kwargs)
        self.validators.append(validators.MaxLengthValidator(self.max_length))


def text_length_check(field: str, limit: int, *, name: str) -> models.CheckConstraint:
    """The database's copy of a BoundedTextField's limit (characters, on PostgreSQL and SQLite)."""
    return models.CheckConstraint(condition=LessThanOrEqual(Length(field), limit), name=name)


def existing_rows_within(app_label: str, limits: dict[str, dict[str, int]], *, extra=None):
    """A migration step that stops, naming the rows to shorten, before a limit is added to
    columns whose existing text is longer (the CHECK would refuse the migration less clearly).

    `limits` maps model names to {field: max_length}; `extra(apps)` may return more complaints.
    """
    from django.db import migrations

    def check(apps, _schema_editor):
        complaints = []
        for model_name, fields in limits.items():
            model = apps.get_model(app_label, model_name)
            for name, limit in fields.items():
                ids = list(
                    model._default_manager.annotate(_length=Length(name))
                    .filter(_length__gt=limit)
                    .values_list("pk", flat=True)[:50]
                )
                if ids:
                    complaints.append(f"{model_name}.{name} longer than {limit} characters: ids {ids}")
        if extra is not None:
            complaints += extra(apps)
        if complaints:
            raise RuntimeError("Shorten these texts before migrating:\n" + "\n".join(complaints))

    return migrations.RunPython(check, migrations.RunPython.noop, elidable=True)
