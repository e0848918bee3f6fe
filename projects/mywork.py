""" "My work": what is each signed-in user's to do, gathered from every app into the home page.

Apps above projects (meetings' action items and meetings, intake's requests, later the
activities awaiting confirmation) plug in with `register_work_section`; projects knows none of
them. A provider receives the user and today's date and returns a WorkQuery (or None when the
section does not apply to the user): a queryset of rows in the common shape of `work_columns`
and a function that turns a row into a WorkItem. `my_work` runs every section's query as one
UNION ALL statement, so the home page pays one statement for "my work" however many sections
and rows there are.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.db import connection, models
from django.db.models import Value
from django.db.models.functions import Cast

from core.dates import start_of_local_day

LIMIT = 8
COLUMNS = ("w_section", "pk", "w_label", "w_when", "w_detail", "w_extra")


@dataclass
class WorkItem:
    label: str
    url: str
    detail: str = ""
    when: datetime.date | None = None
    overdue: bool = False


@dataclass
class WorkRow:
    pk: int
    label: str
    when: datetime.date | None
    detail: str
    extra: str


@dataclass
class WorkSection:
    key: str
    title: str
    rows: list[WorkRow] = field(default_factory=list)
    item: Callable[[WorkRow], WorkItem] | None = None
    empty: str = "Nothing here."
    more_url: str = ""
    more_label: str = ""

    @cached_property
    def items(self) -> list[WorkItem]:
        """The rows as shown: made when the section is drawn, not when a cached drawing is used."""
        return [self.item(row) for row in self.rows] if self.item is not None else []

    @property
    def shown(self) -> tuple:
        """Everything the section shows, for the key of its cached drawing (`core.fragments`)."""
        return (self.key, self.title, self.rows, self.empty, self.more_url, self.more_label)


@dataclass
class WorkQuery:
    """A section's rows (`work_columns` applied, ordered) and how to show them."""

    rows: models.QuerySet
    item: Callable[[WorkRow], WorkItem]
    title: str
    empty: str
    more_url: str = ""
    more_label: str = ""


def _text(expression) -> Cast:
    return Cast(expression, output_field=models.TextField())


def work_columns(queryset, *, key: str, label, when, detail, extra=None):
    """Give `queryset` the common columns of the my-work UNION (label, detail and extra are
    expressions or field names cast to text; `when` a date expression)."""
    as_expr = lambda value: models.F(value) if isinstance(value, str) else value  # noqa: E731
    return queryset.annotate(
        w_section=Value(key, output_field=models.TextField()),
        w_label=_text(as_expr(label)),
        w_when=Cast(as_expr(when), output_field=models.DateField())
        if when is not None
        else Cast(Value(None), output_field=models.DateField()),  # typed: a bare NULL is text in a UNION
        w_detail=_text(as_expr(detail)),
        w_extra=_text(as_expr(extra)) if extra is not None else Value("", output_field=models.TextField()),
    ).values_list(*COLUMNS)


Provider = Callable[..., WorkQuery | None]
_PROVIDERS: dict[str, tuple[int, Provider]] = {}


def register_work_section(key: str, *, order: int) -> Callable[[Provider], Provider]:
    """Register `provider(user=..., today=...) -> WorkQuery | None` as section `key`, shown in `order`."""

    def decorator(provider: Provider) -> Provider:
        _PROVIDERS[key] = (order, provider)
        return provider

    return decorator


def registered_work_sections() -> list[str]:
    return [key for key, _ in sorted(_PROVIDERS.items(), key=lambda kv: kv[1][0])]


def my_work(user, *, today: datetime.date | None = None) -> list[WorkSection]:
    """The sections of `user`'s work, in their registered order (one statement for all)."""
    from django.utils import timezone

    today = today or timezone.localdate()
    queries: dict[str, WorkQuery] = {}
    for key in registered_work_sections():
        query = _PROVIDERS[key][1](user=user, today=today)
        if query is not None:
            queries[key] = query
    if not queries:
        return []
    parts = [q.rows[: LIMIT + 1] for q in queries.values()]
    rows: dict[str, list[WorkRow]] = {key: [] for key in queries}
    if len(parts) == 1:
        found_rows = list(parts[0])
    elif connection.features.supports_slicing_ordering_in_compound:
        found_rows = list(parts[0].union(*parts[1:], all=True))
    else:
        # SQLite (the embedded default) cannot limit the parts of a UNION: one query per section.
        found_rows = [row for part in parts for row in part]
    for section, pk, label, when, detail, extra in found_rows:
        rows[section].append(WorkRow(pk, label or "", when, detail or "", extra or ""))
    sections = []
    for key, query in queries.items():
        found = rows[key]
        sections.append(
            WorkSection(
                key=key,
                title=query.title,
                rows=found[:LIMIT],
                item=query.item,
                empty=query.empty,
                more_url=query.more_url if len(found) > LIMIT else "",
                more_label=query.more_label,
            )
        )
    return sections


