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


class OTPTokenForm(forms.Form):
    token = forms.CharField(
        label="Six-digit code from your authenticator app",
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}"}
        ),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError("Enter the six digits your app shows.")
        return token
