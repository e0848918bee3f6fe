from django import forms

from .models import Decision, Dimension


class AttestationForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your answer",
        choices=[
            (Decision.CONFIRMED, "Confirm: this took place as recorded"),
            (Decision.COMMENTED, "Comment: add a remark without confirming"),
            (Decision.DISPUTED, "Dispute: this is not right"),
        ],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    comment = forms.CharField(
        label="Comment or reason",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required to comment or dispute.",
    )


class StatementForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your answer",
        choices=[(Decision.CONFIRMED, "Confirm the statement"), (Decision.DISPUTED, "Dispute it")],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    comment = forms.CharField(
        label="Reason", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


SCALE = [(n, str(n)) for n in range(1, 6)]


class SurveyForm(forms.Form):
    """One 1-5 question per active item of the bank, grouped by dimension, and a comment."""

    def __init__(self, *args, items: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = []
        for dimension, label in Dimension.choices:
            names = []
            for item in items.get(dimension, []):
                name = f"item_{item.pk}"
                self.fields[name] = forms.TypedChoiceField(
                    label=item.text,
                    choices=SCALE,
                    coerce=int,
                    widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                )
                names.append(name)
            if names:
                self.groups.append((label, [self[name] for name in names]))
        self.fields["comment"] = forms.CharField(
            label="Anything else you want to tell us?",
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 3}),
        )

    def scores(self) -> dict[int, int]:
        return {
            int(name.removeprefix("item_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("item_")
        }


class ReportPeriodForm(forms.Form):
    """The reporting period: a federal fiscal year, or any date range."""

    fy = forms.IntegerField(label="Fiscal year", required=False, min_value=2000, max_value=2100)
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    MAX_DAYS = 366 * 5

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if bool(start) != bool(end):
            raise forms.ValidationError("Give both ends of the date range, or a fiscal year.")
        if start and end:
            if end < start:
                self.add_error("date_to", "The end of the period is before its start.")
            elif (end - start).days > self.MAX_DAYS:
                self.add_error("date_to", "A report covers at most five years.")
        return cleaned

    def period(self):
        """The valid form's period: its date range, else its fiscal year, else the last one."""
        from .report import Period

        data = self.cleaned_data
        if data.get("date_from") and data.get("date_to"):
            return Period(data["date_from"], data["date_to"])
        if data.get("fy"):
            return Period.fiscal_year(data["fy"])
        return Period.last_fiscal_year()


class ExplanationForm(forms.Form):
    measure = forms.IntegerField(widget=forms.HiddenInput)
    date_from = forms.DateField(widget=forms.HiddenInput)
    date_to = forms.DateField(widget=forms.HiddenInput)
    text = forms.CharField(
        label="Explanation of progress", max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SurveyResultsForm(ReportPeriodForm):
    """The survey results' grouping and period (a fiscal year or a date range)."""

    group = forms.ChoiceField(label="Group by", required=False)

    def __init__(self, *args, **kwargs):
        from .survey_results import GROUPS

        super().__init__(*args, **kwargs)
        self.fields["group"].choices = list(GROUPS.items())


class RecordsFilterForm(forms.Form):
    KINDS = [
        ("products", "Products delivered"),
        ("responses", "Survey responses"),
        ("invitations", "Survey invitations"),
        ("attestations", "Attestations"),
    ]

    kind = forms.ChoiceField(choices=KINDS)
    state = forms.IntegerField(required=False, min_value=1)
    project = forms.IntegerField(required=False, min_value=1)
    type = forms.ChoiceField(required=False, choices=[("", "Any")])
    status = forms.ChoiceField(required=False, choices=[("", "Any"), *Decision.choices])
    about = forms.ChoiceField(
        required=False, choices=[("", "Any"), ("services", "Services"), ("products", "Products")]
    )
    product = forms.IntegerField(required=False, min_value=1)
    highly = forms.ChoiceField(required=False, choices=[("", "Any"), *Dimension.choices])
    # Survey responses are dated by their answer unless `sent`: by their invitation's sending.
    dates = forms.ChoiceField(required=False, choices=[("", "Of the record"), ("sent", "Of the invitation")])
    date_from = forms.DateField(required=False)
    date_to = forms.DateField(required=False)

    def __init__(self, *args, **kwargs):
        from projects.models import Activity

        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", "Any"), *Activity.Type.choices]
