import datetime
import zoneinfo

from django import forms
from django.conf import settings
from django.db.models.functions import Lower
from django.utils import timezone

from core.pickers import PickerSelect, PickerSelectMultiple
from projects.models import Project
from stakeholders.models import (
    SEA,
    AdvisoryBody,
    CommunicationCategory,
    CommunicationPreference,
    District,
    Organization,
    PartnerCenter,
    Stakeholder,
)

from .models import ProjectCadence, Schedule
from .rendering import STANDARD_FIELDS


def _emails(text: str) -> list[str]:
    return sorted({part.strip().lower() for part in text.replace(",", "\n").split() if part.strip()})


class CommunicationForm(forms.Form):
    """Content and audience rules. Every choice list is limited to what the user may see, so a
    tampered id is a form error; the service checks again."""

    subject = forms.CharField(max_length=200)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Markdown. Merge fields: "
        + ", ".join("{{ %s }}" % name for name in STANDARD_FIELDS)  # noqa: UP031 - braces are literal
        + ".",
    )
    category = forms.ChoiceField(choices=CommunicationCategory.choices)
    # Type-ahead pickers: a facilitator's projects and districts run to thousands.
    project = forms.ModelChoiceField(
        queryset=Project.objects.none(),
        required=False,
        help_text="What it is about.",
        widget=PickerSelect("projects:pick_project", placeholder="Type a project"),
    )
    advisory_body = forms.ModelChoiceField(
        queryset=AdvisoryBody.objects.none(), required=False, label="Advisory body"
    )
    bodies = forms.ModelMultipleChoiceField(
        queryset=AdvisoryBody.objects.none(), required=False, label="Members of these bodies"
    )
    projects = forms.ModelMultipleChoiceField(
        queryset=Project.objects.none(),
        required=False,
        label="Stakeholders of these projects",
        widget=PickerSelectMultiple("projects:pick_project", placeholder="Type projects"),
    )
    seas = forms.ModelMultipleChoiceField(
        queryset=SEA.objects.none(), required=False, label="People of these states"
    )
    districts = forms.ModelMultipleChoiceField(
        queryset=District.objects.none(),
        required=False,
        label="People of these districts",
        widget=PickerSelectMultiple("projects:pick_district", placeholder="Type districts"),
    )
    partner_centers = forms.ModelMultipleChoiceField(
        queryset=PartnerCenter.objects.none(), required=False, label="Staff of these partner centers"
    )
    organization_kinds = forms.MultipleChoiceField(
        choices=Organization.Kind.choices, required=False, label="People of organizations of these kinds"
    )
    include = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Also send to people in the directory",
        help_text=(
            "Their e-mail addresses, one per line. Each must belong to someone in the people "
            "directory you can address: add a new person to the directory first."
        ),
    )
    exclude = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Never send to (e-mail addresses)",
        help_text="One address per line.",
    )

    RULES = ("bodies", "projects", "seas", "districts", "partner_centers")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        projects = Project.objects.visible_to(user).select_related("sea").order_by("title")
        self.fields["project"].queryset = projects
        self.fields["projects"].queryset = projects
        self.fields["advisory_body"].queryset = AdvisoryBody.objects.visible_to(user)
        self.fields["bodies"].queryset = AdvisoryBody.objects.visible_to(user)
        self.fields["seas"].queryset = SEA.objects.visible_to(user)
        self.fields["districts"].queryset = District.objects.visible_to(user).select_related("sea")
        self.fields["partner_centers"].queryset = PartnerCenter.objects.visible_to(user)

    @classmethod
    def initial_for(cls, communication) -> dict:
        audience = communication.audience or {}

        def emails(key):
            ids = audience.get(key) or []
            return "\n".join(
                Stakeholder.objects.filter(pk__in=ids).order_by("email").values_list("email", flat=True)
            )

        initial = {
            "subject": communication.subject,
            "body": communication.body,
            "category": communication.category,
            "project": communication.project_id,
            "advisory_body": communication.advisory_body_id,
            "organization_kinds": audience.get("organization_kinds", []),
            "include": emails("include"),
            "exclude": emails("exclude"),
        }
        for key in cls.RULES:
            initial[key] = audience.get(key, [])
        return initial

    def _people(self, field: str) -> list[int]:
        emails = _emails(self.cleaned_data.get(field, ""))
        if not emails:
            return []
        found = dict(
            Stakeholder.objects.visible_to(self.user)
            .annotate(address=Lower("email"))
            .filter(address__in=emails)
            .values_list("address", "pk")
        )
        unknown = [e for e in emails if e not in found]
        if unknown:
            self.add_error(
                field,
                f"No one in the people directory you can address has the address {', '.join(unknown)}; "
                "add them to the directory first.",
            )
        return sorted(found.values())

    def clean(self):
        data = super().clean()
        audience = {key: sorted(obj.pk for obj in data.get(key) or []) for key in self.RULES}
        audience["organization_kinds"] = sorted(data.get("organization_kinds") or [])
        audience["include"] = self._people("include")
        audience["exclude"] = self._people("exclude")
        if not any(v for k, v in audience.items() if k != "exclude") and not self.errors:
            raise forms.ValidationError("Choose who receives it: at least one audience rule or address.")
        data["audience"] = audience
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "subject": data["subject"],
            "body": data["body"],
            "category": data["category"],
            "audience": data["audience"],
            "project": data.get("project"),
            "advisory_body": data.get("advisory_body"),
        }


