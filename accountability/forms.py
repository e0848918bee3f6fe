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
        widget=forms.RadioSelect,
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
        widget=forms.RadioSelect,
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
                    label=item.text, choices=SCALE, coerce=int, widget=forms.RadioSelect
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
