"""What the project page shows of the running work: team, topics, status moves and goal progress."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, DateTimeField, OuterRef, Subquery, TextField, Value
from django.db.models.functions import Cast, Coalesce, Concat

from projects.models import AgendaStatus, Goal, GoalProposal, Objective, Project, ProjectMember, StatusChange
from projects.services.projects import project_editable_by
from projects.services.workflow import moves_for


@dataclass
class GoalProgress:
    goal: Goal
    objectives_total: int = 0
    objectives_met: int = 0
    products_total: int = 0
    products_delivered: int = 0
    pending_proposals: int = 0
    objectives: list = field(default_factory=list)

    @property
    def percent(self) -> int:
        """Share of the goal's objectives met and products delivered (the goal itself when it has neither)."""
        total = self.objectives_total + self.products_total
        if not total:
            return 100 if self.goal.status == Goal.Status.MET else 0
        return round(100 * (self.objectives_met + self.products_delivered) / total)


def goal_progress(project: Project, user) -> list[GoalProgress]:  # noqa: ARG001 - callers scope the project
    """Each goal with its objectives and counts of what serves it (one query: a row per
    objective, the goal's counts as subqueries)."""

    def count(model, link: str, **filters):
        rows = model.objects.filter(**{link: OuterRef("pk")}, **filters).order_by().values(link)
        return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1]), 0)

    rows = (
        Goal.objects.filter(project=project)
        .annotate(
            objectives_total=count(Objective, "goal"),
            objectives_met=count(Objective, "goal", status="met"),
            products_total=count(Goal.products.through, "goal"),
            products_delivered=count(
                Goal.products.through, "goal", product__status__in=["delivered", "retired"]
            ),
            pending_proposals=count(GoalProposal, "goal", status="pending"),
        )
        .values(
            "pk",
            "number",
            "statement",
            "status",
            "target_date",
            "objectives_total",
            "objectives_met",
            "products_total",
            "products_delivered",
            "pending_proposals",
            "objectives__number",
            "objectives__statement",
            "objectives__status",
            "objectives__target_date",
        )
        .order_by("number", "objectives__number")
    )
    statuses = dict(AgendaStatus.choices)
    goals: dict[int, GoalProgress] = {}
    for row in rows:
        progress = goals.get(row["pk"])
        if progress is None:
            goal = Goal(
                pk=row["pk"],
                project=project,
                number=row["number"],
                statement=row["statement"],
                status=row["status"],
                target_date=row["target_date"],
            )
            progress = goals[row["pk"]] = GoalProgress(
                goal=goal,
                objectives_total=row["objectives_total"],
                objectives_met=row["objectives_met"],
                products_total=row["products_total"],
                products_delivered=row["products_delivered"],
                pending_proposals=row["pending_proposals"],
            )
        if row["objectives__number"] is not None:
            progress.objectives.append(
                {
                    "number": row["objectives__number"],
                    "statement": row["objectives__statement"],
                    "status": statuses.get(row["objectives__status"], row["objectives__status"]),
                    "target_date": row["objectives__target_date"],
                }
            )
    return list(goals.values())


@dataclass
class TeamAndRecord:
    team: list
    topics: list
    status_changes: list


def team_and_record(project: Project) -> TeamAndRecord:
    """The team, the topics and the status moves of a project, in one UNION query."""
    text = lambda value: Value(value, output_field=TextField())  # noqa: E731
    empty_time = Cast(Value(None), DateTimeField())  # a typed NULL: a bare one is text in a UNION

    def columns(queryset, *expressions):
        # Named annotations keep their order and are never merged, as a UNION needs.
        names = [f"u{n}" for n in range(len(expressions))]
        return queryset.annotate(**dict(zip(names, expressions, strict=True))).values_list(*names).order_by()

    team = columns(
        project.team.all(),
        text("team"),
        Cast("role", TextField()),
        Concat("user__first_name", Value(" "), "user__last_name", output_field=TextField()),
        Cast("user__username", TextField()),
        text(""),
        empty_time,
    )
    topics = columns(
        project.topics.all(),
        text("topic"),
        text(""),
        Cast("name", TextField()),
        text(""),
        text(""),
        empty_time,
    )
    changes = columns(
        StatusChange.objects.filter(
            content_type=ContentType.objects.get_for_model(Project), object_id=project.pk
        ),
        text("change"),
        Cast("source", TextField()),
        Cast("target", TextField()),
        Concat("by__first_name", Value(" "), "by__last_name", output_field=TextField()),
        Cast("note", TextField()),
        Cast("at", DateTimeField()),
    )
    record = TeamAndRecord([], [], [])
    roles = dict(ProjectMember.Role.choices)
    states = dict(Project.Status.choices)
    for kind, a, b, c, d, at in team.union(topics, changes, all=True):
        if kind == "team":
            record.team.append({"role": roles.get(a, a), "role_key": a, "name": b.strip() or c})
        elif kind == "topic":
            record.topics.append(b)
        else:
            record.status_changes.append(
                {
                    "source": a,
                    "target": b,
                    "source_label": states.get(a, a),
                    "target_label": states.get(b, b),
                    "by": c.strip() or "someone",
                    "note": d,
                    "at": at,
                }
            )
    order = {"center_lead": 0, "center_staff": 1, "sea_contact": 2}
    record.team.sort(key=lambda m: (order.get(m["role_key"], 3), m["name"]))
    record.topics.sort()
    record.status_changes.sort(key=lambda change: change["at"])
    return record


def project_work(project: Project, user) -> dict:
    """Context of the project page's work panel (two queries)."""
    progress = goal_progress(project, user)
    record = team_and_record(project)
    return {
        "can_edit": project_editable_by(user),
        "pending_proposals": sum(row.pending_proposals for row in progress),
        "moves": moves_for(project, user),
        "status_changes": record.status_changes,
        "team": record.team,
        "topics": record.topics,
        "goal_progress": progress,
    }
