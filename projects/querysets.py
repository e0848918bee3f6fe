from django.db import connections, models
from django.db.models import F, FloatField, OuterRef, Q, Subquery, Value
from django.db.models.expressions import Col, Expression

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


class ActivitySearchVector(Expression):
    """The `search_vector` column of projects_activity (migration 0005, PostgreSQL only).

    It is not a model field (SQLite has no tsvector), so it resolves to a column of whatever
    alias the activity table has in the query: the same filter works in a subquery too.
    """

    def resolve_expression(self, query=None, *args, **kwargs):  # noqa: ARG002 - Django's signature
        from django.contrib.postgres.search import SearchVectorField

        field = SearchVectorField()
        field.set_attributes_from_name("search_vector")
        return Col(query.get_initial_alias(), field, output_field=field)


class ActivityQuerySet(ProjectChildQuerySet):
    def search(self, text: str):
        """Activities whose summary or next steps match `text`, with a `search_rank` annotation.

        On PostgreSQL this is full-text search through the GIN index: English stemming, and the
        web-search syntax people type ("exact phrase", `or`, `-word`); rank weighs the summary
        above the next steps. SQLite (the embedded default) matches a substring instead.
        """
        text = (text or "").strip()
        if not text:
            return self
        if connections[self.db].vendor != "postgresql":
            matches = self.filter(Q(summary__icontains=text) | Q(next_steps__icontains=text))
            return matches.annotate(search_rank=Value(1.0, output_field=FloatField()))
        from django.contrib.postgres.search import SearchQuery, SearchRank

        query = SearchQuery(text, search_type="websearch", config="english")
        return (
            self.alias(search_vector=ActivitySearchVector())
            .filter(search_vector=query)
            .annotate(search_rank=SearchRank(F("search_vector"), query))
        )

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
            self.model._default_manager.filter(project=OuterRef("project"), condition=OuterRef("condition"))
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
