"""The people and districts directories, scoped to what the signed-in user may see.

They show each person's projects and activities and each district's project count, so they
live in projects, the layer above stakeholders."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.views.generic import DetailView

from accounts.scoping import scope_to_user
from core.lists import Column, FilteredListView
from stakeholders.filters import DistrictFilter, StakeholderFilter
from stakeholders.models import District, Stakeholder

from ..models import Activity, Project

RECENT_ACTIVITIES = 20


class StakeholderListView(FilteredListView):
    template_name = "stakeholders/stakeholder_list.html"
    filterset_class = StakeholderFilter
    csv_filename = "people.csv"
    noun, noun_plural = "person", "people"
    default_sort = "name"
    sort_fields = {
        "name": ("last_name", "first_name", "pk"),
        "title": ("title", "last_name", "pk"),
        "state": ("sea__state_code", "last_name", "first_name", "pk"),
        "email": ("email", "pk"),
    }
    columns = [
        Column("Name", sort="name", value=lambda s: s.full_name),
        Column("Title", sort="title", value=lambda s: s.title),
        Column("Works at", value=lambda s: s.affiliation),
        Column("State", sort="state", value=lambda s: s.sea.state_code if s.sea else ""),
        Column("E-mail", sort="email", value=lambda s: s.email),
        Column("Active", value=lambda s: s.is_active),
    ]

    def get_base_queryset(self):
        return Stakeholder.objects.visible_to(self.request.user).select_related(
            "sea", "office__sea", "district", "partner_center", "organization"
        )


class StakeholderDetailView(LoginRequiredMixin, DetailView):
    template_name = "stakeholders/stakeholder_detail.html"
    context_object_name = "person"

    def get_queryset(self):
        return Stakeholder.objects.visible_to(self.request.user).select_related(
            "sea", "office__sea", "district", "partner_center", "organization"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, person = self.request.user, self.object
        context["projects"] = (
            Project.objects.visible_to(user).filter(stakeholders=person).select_related("sea", "lead_center")
        )
        context["memberships"] = person.memberships.select_related(
            "body", "represents_sea", "represents_district", "represents_center", "represents_organization"
        ).order_by("-term_start")
        context["activities"] = (
            Activity.objects.visible_to(user)
            .filter(participants=person)
            .select_related("project__sea")
            .order_by("-date", "-pk")[:RECENT_ACTIVITIES]
        )
        return context


class DistrictListView(FilteredListView):
    template_name = "stakeholders/district_list.html"
    filterset_class = DistrictFilter
    csv_filename = "districts.csv"
    noun, noun_plural = "district", "districts"
    default_sort = "name"
    sort_fields = {
        "name": ("name", "pk"),
        "state": ("sea__state_code", "name", "pk"),
        "nces_id": ("nces_id",),
        "projects": ("project_count", "name", "pk"),
    }
    columns = [
        Column("District", sort="name", value=lambda d: d.name),
        Column("NCES LEA id", sort="nces_id", value=lambda d: d.nces_id),
        Column("State", sort="state", value=lambda d: d.sea.state_code),
        Column("Projects", sort="projects", value=lambda d: d.project_count, numeric=True),
        Column("Demo data", value=lambda d: d.is_demo),
    ]

    def get_base_queryset(self):
        user = self.request.user
        through = Project.districts.through.objects.filter(district=OuterRef("pk"))
        counts = (
            scope_to_user(through, user, "project__sea")
            .order_by()
            .values("district")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            District.objects.visible_to(user)
            .select_related("sea")
            .annotate(project_count=Coalesce(Subquery(counts, output_field=IntegerField()), Value(0)))
        )
