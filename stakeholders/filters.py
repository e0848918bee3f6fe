"""URL filters of the people and districts directories, scoped to the signed-in user."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q

from .models import SEA, District, Stakeholder


class SearchInput(forms.TextInput):
    input_type = "search"


AFFILIATIONS = [
    ("sea", "State agency"),
    ("district", "District"),
    ("partner_center", "Partner center"),
    ("organization", "Other organization"),
]


class ScopedStateFilterSet(django_filters.FilterSet):
    """Limits the state choices to the user's; SEA staff see one state, so they get no state filter."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = request.user
        if user.sees_whole_portfolio:
            seas = SEA.objects.visible_to(user)
            self.filters["state"].queryset = seas
            self.form.fields["state"].queryset = seas
        else:
            self.filters.pop("state")
            self.form.fields.pop("state", None)


class StakeholderFilter(ScopedStateFilterSet):
    q = django_filters.CharFilter(label="Search", method="search", widget=SearchInput)
    state = django_filters.ModelChoiceFilter(
        label="State", field_name="sea", queryset=SEA.objects.none(), empty_label="All states"
    )
    affiliation = django_filters.ChoiceFilter(
        label="Works at", choices=AFFILIATIONS, method="filter_affiliation", empty_label="Anywhere"
    )
    active = django_filters.ChoiceFilter(
        label="Status",
        choices=[("yes", "Active"), ("no", "Inactive")],
        method="filter_active",
        empty_label="Active and inactive",
    )

    class Meta:
        model = Stakeholder
        fields = []

    def search(self, queryset, _name, value):
        for word in value.split()[:5]:
            queryset = queryset.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
                | Q(title__icontains=word)
            )
        return queryset

    def filter_affiliation(self, queryset, _name, value):
        # The most specific place the person works, as Stakeholder.affiliation shows it.
        if value == "sea":
            return queryset.filter(
                sea__isnull=False,
                district__isnull=True,
                partner_center__isnull=True,
                organization__isnull=True,
            )
        if value == "district":
            return queryset.filter(district__isnull=False)
        if value == "partner_center":
            return queryset.filter(partner_center__isnull=False, district__isnull=True)
        return queryset.filter(organization__isnull=False, district__isnull=True, partner_center__isnull=True)

    def filter_active(self, queryset, _name, value):
        return queryset.filter(is_active=value == "yes")


class DistrictFilter(ScopedStateFilterSet):
    q = django_filters.CharFilter(label="Search", method="search", widget=SearchInput)
    state = django_filters.ModelChoiceFilter(
        label="State", field_name="sea", queryset=SEA.objects.none(), empty_label="All states"
    )

    class Meta:
        model = District
        fields = []

    def search(self, queryset, _name, value):
        return queryset.filter(Q(name__icontains=value) | Q(nces_id__startswith=value.strip()))
