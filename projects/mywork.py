""" "My work": what is each signed-in user's to do, gathered from every app into the home page.

Apps above projects (meetings' action items and meetings, intake's requests, later the
activities awaiting confirmation) plug in with `register_work_section`; projects knows none of
them. A provider receives the user and today's date and returns a WorkSection, or None when the
section does not apply to the user. Each provider runs a fixed number of queries (at most two)
whatever the data size, and lists at most LIMIT items with a link to the rest.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

LIMIT = 8


@dataclass
class WorkItem:
    label: str
    url: str
    detail: str = ""
    when: datetime.date | None = None
    overdue: bool = False


@dataclass
class WorkSection:
    key: str
    title: str
    items: list[WorkItem] = field(default_factory=list)
    empty: str = "Nothing here."
    more_url: str = ""
    more_label: str = ""


Provider = Callable[..., WorkSection | None]
_PROVIDERS: dict[str, tuple[int, Provider]] = {}


def register_work_section(key: str, *, order: int) -> Callable[[Provider], Provider]:
    """Register `provider(user=..., today=...)` as the section `key`, shown in `order`."""

    def decorator(provider: Provider) -> Provider:
        _PROVIDERS[key] = (order, provider)
        return provider

    return decorator


def registered_work_sections() -> list[str]:
    return [key for key, _ in sorted(_PROVIDERS.items(), key=lambda kv: kv[1][0])]


def my_work(user, *, today: datetime.date | None = None) -> list[WorkSection]:
    """The sections of `user`'s work, in their registered order."""
    from django.utils import timezone

    today = today or timezone.localdate()
    sections = []
    for key in registered_work_sections():
        section = _PROVIDERS[key][1](user=user, today=today)
        if section is not None:
            sections.append(section)
    return sections


# The projects app's own sections ---------------------------------------------------------------


def my_projects(user):
    """The projects that are `user`'s: those they are on the team of; for SEA staff also their
    state's projects."""
    from django.db.models import Q

    from projects.models import Project, ProjectMember

    mine = Q(pk__in=ProjectMember.objects.filter(user=user).values("project_id"))
    if user.scoped_sea_id:
        mine |= Q(sea_id=user.scoped_sea_id)
    return Project.objects.visible_to(user).filter(mine)


@register_work_section("products_due", order=20)
def products_due_section(*, user, today):
    from django.urls import reverse

    from projects.models import Product

    soon = today + datetime.timedelta(days=30)
    products = list(
        Product.objects.filter(
            project__in=my_projects(user), status__in=Product.OPEN_STATUSES, due_date__lte=soon
        )
        .select_related("project")
        .order_by("due_date", "pk")[: LIMIT + 1]
    )
    items = [
        WorkItem(
            label=p.title,
            url=reverse("projects:product_detail", args=[p.pk]),
            detail=f"{p.project.title} · {p.get_status_display()}",
            when=p.due_date,
            overdue=p.due_date < today,
        )
        for p in products[:LIMIT]
    ]
    more = (
        reverse("projects:product_list") + f"?due_before={soon.isoformat()}" if len(products) > LIMIT else ""
    )
    return WorkSection(
        key="products_due",
        title="Products due in the next 30 days on your projects",
        items=items,
        empty="No product of your projects is due in the next 30 days.",
        more_url=more,
        more_label="All products due",
    )


@register_work_section("projects_attention", order=50)
def projects_attention_section(*, user, today):
    """Projects of the user that need a decision: past their end date but open, proposed for
    more than 30 days, with overdue products, or with goal edits proposed by the state."""
    from django.db.models import Exists, OuterRef, Q
    from django.urls import reverse

    from projects.models import GoalProposal, Product, Project

    overdue = Product.objects.filter(
        project=OuterRef("pk"), status__in=Product.OPEN_STATUSES, due_date__lt=today
    )
    proposals = GoalProposal.objects.filter(goal__project=OuterRef("pk"), status=GoalProposal.Status.PENDING)
    open_statuses = [Project.Status.PROPOSED, Project.Status.ACTIVE, Project.Status.PAUSED]
    rows = (
        my_projects(user)
        .filter(status__in=open_statuses)
        .annotate(has_overdue=Exists(overdue), has_proposals=Exists(proposals))
        .filter(
            Q(end_date__lt=today)
            | Q(status=Project.Status.PROPOSED, created_at__date__lt=today - datetime.timedelta(days=30))
            | Q(has_overdue=True)
            | Q(has_proposals=True)
        )
        .order_by("title")[: LIMIT + 1]
    )
    items = []
    for project in list(rows)[:LIMIT]:
        reasons = []
        if project.end_date and project.end_date < today:
            reasons.append("past its end date")
        if (
            project.status == Project.Status.PROPOSED
            and project.created_at.date() < today - datetime.timedelta(days=30)
        ):
            reasons.append("proposed for over 30 days")
        if project.has_overdue:
            reasons.append("overdue products")
        if project.has_proposals:
            reasons.append("goal edits to decide")
        items.append(
            WorkItem(
                label=project.title,
                url=reverse("projects:detail", args=[project.pk]),
                detail="; ".join(reasons).capitalize(),
            )
        )
    return WorkSection(
        key="projects_attention",
        title="Your projects needing attention",
        items=items,
        empty="None of your projects needs attention.",
        more_url=reverse("projects:list") if len(rows) > LIMIT else "",
        more_label="All projects",
    )
