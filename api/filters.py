"""Filters of the v1 API.

Related records are filtered by id (a number), never through a choice list: an id of another
state's record then simply matches nothing, the same as an id that does not exist.
"""

import datetime

import django_filters
from django import forms
from django.db import models
from django.db.models import Q
from django_filters.rest_framework import DjangoFilterBackend

from communications.models import Communication, Delivery
from core.filters import StrictBooleanFilter
from meetings.models import ActionItem, Meeting
from projects.models import Activity, ConditionAssessment, IndicatorValue, Product, Project
from stakeholders.models import District, Membership, Stakeholder


class IdFilter(django_filters.NumberFilter):
    """A whole-number id (NumberFilter would accept 0.5)."""

    field_class = forms.IntegerField


ID_FILTER = {"filter_class": IdFilter}


class UTCDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 date and time, handed to the database in UTC: PostgreSQL refuses offsets past
    ±15:59 that ISO 8601 allows, and a time near year 1 or 9999 may not exist in UTC at all."""

    def clean(self, value):
        parsed = super().clean(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(datetime.UTC)
        except (OverflowError, ValueError) as error:
            raise forms.ValidationError("This date and time is out of range.", code="invalid") from error


class UTCDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UTCDateTimeField


class PortalFilterSet(django_filters.FilterSet):
    class Meta:
        filter_overrides = {
            models.ForeignKey: ID_FILTER,
            models.OneToOneField: ID_FILTER,
            models.DateTimeField: {"filter_class": UTCDateTimeFilter},
            # `?is_active=maybe` is a 400 with the field's message, not a list left unfiltered.
            models.BooleanField: {"filter_class": StrictBooleanFilter},
            models.ManyToManyField: {
                "filter_class": IdFilter,
                "extra": lambda _field: {"distinct": True},
            },
        }


def id_filters(*names):
    return dict.fromkeys(names, ["exact"])


class DistrictFilter(PortalFilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta(PortalFilterSet.Meta):
        model = District
        fields = {**id_filters("sea"), "is_demo": ["exact"], "nces_id": ["exact"]}


class StakeholderFilter(PortalFilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Name or e-mail contains")

    class Meta(PortalFilterSet.Meta):
        model = Stakeholder
        fields = {
            **id_filters("sea", "office", "district", "partner_center", "organization"),
            "is_active": ["exact"],
        }

    def filter_q(self, queryset, _name, value):
        return queryset.filter(
            Q(first_name__icontains=value) | Q(last_name__icontains=value) | Q(email__icontains=value)
        )


class MembershipFilter(PortalFilterSet):
    current = StrictBooleanFilter(method="filter_current", label="Only current terms")

    class Meta(PortalFilterSet.Meta):
        model = Membership
        fields = {**id_filters("body", "stakeholder"), "role": ["exact"], "is_voting": ["exact"]}

    def filter_current(self, queryset, _name, value):
        current = queryset.current()
        return current if value else queryset.exclude(pk__in=current.values("pk"))


class ProjectFilter(PortalFilterSet):
    class Meta(PortalFilterSet.Meta):
        model = Project
        fields = {
            **id_filters("sea", "lead_center", "districts", "partner_centers"),
            "status": ["exact"],
            "start_date": ["gte", "lte"],
        }


class ConditionAssessmentFilter(PortalFilterSet):
    condition = IdFilter(field_name="condition__number", label="Condition number")
    latest = StrictBooleanFilter(method="filter_latest", label="Only the latest per condition")

    class Meta(PortalFilterSet.Meta):
        model = ConditionAssessment
        fields = {**id_filters("project"), "stage": ["exact"], "assessed_on": ["gte", "lte"]}

    def filter_latest(self, queryset, _name, value):
        return queryset.latest_per_condition() if value else queryset


class ActivityFilter(PortalFilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        label='Search of summaries and next steps: words, "a phrase", or, -word',
        max_length=200,
    )
    sea = IdFilter(field_name="project__sea", label="SEA id")
    condition = IdFilter(field_name="conditions__number", label="Condition number advanced", distinct=True)

    class Meta(PortalFilterSet.Meta):
        model = Activity
        fields = {
            **id_filters("project", "author", "participants", "districts", "partner_centers"),
            "type": ["exact"],
            "mode": ["exact"],
            "date": ["gte", "lte"],
        }

    def filter_q(self, queryset, _name, value):
        return queryset.search(value)


class IndicatorValueFilter(PortalFilterSet):
    project = IdFilter(field_name="indicator__project", label="Project id")

    class Meta(PortalFilterSet.Meta):
        model = IndicatorValue
        fields = {**id_filters("indicator"), "measured_on": ["gte", "lte"]}


class ProductFilter(PortalFilterSet):
    class Meta(PortalFilterSet.Meta):
        model = Product
        fields = {**id_filters("project", "lead_center"), "status": ["exact"], "kind": ["exact"]}


class PortalFilterBackend(DjangoFilterBackend):
    """Filters declared as `filterset_fields` get the id-based filters of PortalFilterSet too."""

    filterset_base = PortalFilterSet


class MeetingFilter(PortalFilterSet):
    class Meta(PortalFilterSet.Meta):
        model = Meeting
        fields = {**id_filters("body"), "status": ["exact"], "mode": ["exact"], "starts_at": ["gte", "lte"]}


class ActionItemFilter(PortalFilterSet):
    body = IdFilter(field_name="meeting__body", label="Advisory body id")

    class Meta(PortalFilterSet.Meta):
        model = ActionItem
        fields = {
            **id_filters("meeting", "owner_stakeholder", "owner_user"),
            "status": ["exact"],
            "due_date": ["gte", "lte"],
        }


class CommunicationFilter(PortalFilterSet):
    class Meta(PortalFilterSet.Meta):
        model = Communication
        fields = {
            **id_filters("project", "advisory_body", "scope_sea"),
            "status": ["exact"],
            "category": ["exact"],
        }


class DeliveryFilter(PortalFilterSet):
    class Meta(PortalFilterSet.Meta):
        model = Delivery
        fields = {**id_filters("communication", "occurrence", "stakeholder"), "status": ["exact"]}