class ScheduleForm(forms.Form):
    MODES = [("now", "Send now"), ("at", "Send at a date and time"), ("recurring", "Send on a recurrence")]

    mode = forms.ChoiceField(choices=MODES, widget=forms.RadioSelect, initial="now", label="When")
    # data-show-when: each field appears only with the answers it belongs to (static/js/forms.js).
    date = forms.DateField(
        required=False,
        widget=forms.DateInput(
            attrs={"type": "date", "data-show-when": "mode=at,recurring", "data-required-when": "1"}
        ),
        label="Date (first)",
    )
    time = forms.TimeField(
        required=False,
        widget=forms.TimeInput(
            attrs={"type": "time", "data-show-when": "mode=at,recurring", "data-required-when": "1"}
        ),
        help_text=f"In the center's time zone ({settings.TIME_ZONE}).",
    )
    frequency = forms.ChoiceField(
        choices=[c for c in Schedule.Frequency.choices if c[0] != "once"], required=False
    )
    interval = forms.IntegerField(min_value=1, max_value=52, initial=1, required=False, label="Every")
    weekdays = forms.TypedMultipleChoiceField(
        choices=list(enumerate(Schedule.WEEKDAYS)),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"data-show-when": "mode=recurring;frequency=weekly"}),
        label="On (weekly)",
    )
    month_day = forms.IntegerField(
        min_value=1,
        max_value=31,
        required=False,
        label="Day of the month (monthly)",
        widget=forms.NumberInput(attrs={"data-show-when": "mode=recurring;frequency=monthly"}),
    )
    until = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Until (date)"
    )
    count = forms.IntegerField(min_value=1, max_value=1000, required=False, label="Or this many times")
    expected_count = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        mode = data.get("mode")
        if mode in ("at", "recurring"):
            if not data.get("date"):
                self.add_error("date", "Give the date.")
            if not data.get("time"):
                self.add_error("time", "Give the time.")
        if mode == "at" and data.get("date") and data.get("time"):
            tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
            when = datetime.datetime.combine(data["date"], data["time"]).replace(tzinfo=tz)
            if when < timezone.now() - datetime.timedelta(minutes=1):
                self.add_error("time", "This time has passed; choose a later one or send now.")
        if mode == "recurring":
            self._clean_recurrence(data)
        return data

    def _clean_recurrence(self, data: dict) -> None:
        frequency = data.get("frequency")
        if not frequency:
            self.add_error("frequency", "Choose how often.")
        if frequency == "weekly" and not data.get("weekdays"):
            self.add_error("weekdays", "Choose at least one day.")
        if frequency == "monthly" and not data.get("month_day"):
            self.add_error("month_day", "Choose the day of the month.")
        if not data.get("until") and not data.get("count"):
            self.add_error("until", "Give an end date or a number of times.")

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {"expected_count": data["expected_count"]}
        if data["mode"] == "now":
            return kwargs
        kwargs["send_at"] = datetime.datetime.combine(data["date"], data["time"])
        if data["mode"] == "recurring":
            kwargs["recurrence"] = {
                "frequency": data["frequency"],
                "interval": data.get("interval") or 1,
                "weekdays": data.get("weekdays") or [],
                "month_day": data.get("month_day"),
                "until": data.get("until"),
                "count": data.get("count"),
            }
        return kwargs


class PreferencesForm(forms.Form):
    """One choice per category for a stakeholder (no login: reached by a signed link)."""

    def __init__(self, *args, stakeholder, **kwargs):
        super().__init__(*args, **kwargs)
        current = dict(stakeholder.preferences.values_list("category", "delivery"))
        for value, label in CommunicationCategory.choices:
            self.fields[value] = forms.ChoiceField(
                label=label,
                choices=CommunicationPreference.Delivery.choices,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                initial=current.get(value, CommunicationPreference.Delivery.IMMEDIATE),
            )


class CadenceForm(forms.ModelForm):
    class Meta:
        model = ProjectCadence
        fields = ["expected_days"]
        labels = {"expected_days": "Stakeholders should hear from us"}
