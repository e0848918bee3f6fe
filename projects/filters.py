"""URL filters of the project and activity lists (django-filter), scoped to the signed-in user."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q

from accounts.models import Role, User
from r2cc_portal.lists import FastSelect
from stakeholders.models import SEA, PartnerCenter

from .models import Activity, Condition, Project, Stage


class SearchInput(forms.TextInput):
    input_type = "search"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def drop_state_filter_for_one_state(filterset, name: str) -> None:
    """SEA staff see one state: a state filter with a single choice is noise."""
    user = filterset.request.user
    if not user.sees_whole_portfolio:
        filterset.filters.pop(name, None)
        filterset.form.fields.pop(name, None)


class ProjectFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        if cleaned.get("stage") not in (None, "") and not cleaned.get("condition"):
            self.add_error("condition", "Choose the condition whose stage you want to filter by.")
            self.cleaned_data.pop("stage", None)
        return cleaned


NEVER_ASSESSED = "none"


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search", widget=SearchInput)
    state = django_filters.ModelChoiceFilter(
        label="State", field_name="sea", queryset=SEA.objects.none(), empty_label="All states"
    )
    status = django_filters.ChoiceFilter(choices=Project.Status.choices, empty_label="Any status")
    lead_center = django_filters.ModelChoiceFilter(
        label="Lead center", queryset=PartnerCenter.objects.none(), empty_label="Any center"
    )
    condition = django_filters.ChoiceFilter(
        label="Condition", method="filter_nothing", empty_label="Any condition", choices=()
    )
    stage = django_filters.ChoiceFilter(
        label="Its latest stage",
        method="filter_nothing",
        empty_label="Any stage",
        choices=[*Stage.choices, (NEVER_ASSESSED, "Never assessed")],
    )

    class Meta:
        model = Project
        fields = []
        form = ProjectFilterForm

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = request.user
        self.filters["state"].queryset = SEA.objects.visible_to(user)
        self.form.fields["state"].queryset = SEA.objects.visible_to(user)
        centers = PartnerCenter.objects.visible_to(user).order_by("short_name")
        self.filters["lead_center"].queryset = centers
        self.form.fields["lead_center"].queryset = centers
        choices = [("", "Any condition"), *((str(c.number), c.name) for c in Condition.objects.all())]
        self.form.fields["condition"].choices = choices
        drop_state_filter_for_one_state(self, "state")

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(problem_statement__icontains=value))

    def filter_nothing(self, queryset, name, value):
        return queryset  # condition and stage filter together, in filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        number, stage = self.form.cleaned_data.get("condition"), self.form.cleaned_data.get("stage")
        if number and stage not in (None, ""):
            # The view annotates stage_<n>, the latest stage of each condition.
            if stage == NEVER_ASSESSED:
                queryset = queryset.filter(**{f"stage_{number}__isnull": True})
            else:
                queryset = queryset.filter(**{f"stage_{number}": int(stage)})
        return queryset


class ActivityFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end of the date range is before its start.")
        return cleaned


class ActivityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search summaries", method="search", widget=SearchInput)
    # State and project choices come from one query of the visible projects (see __init__):
    # a value outside them is a form error, not a database lookup.
    state = django_filters.ChoiceFilter(
        label="State", field_name="project__sea", choices=(), empty_label="All states"
    )
    project = django_filters.ChoiceFilter(
        field_name="project", choices=(), empty_label="All projects", widget=FastSelect
    )
    type = django_filters.ChoiceFilter(choices=Activity.Type.choices, empty_label="Any type")
    condition = django_filters.ModelChoiceFilter(
        label="Condition advanced",
        field_name="conditions",
        queryset=Condition.objects.all(),
        empty_label="Any condition",
    )
    date_from = django_filters.DateFilter(
        label="From", field_name="date", lookup_expr="gte", widget=DateInput()
    )
    date_to = django_filters.DateFilter(label="To", field_name="date", lookup_expr="lte", widget=DateInput())
    author = django_filters.ModelChoiceFilter(
        label="Logged by", queryset=User.objects.none(), empty_label="Anyone"
    )

    class Meta:
        model = Activity
        fields = []
        form = ActivityFilterForm

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = request.user
        # Callables: the query runs only when a choice is validated or the select is rendered
        # (a CSV export of an unfiltered list never needs it).
        self._choices = None
        self.form.fields["project"].choices = lambda: [("", "All projects"), *self.choices()[0]]
        self.form.fields["state"].choices = lambda: [("", "All states"), *self.choices()[1]]
        authors = authors_visible_to(user)
        self.filters["author"].queryset = authors
        self.form.fields["author"].queryset = authors
        drop_state_filter_for_one_state(self, "state")

    def choices(self):
        if self._choices is None:
            self._choices = project_and_state_choices(self.request.user)
        return self._choices

    def search(self, queryset, name, value):
        return queryset.search(value)


def visible_project_rows(user) -> list[tuple]:
    """(pk, title, status, sea id, SEA short name, state code) of the projects `user` may see."""
    return list(
        Project.objects.visible_to(user)
        .order_by("title")
        .values_list("pk", "title", "status", "sea_id", "sea__short_name", "sea__state_code")
    )


def project_and_state_choices(user, rows=None) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(value, label) choices of the projects `user` may see and of their states, in one query."""
    rows = visible_project_rows(user) if rows is None else rows
    projects, states = [], {}
    for pk, title, _status, sea_id, short_name, state_code in rows:
        projects.append((str(pk), f"{title} ({state_code})"))
        states[state_code] = (str(sea_id), f"{short_name} ({state_code})")
    return projects, [states[code] for code in sorted(states)]


def authors_visible_to(user):
    """People whose activities `user` may read: colleagues of their state and center staff."""
    users = User.objects.filter(is_active=True).only("pk", "username", "first_name", "last_name")
    if user.sees_whole_portfolio:
        return users.order_by("last_name", "first_name", "username")
    if user.is_sea_staff and user.sea_id:
        center_roles = [Role.FACILITATOR.value, Role.ADMINISTRATOR.value]
        ids = User.objects.filter(Q(sea_id=user.sea_id) | Q(groups__name__in=center_roles)).values("pk")
        return users.filter(pk__in=ids).order_by("last_name", "first_name", "username")
    return users.none()
