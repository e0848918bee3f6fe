from django.db import models
from django.db.models import OuterRef, Subquery

from accounts.scoping import scope_to_user


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_to_user(self, user, "sea")

    def active(self):
        return self.filter(status="active")

    def with_latest_stages(self, conditions):
        """Annotate `stage_<number>` with the latest assessed stage of each given condition."""
        from .models import ConditionAssessment

        annotations = {}
        for condition in conditions:
            latest = (
                ConditionAssessment.objects.filter(project=OuterRef("pk"), condition=condition)
                .order_by("-assessed_on", "-created_at", "-pk")
                .values("stage")[:1]
            )
            annotations[f"stage_{condition.number}"] = Subquery(latest)
        return self.annotate(**annotations)


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

    def editable_by(self, user):
        """Activities `user` may edit or delete.

        Facilitators and administrators edit every activity; SEA staff edit the activities they
        authored in their own SEA; everyone else edits nothing.
        """
        visible = self.visible_to(user)
        if user is None or not user.is_authenticated or not user.is_active:
            return visible
        if user.sees_whole_portfolio:
            return visible
        return visible.filter(author=user)


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


class ObjectiveQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_to_user(self, user, "goal__project__sea")


class ProductAdoptionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_to_user(self, user, "product__project__sea")


class GoalProposalQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_to_user(self, user, "goal__project__sea")
