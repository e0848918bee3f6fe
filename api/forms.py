from django import forms
from django.conf import settings

TOKEN_LIFETIMES = [(30, "30 days"), (90, "90 days"), (180, "180 days"), (365, "1 year")]


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        label="What is the token for?",
        help_text="e.g. “state data warehouse”. You will see the key once.",
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    expires_in_days = forms.TypedChoiceField(
        label="Expires after",
        choices=TOKEN_LIFETIMES,
        coerce=int,
        initial=90,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def clean_expires_in_days(self):
        days = self.cleaned_data["expires_in_days"]
        if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
            raise forms.ValidationError("Choose one of the lifetimes offered.")
        return days
