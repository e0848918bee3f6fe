"""What the project page shows of the running work: team, topics, status moves and goal progress."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from projects.models import Goal, GoalProposal, Product, Project
from projects.services.projects import project_editable_by
from projects.services.workflow import moves_for, status_history


@dataclass
class GoalProgress:
    goal: Goal
    objectives_total: int = 0
    objectives_met: int = 0
    products_total: int = 0
    products_delivered: int = 0
    indicators: int = 0
    activities: int = 0
    moves: list = field(default_factory=list)

    @property
    def percent(self) -> int:
        """Share of the goal's objectives met and products delivered (the goal itself when it has neither)."""
        total = self.objectives_total + self.products_total
        if not total:
            return 100 if self.goal.status == Goal.Status.MET else 0
        return round(100 * (self.objectives_met + self.products_delivered) / total)


def goal_progress(project: Project, user) -> list[GoalProgress]:  # noqa: ARG001 - callers scope the project
    """Each goal with counts of what serves it (one query)."""
    goals = (
        Goal.objects.filter(project=project)
        .annotate(
            objectives_total=Count("objectives", distinct=True),
            objectives_met=Count("objectives", filter=Q(objectives__status="met"), distinct=True),
            products_total=Count("products", distinct=True),
            products_delivered=Count(
                "products", filter=Q(products__status__in=["delivered", "retired"]), distinct=True
            ),
            indicator_count=Count("indicators", distinct=True),
            activity_count=Count("activities", distinct=True),
        )
        .order_by("number")
    )
    return [
        GoalProgress(
            goal=g,
            objectives_total=g.objectives_total,
            objectives_met=g.objectives_met,
            products_total=g.products_total,
            products_delivered=g.products_delivered,
            indicators=g.indicator_count,
            activities=g.activity_count,
        )
        for g in goals
    ]


def project_work(project: Project, user) -> dict:
    """Context of the project page's work panel."""
    team = list(project.team.select_related("user").order_by("role", "user__last_name"))
    return {
        "can_edit": project_editable_by(user),
        "moves": moves_for(project, user),
        "status_changes": list(status_history(project)),
        "team": team,
        "topics": list(project.topics.all()),
        "goal_progress": goal_progress(project, user),
        "pending_proposals": GoalProposal.objects.filter(
            goal__project=project, status=GoalProposal.Status.PENDING
        ).count(),
        "open_products": Product.objects.filter(project=project, status__in=Product.OPEN_STATUSES).count(),
    }
