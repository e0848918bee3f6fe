"""URL filters of the project and activity lists (django-filter), scoped to the signed-in user."""

from __future__ import annotations

from functools import cached_property

import django_filters
from django import forms
from django.db.models import CharField, IntegerField, OuterRef, Q, Subquery, Value

from accounts.models import Role, User
from core.pickers import PickerSelect, valid_ids
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

    def search(self, queryset, _name, value):
        return queryset.filter(Q(title__icontains=value) | Q(problem_statement__icontains=value))

    def filter_nothing(self, queryset, _name, _value):
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
    # State and project choices are limited to what the user may see (see __init__): a value
    # outside them is a form error. The project is a type-ahead: only the chosen one is rendered.
    state = django_filters.ChoiceFilter(
        label="State", field_name="project__sea", choices=(), empty_label="All states"
    )
    project = django_filters.ChoiceFilter(
        field_name="project",
        choices=(),
        empty_label="All projects",
        widget=PickerSelect("projects:pick_project", placeholder="All projects"),
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
        self.form.fields["project"].choices = lambda: [("", "All projects"), *self.chosen_project()]
        self.form.fields["state"].choices = lambda: [("", "All states"), *self.state_choices()]
        authors = authors_visible_to(user)
        self.filters["author"].queryset = authors
        self.form.fields["author"].queryset = authors
        drop_state_filter_for_one_state(self, "state")

    @cached_property
    def _states_and_project(self) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """The visible states and the asked-for project (when the user may see it), one query."""
        user = self.request.user
        seas = SEA.objects.visible_to(user).order_by("state_code")
        ids = valid_ids([(self.data or {}).get("project")])
        if ids:
            chosen = Project.objects.visible_to(user).filter(pk=ids[0], sea=OuterRef("pk"))
            seas = seas.annotate(
                chosen_pk=Subquery(chosen.values("pk")[:1]), chosen_title=Subquery(chosen.values("title")[:1])
            )
        else:
            seas = seas.annotate(chosen_pk=Value(None, IntegerField()), chosen_title=Value(None, CharField()))
        states, project = [], []
        for pk, name, code, chosen_pk, title in seas.values_list(
            "pk", "short_name", "state_code", "chosen_pk", "chosen_title"
        ):
            states.append((str(pk), f"{name} ({code})"))
            if chosen_pk is not None:
                project.append((str(chosen_pk), f"{title} ({code})"))
        return states, project

    def chosen_project(self) -> list[tuple[str, str]]:
        return self._states_and_project[1]

    def state_choices(self) -> list[tuple[str, str]]:
        return self._states_and_project[0]

    def search(self, queryset, _name, value):
        return queryset.search(value)


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
