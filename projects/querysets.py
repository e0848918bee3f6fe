from django.db import models
from django.db.models import OuterRef, Subquery

from accounts.scoping import scope_to_user


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_to_user(self, user, "sea")

    def active(self):
        return self.filter(status="active")


class ProjectChildQuerySet(models.QuerySet):
    """Records that belong to one project and are visible with it."""

    def visible_to(self, user):
        return scope_to_user(self, user, "project__sea")


class ActivityQuerySet(ProjectChildQuerySet):
    def in_period(self, start=None, end=None):
        qs = self
        if start:
            qs = qs.filter(date__gte=start)
        if end:
            qs = qs.filter(date__lte=end)
        return qs


class ConditionAssessmentQuerySet(ProjectChildQuerySet):
    def latest_per_condition(self):
        """Only the most recent assessment of each (project, condition)."""
        newest = (
            self.model.objects.filter(project=OuterRef("project"), condition=OuterRef("condition"))
            .order_by("-assessed_on", "-created_at", "-pk")
            .values("pk")[:1]
        )
        return self.filter(pk=Subquery(newest))


class IndicatorValueQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_to_user(self, user, "indicator__project__sea")
