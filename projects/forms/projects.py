"""The project form of facilitators: the record, its team, and the scope change a pivot needs."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from accounts.models import Role
from core.forms import share_choices
from core.pickers import PickerFormMixin, PickerSelectMultiple
from projects.forms.activities import DateInput
from projects.models import Project, Topic
from stakeholders.models import District, Office, PartnerCenter


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class UsersChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


def center_people():
    User = get_user_model()
    return (
        User.objects.filter(is_active=True, groups__name__in=[Role.FACILITATOR, Role.ADMINISTRATOR])
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def sea_people(sea):
    User = get_user_model()
    return User.objects.filter(is_active=True, groups__name=Role.SEA_STAFF, sea=sea).order_by(
        "last_name", "first_name", "username"
    )


def state_districts_picker() -> PickerSelectMultiple:
    """A state may have hundreds of districts: a type-ahead, narrowed to the form's state."""
    return PickerSelectMultiple(
        "projects:pick_district",
        placeholder="Type district names or NCES ids",
        search=("name__icontains", "nces_id__startswith"),
        search_label="Find districts",
    )


def scope_districts(field, *, sea, user) -> None:
    """The districts of `sea` that `user` may see: the choices and the type-ahead's matches."""
    field.queryset = District.objects.visible_to(user).filter(sea=sea).order_by("name")
    field.widget.scope = {"sea": sea.pk}


class ProjectForm(PickerFormMixin, forms.ModelForm):
    """The SEA is chosen before the form (its offices, districts and staff fill the choices) and
    does not change afterwards. A state has a handful of offices (checkboxes) but may have
    hundreds of districts (a type-ahead of that state's districts)."""

    center_lead = UserChoiceField(queryset=None, required=False, label="Center lead")
    center_staff = UsersChoiceField(
        queryset=None, required=False, label="Center staff", widget=forms.CheckboxSelectMultiple
    )
    sea_contacts = UsersChoiceField(
        queryset=None, required=False, label="SEA contacts", widget=forms.CheckboxSelectMultiple
    )
    scope_reason = forms.CharField(
        label="Reason for the scope change",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when you change the problem, districts, centers or end date.",
    )
    scope_details = forms.CharField(
        label="Scope change details",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional: before and after in your words (the changed values are recorded anyway).",
    )

    class Meta:
        model = Project
        fields = (
            "title",
            "problem_statement",
            "offices",
            "districts",
            "lead_center",
            "partner_centers",
            "topics",
            "start_date",
            "end_date",
        )
        widgets = {
            "problem_statement": forms.Textarea(attrs={"rows": 5}),
            "offices": forms.CheckboxSelectMultiple,
            "districts": state_districts_picker(),
            "partner_centers": forms.CheckboxSelectMultiple,
            "topics": forms.CheckboxSelectMultiple,
            "start_date": DateInput(),
            "end_date": DateInput(),
        }

    def __init__(self, *args, sea, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.sea = sea
        self.fields["offices"].queryset = (
            Office.objects.visible_to(user).filter(sea=sea).select_related("sea").order_by("name")
        )
        scope_districts(self.fields["districts"], sea=sea, user=user)
        self.fields["lead_center"].queryset = PartnerCenter.objects.order_by("short_name")
        self.fields["partner_centers"].queryset = PartnerCenter.objects.order_by("short_name")
        topics = Topic.objects.filter(is_active=True)
        if self.instance.pk:
            topics = Topic.objects.filter(pk__in=topics) | self.instance.topics.all()
        self.fields["topics"].queryset = topics.distinct().order_by("name")
        people = center_people()
        self.fields["center_lead"].queryset = people
        self.fields["center_staff"].queryset = people
        share_choices(self.fields["lead_center"], self.fields["partner_centers"])
        share_choices(self.fields["center_lead"], self.fields["center_staff"])
        self.fields["sea_contacts"].queryset = sea_people(sea)
        if self.instance.pk:
            team = list(self.instance.team.all())
            self.initial.setdefault(
                "center_lead", next((m.user_id for m in team if m.role == "center_lead"), None)
            )
            self.initial.setdefault("center_staff", [m.user_id for m in team if m.role == "center_staff"])
            self.initial.setdefault("sea_contacts", [m.user_id for m in team if m.role == "sea_contact"])
        else:
            del self.fields["scope_reason"]
            del self.fields["scope_details"]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {name: data[name] for name in self.Meta.fields}
        kwargs.update(
            center_lead=data.get("center_lead"),
            center_staff=list(data.get("center_staff") or []),
            sea_contacts=list(data.get("sea_contacts") or []),
        )
        if "scope_reason" in self.fields:
            kwargs.update(
                scope_reason=data.get("scope_reason", ""), scope_details=data.get("scope_details", "")
            )
        return kwargs

    def _post_clean(self):
        # The service validates the record (with the team and scope rules); the form only
        # parses the fields, so that no partial instance is assigned a protected status.
        pass


class SeaChoiceForm(forms.Form):
    sea = forms.ModelChoiceField(queryset=None, label="State (SEA)", empty_label="Choose a state")

    def __init__(self, *args, **kwargs):
        from stakeholders.models import SEA

        super().__init__(*args, **kwargs)
        self.fields["sea"].queryset = SEA.objects.order_by("state_code")


class StatusMoveForm(forms.Form):
    """One status move: which, from which state the user saw, and why."""

    transition = forms.CharField(max_length=40, widget=forms.HiddenInput)
    expected_status = forms.CharField(max_length=20, widget=forms.HiddenInput)
    note = forms.CharField(
        label="Reason", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
