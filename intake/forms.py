from django import forms

from core.pickers import PickerFormMixin
from meetings.models import Meeting
from projects.forms.activities import DateInput
from projects.forms.projects import ProjectForm, scope_districts, state_districts_picker
from projects.models import Topic
from stakeholders.models import SEA, Office, PartnerCenter

from .models import TARequest


class TARequestForm(PickerFormMixin, forms.ModelForm):
    """SEA staff submit for their state (fixed); facilitators choose the state and may name the
    meeting where the request was raised. The state is chosen first so that its offices and
    districts fill the choices."""

    class Meta:
        model = TARequest
        fields = (
            "title",
            "problem",
            "desired_outcome",
            "urgency",
            "topics",
            "offices",
            "districts",
            "contact_name",
            "contact_email",
            "contact_phone",
            "meeting",
        )
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 5}),
            "desired_outcome": forms.Textarea(attrs={"rows": 3}),
            "topics": forms.CheckboxSelectMultiple,
            "offices": forms.CheckboxSelectMultiple,
            "districts": state_districts_picker(),
        }

    def __init__(self, *args, sea: SEA, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = Topic.objects.filter(is_active=True).order_by("name")
        self.fields["topics"].required = True
        self.fields["offices"].queryset = (
            Office.objects.visible_to(user).filter(sea=sea).select_related("sea").order_by("name")
        )
        scope_districts(self.fields["districts"], sea=sea, user=user)
        if user.sees_whole_portfolio:
            recent = Meeting.objects.visible_to(user).select_related("body").order_by("-starts_at")[:30]
            self.fields["meeting"].queryset = Meeting.objects.filter(pk__in=[m.pk for m in recent]).order_by(
                "-starts_at"
            )
        else:
            del self.fields["meeting"]

    def _post_clean(self):
        # request_submit validates the record; a partial instance would meet a protected status.
        pass


class SeaChoiceForm(forms.Form):
    sea = forms.ModelChoiceField(queryset=SEA.objects.order_by("state_code"), label="State (SEA)")


class RequestMoveForm(forms.Form):
    transition = forms.CharField(max_length=40, widget=forms.HiddenInput)
    expected_status = forms.CharField(max_length=20, widget=forms.HiddenInput)
    note = forms.CharField(
        label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    referred_to = forms.ModelChoiceField(
        queryset=PartnerCenter.objects.order_by("short_name"), required=False, label="Refer to"
    )


class AcceptAsProjectForm(ProjectForm):
    expected_status = forms.CharField(max_length=20, widget=forms.HiddenInput)


__all__ = ["AcceptAsProjectForm", "DateInput", "RequestMoveForm", "SeaChoiceForm", "TARequestForm"]
