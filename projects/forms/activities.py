"""The log-activity form: quick to fill in, limited to what the signed-in user may see."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, Value
from django.utils import timezone

from core.pickers import PickerSelect
from projects.models import MAX_ACTIVITY_HOURS, Activity, Condition, Project, validate_activity_hours
from projects.services.activities import EDITABLE_FIELDS, RELATED_FIELDS
from stakeholders.models import District, PartnerCenter, Stakeholder

# How many people or districts a search shows at once (besides the ones already chosen).
OPTION_LIMIT = 25


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class SearchInput(forms.TextInput):
    input_type = "search"


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        where = obj.affiliation
        where = where.short_name if hasattr(where, "state_code") else where
        parts = [obj.title, str(where) if where else ""]
        details = ", ".join(part for part in parts if part)
        return f"{obj.full_name} · {details}" if details else obj.full_name


class DistrictChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.nces_id})"


def _ids(values) -> list[int]:
    ids = []
    for value in values or ():
        value = getattr(value, "pk", value)
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            continue
    return ids


class ActivityForm(forms.Form):
    """Fields of activity_log. Participants and districts are limited to the project's state.

    Their checkbox lists show the chosen ones plus the project's own people and districts, or
    the matches of the search box next to them (served again by the type-ahead endpoint).
    """

    project_search = forms.CharField(
        label="Find projects", required=False, widget=SearchInput(attrs={"autocomplete": "off"})
    )
    # A type-ahead: a facilitator may choose among thousands of projects.
    project = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        widget=PickerSelect("projects:pick_project", placeholder="Type a project"),
    )
    date = forms.DateField(widget=DateInput(), help_text="When it happened; today by default.")
    type = forms.ChoiceField(choices=[("", "Choose a type"), *Activity.Type.choices])
    mode = forms.ChoiceField(
        label="Delivery mode",
        choices=Activity.Mode.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        initial="virtual",
    )
    # The bounds are the model's (validate_activity_hours): more than 0, at most one day.
    hours = forms.DecimalField(
        max_digits=6,
        decimal_places=2,
        validators=[validate_activity_hours],
        widget=forms.NumberInput(
            attrs={"step": "0.25", "min": "0", "max": str(MAX_ACTIVITY_HOURS), "inputmode": "decimal"}
        ),
        help_text=f"Time spent that day, in hours (for example 1.5; at most {MAX_ACTIVITY_HOURS}). "
        "Log a training of several days once per day.",
    )
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=Activity._meta.get_field("summary").max_length,
        help_text="What happened, in a few sentences.",
    )
    conditions = forms.ModelMultipleChoiceField(
        label="Conditions advanced",
        queryset=Condition.objects.all(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        required=False,
    )
    participant_search = forms.CharField(
        label="Find people", required=False, widget=SearchInput(attrs={"autocomplete": "off"})
    )
    participants = PersonChoiceField(
        queryset=Stakeholder.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        required=False,
    )
    district_search = forms.CharField(
        label="Find districts", required=False, widget=SearchInput(attrs={"autocomplete": "off"})
    )
    districts = DistrictChoiceField(
        queryset=District.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        required=False,
    )
    partner_centers = forms.ModelMultipleChoiceField(
        label="Partner centers involved",
        queryset=PartnerCenter.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    next_steps = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=Activity._meta.get_field("next_steps").max_length,
        required=False,
    )

    def __init__(self, *args, user, known_project: Project | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.known_project = known_project  # already fetched (visible to user): saves a query
        if not self.is_bound and not self.initial.get("project") and not user.sees_whole_portfolio:
            # SEA staff with one active project get it preselected.
            active = list(Project.objects.visible_to(user).active().values_list("pk", flat=True)[:2])
            if len(active) == 1:
                self.initial["project"] = active[0]
        self.fields["partner_centers"].queryset = PartnerCenter.objects.visible_to(user).order_by(
            "short_name"
        )
        self.fields["date"].initial = timezone.localdate
        self.project = self._chosen_project()
        # Only the chosen project is an option on the page; the picker finds the others, and
        # without JavaScript the "Find projects" box lists the matches (at most OPTION_LIMIT).
        chosen = [(str(self.project.pk), self.project_label(self.project))] if self.project else []
        self.fields["project"].choices = [("", "Choose a project"), *chosen, *self._project_matches()]
        self.fields["participants"].queryset = self.participant_queryset()
        self.fields["districts"].queryset = self.district_queryset()
        self.fields["participants"].widget.choices = self._person_options()
        self.fields["districts"].widget.choices = self._district_options()

    @property
    def project_chosen(self) -> bool:
        return self.project is not None

    def enable_type_ahead(self, path: str) -> None:
        """Choosing a project reloads its people and districts in place (htmx)."""
        self.fields["project"].widget.attrs.update(
            {
                "hx-get": path,
                "hx-trigger": "change",
                "hx-include": "#people-and-districts",
                "hx-target": "#people-and-districts",
                "hx-select": "#people-and-districts",
                "hx-swap": "outerHTML",
            }
        )

    # The project the lists depend on: the submitted one, else the initial one -----------------

    def _value(self, name):
        if self.is_bound:
            return self.data.get(self.add_prefix(name))
        value = self.initial.get(name, self.fields[name].initial)
        return value() if callable(value) else value

    def _values(self, name) -> list[int]:
        if self.is_bound:
            return _ids(self.data.getlist(self.add_prefix(name)))
        value = self.initial.get(name)
        if hasattr(value, "all"):
            value = value.all()
        return _ids(value)

    @staticmethod
    def project_label(project: Project) -> str:
        return f"{project.title} ({project.sea.state_code})"

    def _project_matches(self) -> list[tuple[str, str]]:
        """Without JavaScript: the projects matching the "Find projects" box."""
        words = (self._value("project_search") or "").split()[:4]
        if not words:
            return []
        projects = Project.objects.visible_to(self.user)
        for word in words:
            projects = projects.filter(title__icontains=word)
        if self.project is not None:
            projects = projects.exclude(pk=self.project.pk)
        rows = projects.order_by("title", "pk").values_list("pk", "title", "sea__state_code")
        return [(str(pk), f"{title} ({state})") for pk, title, state in rows[:OPTION_LIMIT]]

    def _chosen_project(self) -> Project | None:
        value = self._value("project")
        value = getattr(value, "pk", value)
        try:
            pk = int(value)
        except (TypeError, ValueError):
            return None
        if self.known_project is not None and self.known_project.pk == pk:
            return self.known_project
        return Project.objects.visible_to(self.user).select_related("sea").filter(pk=pk).first()

    def participant_queryset(self):
        if self.project is None:
            return Stakeholder.objects.none()
        return (
            Stakeholder.objects.visible_to(self.user)
            .filter(Q(sea__isnull=True) | Q(sea_id=self.project.sea_id))
            .filter(is_active=True)
            .select_related("sea", "office__sea", "district", "partner_center", "organization")
        )

    def district_queryset(self):
        if self.project is None:
            return District.objects.none()
        return District.objects.visible_to(self.user).filter(sea_id=self.project.sea_id)

    # The options shown: chosen ones first, then search matches or the project's own --------

    def _options(self, field_name, queryset, *, search, own, ordering, chosen_ids):
        """One query: the chosen ones, then the project's own, then the rest (or the matches)."""
        field = self.fields[field_name]
        chosen = Q(pk__in=chosen_ids) if chosen_ids else None
        if search is not None:
            queryset = queryset.filter(search | chosen if chosen else search)
        is_chosen = ExpressionWrapper(chosen, output_field=BooleanField()) if chosen else Value(False)
        options = queryset.annotate(is_chosen=is_chosen, is_own=Exists(own)).order_by(
            "-is_chosen", "-is_own", *ordering
        )[: OPTION_LIMIT + len(chosen_ids)]
        return [(obj.pk, field.label_from_instance(obj)) for obj in options]

    def _person_options(self):
        if self.project is None:
            return []
        text = (self._value("participant_search") or "").strip()
        search = None
        if text:
            search = Q()
            for word in text.split()[:4]:
                search &= (
                    Q(first_name__icontains=word)
                    | Q(last_name__icontains=word)
                    | Q(email__icontains=word)
                    | Q(title__icontains=word)
                )
        own = Project.stakeholders.through.objects.filter(
            project_id=self.project.pk, stakeholder_id=OuterRef("pk")
        )
        return self._options(
            "participants",
            self.fields["participants"].queryset,
            search=search,
            own=own,
            ordering=("last_name", "first_name", "pk"),
            chosen_ids=self._values("participants"),
        )

    def _district_options(self):
        if self.project is None:
            return []
        text = (self._value("district_search") or "").strip()
        search = Q(name__icontains=text) | Q(nces_id__startswith=text) if text else None
        own = Project.districts.through.objects.filter(project_id=self.project.pk, district_id=OuterRef("pk"))
        return self._options(
            "districts",
            self.fields["districts"].queryset,
            search=search,
            own=own,
            ordering=("name", "pk"),
            chosen_ids=self._values("districts"),
        )

    # Validation ------------------------------------------------------------------------------

    def clean_project(self):
        pk = self.cleaned_data["project"]
        if self.project is None or self.project.pk != pk:
            raise ValidationError("Choose one of your projects.")
        return self.project

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise ValidationError("Log activities that have happened: the date is in the future.")
        return date

    def service_fields(self) -> dict:
        """Keyword arguments for activity_log / activity_update."""
        data = self.cleaned_data
        return {
            **{name: data[name] for name in EDITABLE_FIELDS},
            **{name: list(data[name]) for name in RELATED_FIELDS},
        }


def initial_from_query(query, form_class=ActivityForm) -> dict:
    """Initial values from a query string (`?project=3`, the type-ahead's requests)."""
    initial = {}
    for name, field in form_class.base_fields.items():
        if name not in query:
            continue
        if isinstance(field, forms.ModelMultipleChoiceField):
            initial[name] = _ids(query.getlist(name))
        else:
            initial[name] = query.get(name)
    return initial
