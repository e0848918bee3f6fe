from django import forms
from django.utils import timezone

from projects.models import IndicatorValue


class IndicatorValueForm(forms.ModelForm):
    """The value of an indicator on a date; the service checks the rest (future date, duplicates)."""

    class Meta:
        model = IndicatorValue
        fields = ["measured_on", "value", "note"]
        labels = {"measured_on": "Date measured", "value": "Value", "note": "Note"}
        help_texts = {"note": "Optional: where the number comes from, or what changed."}
        widgets = {
            "measured_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "value": forms.NumberInput(attrs={"step": "0.01"}),
        }

    def __init__(self, *args, indicator=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        if not self.is_bound:
            self.initial.setdefault("measured_on", timezone.localdate())
        self.fields["measured_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        if indicator is not None:
            self.fields["value"].help_text = f"In {indicator.unit}."

    def _post_clean(self):
        # The service validates the record (and its uniqueness) and reports errors by field.
        pass
