"""The condition self-assessment form: every condition rated, with evidence, on one date."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from projects.models import ConditionAssessment, Stage

from .activities import DateInput


class AssessmentForm(forms.Form):
    """`assessed_on` plus `stage_<n>` and `evidence_<n>` for each condition number n."""

    assessed_on = forms.DateField(
        label="Date of the assessment", widget=DateInput(), help_text="Today by default; not in the future."
    )

    def __init__(self, *args, conditions, latest=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.conditions = list(conditions)
        latest = latest or {}
        self.fields["assessed_on"].initial = timezone.localdate
        for condition in self.conditions:
            n = condition.number
            self.fields[f"stage_{n}"] = forms.TypedChoiceField(
                label="Stage",
                choices=[(value, f"{value} · {label}") for value, label in Stage.choices],
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                initial=latest.get(n),
                error_messages={"required": f"Choose a stage for {condition.name.lower()}."},
            )
            self.fields[f"evidence_{n}"] = forms.CharField(
                label="Evidence",
                max_length=ConditionAssessment._meta.get_field("evidence").max_length,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
                error_messages={"required": f"Give the evidence for {condition.name.lower()}."},
            )

    def clean_assessed_on(self):
        assessed_on = self.cleaned_data["assessed_on"]
        if assessed_on > timezone.localdate():
            raise ValidationError("An assessment cannot be dated in the future.")
        return assessed_on

    def sections(self):
        """(condition, stage field, evidence field) for each condition, for the template."""
        return [(c, self[f"stage_{c.number}"], self[f"evidence_{c.number}"]) for c in self.conditions]

    def ratings(self) -> dict[int, tuple[int, str]]:
        data = self.cleaned_data
        return {c.number: (data[f"stage_{c.number}"], data[f"evidence_{c.number}"]) for c in self.conditions}