# The projects app's own sections ---------------------------------------------------------------


def my_projects(user):
    """The projects that are `user`'s: those they are on the team of; for SEA staff also their
    state's projects."""
    from django.db.models import Q

    from projects.models import Project, ProjectMember

    visible = Project.objects.visible_to(user)
    if user.scoped_sea_id and not user.sees_whole_portfolio:
        return visible  # SEA staff see only their state's projects: every one is theirs
    mine = Q(pk__in=ProjectMember.objects.filter(user=user).values("project_id"))
    if user.scoped_sea_id:
        mine |= Q(sea_id=user.scoped_sea_id)
    return visible.filter(mine)


@register_work_section("products_due", order=20)
def products_due_section(*, user, today):
    from django.db.models.functions import Concat
    from django.urls import reverse

    from projects.models import Product

    soon = today + datetime.timedelta(days=30)
    rows = work_columns(
        Product.objects.filter(
            project__in=my_projects(user), status__in=Product.OPEN_STATUSES, due_date__lte=soon
        ).order_by("due_date", "pk"),
        key="products_due",
        label="title",
        when="due_date",
        detail=Concat("project__title", Value(" · "), "status", output_field=models.TextField()),
    )
    statuses = dict(Product.Status.choices)

    def item(row: WorkRow) -> WorkItem:
        project_title, _, status = row.detail.rpartition(" · ")
        return WorkItem(
            label=row.label,
            url=reverse("projects:product_detail", args=[row.pk]),
            detail=f"{project_title} · {statuses.get(status, status)}",
            when=row.when,
            overdue=row.when is not None and row.when < today,
        )

    return WorkQuery(
        rows=rows,
        item=item,
        title="Products due in the next 30 days on your projects",
        empty="No product of your projects is due in the next 30 days.",
        more_url=reverse("projects:product_list") + f"?due_before={soon.isoformat()}",
        more_label="All products due",
    )


@register_work_section("projects_attention", order=50)
def projects_attention_section(*, user, today):
    """Projects of the user that need a decision: past their end date but open, proposed for
    more than 30 days, with overdue products, or with goal edits proposed by the state."""
    from django.db.models import Case, Exists, OuterRef, Q, When
    from django.db.models.functions import Concat
    from django.urls import reverse

    from projects.models import GoalProposal, Product, Project

    overdue = Product.objects.filter(
        project=OuterRef("pk"), status__in=Product.OPEN_STATUSES, due_date__lt=today
    )
    proposals = GoalProposal.objects.filter(goal__project=OuterRef("pk"), status=GoalProposal.Status.PENDING)
    stale = Q(
        status=Project.Status.PROPOSED,
        created_at__lt=start_of_local_day(today - datetime.timedelta(days=30)),
    )
    late = Q(end_date__lt=today)

    def flag(condition, text):
        return Case(When(condition, then=Value(text)), default=Value(""), output_field=models.TextField())

    rows = work_columns(
        my_projects(user)
        .filter(status__in=[Project.Status.PROPOSED, Project.Status.ACTIVE, Project.Status.PAUSED])
        .annotate(has_overdue=Exists(overdue), has_proposals=Exists(proposals))
        .filter(late | stale | Q(has_overdue=True) | Q(has_proposals=True))
        .order_by("title"),
        key="projects_attention",
        label="title",
        when=None,
        detail=Concat(
            flag(late, "past its end date;"),
            flag(stale, "proposed for over 30 days;"),
            flag(Q(has_overdue=True), "overdue products;"),
            flag(Q(has_proposals=True), "goal edits to decide;"),
            output_field=models.TextField(),
        ),
    )

    def item(row: WorkRow) -> WorkItem:
        reasons = [part for part in row.detail.split(";") if part]
        return WorkItem(
            label=row.label,
            url=reverse("projects:detail", args=[row.pk]),
            detail="; ".join(reasons).capitalize(),
        )

    return WorkQuery(
        rows=rows,
        item=item,
        title="Your projects needing attention",
        empty="None of your projects needs attention.",
        more_url=reverse("projects:list"),
        more_label="All projects",
    )
