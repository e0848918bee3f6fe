"""Reads behind the dashboards, the project page, the indicator page and the network of support.

Every function takes querysets already scoped with `visible_to(user)` (or the user) and answers
with a fixed number of queries whatever the size of the portfolio: aggregates run in SQL, lists
are bounded, and the hours chart reads the monthly rollup (`ActivityMonth`) instead of the
million-row activity table.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.expressions import ArraySubquery
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import JSONObject
from django.db.models.lookups import Exact, GreaterThanOrEqual, LessThanOrEqual

from accounts.scoping import scope_to_user
from stakeholders.models import SEA, District, Membership, PartnerCenter

from .models import (
    Activity,
    ActivityMonth,
    Condition,
    ConditionAssessment,
    Goal,
    Indicator,
    IndicatorValue,
    Product,
    Project,
    Stage,
)

HEATMAP_PAGE_SIZE = 25
HOURS_MONTHS = 12
QUIET_DAYS = 60
STALE_ASSESSMENT_MONTHS = 6
ATTENTION_LIMIT = 10
OVERDUE_LIMIT = 10
RECENT_LIMIT = 10


# Conditions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConditionInfo:
    number: int
    slug: str
    name: str


def condition_list() -> list[ConditionInfo]:
    """The five conditions (reference data from a migration), cached for a few minutes."""
    conditions = cache.get("projects:conditions")
    if conditions is None:
        conditions = [
            ConditionInfo(number, slug, name)
            for number, slug, name in Condition.objects.order_by("number").values_list(
                "number", "slug", "name"
            )
        ]
        if conditions:  # never remember an empty table (a database being set up or flushed)
            cache.set("projects:conditions", conditions, timeout=300)
    return conditions


STAGE_LABELS = dict(Stage.choices)


# Dates -----------------------------------------------------------------------------------------


def months_back(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` months before the month of `day`."""
    index = day.year * 12 + day.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_starts(today: datetime.date, count: int) -> list[datetime.date]:
    """The first days of the last `count` months, oldest first, ending with today's month."""
    return [months_back(today, n) for n in range(count - 1, -1, -1)]


# Projects by state and status ------------------------------------------------------------------


@dataclass
class StateRow:
    sea_id: int
    state_code: str
    short_name: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def ordered_counts(self) -> list[int]:
        """Counts in the order of Project.Status."""
        return [self.counts.get(status, 0) for status in Project.Status.values]


def projects_by_state_and_status(projects: QuerySet) -> list[StateRow]:
    rows: dict[int, StateRow] = {}
    grouped = (
        projects.order_by()
        .values("sea_id", "sea__state_code", "sea__short_name", "status")
        .annotate(n=Count("pk"))
        .order_by("sea__state_code")
    )
    for row in grouped:
        state = rows.setdefault(
            row["sea_id"],
            StateRow(row["sea_id"], row["sea__state_code"], row["sea__short_name"], {}),
        )
        state.counts[row["status"]] = row["n"]
    return list(rows.values())


def status_totals(states: list[StateRow]) -> list[tuple[str, str, int]]:
    """(status, label, count) for every status, over the given states."""
    return [
        (status, label, sum(state.counts.get(status, 0) for state in states))
        for status, label in Project.Status.choices
    ]


# Heat map --------------------------------------------------------------------------------------


@dataclass
class HeatCell:
    condition: ConditionInfo
    stage: int | None

    @property
    def label(self) -> str:
        return STAGE_LABELS.get(self.stage, "") if self.stage is not None else "Not assessed"


@dataclass
class HeatRow:
    pk: int
    title: str
    state_code: str
    cells: list[HeatCell]


@lru_cache(maxsize=1)
def latest_stages() -> ArraySubquery:
    """The latest assessed stage of each condition of the outer project (newest assessment, then
    newest record), as `[{"n": condition number, "s": stage}, ...]` for the conditions assessed:
    one correlated subquery, DISTINCT ON the condition, whatever the number of conditions.

    Built once: a query that annotates with it works on a copy. Read it with `stages_by_condition`.
    """
    return ArraySubquery(
        ConditionAssessment.objects.filter(project=OuterRef("pk"))
        .order_by("condition_id", "-assessed_on", "-created_at", "-pk")
        .distinct("condition_id")
        .values_list(JSONObject(n="condition__number", s="stage"))
    )


def stages_by_condition(latest: list[dict], conditions: list[ConditionInfo]) -> list[int | None]:
    """The stages of a `latest_stages()` value in the order of `conditions` (None: not assessed)."""
    by_number = {item["n"]: item["s"] for item in latest}
    return [by_number.get(condition.number) for condition in conditions]


def heatmap_page(projects: QuerySet, *, total: int, page_number, conditions: list[ConditionInfo]):
    """One page of the projects × conditions heat map, latest stage per cell, in one query.

    `total` is the number of projects (already known from the status counts), so the paginator
    does not count them again. The page's rows are the project's id, title and state and the
    five stages, not whole projects.
    """
    ordered = (
        projects.order_by("sea__state_code", "title", "pk")
        .annotate(latest_stages=latest_stages())
        .values_list("pk", "title", "sea__state_code", "latest_stages")
    )
    paginator = Paginator(ordered, HEATMAP_PAGE_SIZE)
    paginator.__dict__["count"] = total  # cached_property: skip the COUNT(*) query
    page = paginator.get_page(page_number)
    page.rows = [  # type: ignore[attr-defined]  # the heatmap template reads its rows off the page
        HeatRow(
            pk,
            title,
            state_code,
            [
                HeatCell(condition, stage)
                for condition, stage in zip(conditions, stages_by_condition(latest, conditions), strict=True)
            ],
        )
        for pk, title, state_code, latest in page.object_list
    ]
    return page


# Hours per month by condition ------------------------------------------------------------------


@dataclass
class HoursSeries:
    key: str  # "all" or the condition slug
    name: str
    values: list[Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.values, Decimal(0))


@dataclass
class HoursByMonth:
    months: list[datetime.date]
    total: HoursSeries
    by_condition: list[HoursSeries]

    @property
    def series(self) -> list[HoursSeries]:
        return [self.total, *self.by_condition]

    @property
    def maximum(self) -> Decimal:
        return max((v for s in self.series for v in s.values), default=Decimal(0))


def activity_hours_by_month(
    user,
    *,
    sea: SEA | None = None,
    conditions: list[ConditionInfo],
    today: datetime.date,
    months=HOURS_MONTHS,
) -> HoursByMonth:
    """Hours logged per month over the last `months` months, in all and per condition.

    Reads the `ActivityMonth` rollup (one row per SEA, month and condition), so the cost depends on
    the number of states and months, not on the number of activities.
    """
    starts = month_starts(today, months)
    rollup = scope_to_user(ActivityMonth.objects.all(), user, "sea").filter(month__gte=starts[0])
    if sea is not None:
        rollup = rollup.filter(sea=sea)
    sums = rollup.values("month", "condition_number").annotate(hours=Sum("hours")).order_by()
    cells = {(row["month"], row["condition_number"]): row["hours"] for row in sums}

    def values(number):
        return [cells.get((month, number)) or Decimal(0) for month in starts]

    return HoursByMonth(
        months=starts,
        total=HoursSeries("all", "All activities", values(ActivityMonth.ALL_CONDITIONS)),
        by_condition=[HoursSeries(c.slug, c.name, values(c.number)) for c in conditions],
    )


# Indicators ------------------------------------------------------------------------------------


def latest_value_subquery(indicator_ref="pk"):
    return Subquery(
        IndicatorValue.objects.filter(indicator=OuterRef(indicator_ref))
        .order_by("-measured_on")
        .values("value")[:1]
    )


@dataclass
class IndicatorCounts:
    on_target: int
    off_target: int
    no_value: int

    @property
    def total(self) -> int:
        return self.on_target + self.off_target + self.no_value


@lru_cache(maxsize=1)
def _latest_value_meets_target() -> Subquery:
    """Whether an indicator's latest value meets its target (Indicator.is_on_target), NULL
    without a value. Built once: a query that annotates with it works on a copy."""
    direction, target, value = OuterRef("direction"), OuterRef("target"), F("value")
    increase, decrease = Indicator.Direction.INCREASE, Indicator.Direction.DECREASE
    meets = (
        Q(Exact(direction, increase), GreaterThanOrEqual(value, target))
        | Q(Exact(direction, decrease), LessThanOrEqual(value, target))
        | Q(Exact(value, target), ~Q(Exact(direction, increase)), ~Q(Exact(direction, decrease)))
    )
    return Subquery(
        IndicatorValue.objects.filter(indicator=OuterRef("pk"))
        .order_by("-measured_on")
        .annotate(meets=Case(When(meets, then=Value(True)), default=Value(False)))
        .values("meets")[:1]
    )


def indicator_status(indicators: QuerySet) -> tuple[IndicatorCounts, set[int]]:
    """How many indicators meet their target at their latest value, and which projects have one
    that does not, in one query answering three rows (on target, off target, no value yet).

    The correlated LIMIT 1 on the (indicator, date) index reads each indicator's latest value
    and compares it with the indicator's target by the rule of Indicator.is_on_target; the rows
    are grouped on that answer, with the projects of each group, so the counts and the projects
    needing attention come back summarized however many indicators there are.
    """
    groups = (
        indicators.order_by()
        .annotate(on_target=_latest_value_meets_target())
        .values("on_target")
        .annotate(n=Count("pk"), projects=ArrayAgg("project_id", distinct=True))
    )
    counts = {True: 0, False: 0, None: 0}
    off_projects: set[int] = set()
    for group in groups:
        counts[group["on_target"]] = group["n"]
        if group["on_target"] is False:
            off_projects = set(group["projects"])
    return IndicatorCounts(counts[True], counts[False], counts[None]), off_projects


# Overdue products ------------------------------------------------------------------------------


def overdue_products(products: QuerySet, *, today: datetime.date, limit=OVERDUE_LIMIT):
    """The open products furthest past their due date, each carrying the total as `total`."""
    return list(
        products.filter(status__in=Product.OPEN_STATUSES, due_date__lt=today)
        .select_related("project__sea")
        # A project's status is read when it loads (ConcurrentTransitionMixin): it comes along.
        .only("title", "due_date", "status", "project__title", "project__status", "project__sea__state_code")
        .annotate(total=Window(Count("pk")))
        .order_by("due_date", "pk")[:limit]
    )


# Projects needing attention --------------------------------------------------------------------


def attention_cutoffs(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    quiet_since = today - datetime.timedelta(days=QUIET_DAYS)
    index = today.year * 12 + today.month - 1 - STALE_ASSESSMENT_MONTHS
    year, month = index // 12, index % 12 + 1
    for day in (today.day, 30, 29, 28):  # the same day six months back, or that month's last day
        try:
            return quiet_since, datetime.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass
class AttentionRow:
    pk: int
    title: str
    state_code: str
    is_quiet: bool
    is_stale: bool
    is_off_target: bool


@dataclass
class Attention:
    rows: list[AttentionRow]
    total: int


def projects_needing_attention(
    projects: QuerySet, *, today: datetime.date, off_target: set[int], limit=ATTENTION_LIMIT
) -> Attention:
    """Active projects with no activity in 60 days, an indicator off target (`off_target`: the
    project ids from `indicator_status`), or no assessment in six months: the first `limit` by
    state and title, with the three reasons, and how many in all.

    One query: each test is an EXISTS on an index (activities by project and date, assessments by
    project), evaluated once per active project; the flags come back as booleans and are filtered
    here, because filtering on them in SQL would make PostgreSQL evaluate every EXISTS twice.
    """
    quiet_since, assessed_since = attention_cutoffs(today)
    recent_activity = Activity.objects.filter(project=OuterRef("pk"), date__gte=quiet_since)
    recent_assessment = ConditionAssessment.objects.filter(
        project=OuterRef("pk"), assessed_on__gte=assessed_since
    )
    rows = (
        projects.filter(status=Project.Status.ACTIVE)
        .annotate(
            has_recent_activity=Exists(recent_activity), has_recent_assessment=Exists(recent_assessment)
        )
        .order_by("sea__state_code", "title", "pk")
        .values_list("pk", "title", "sea__state_code", "has_recent_activity", "has_recent_assessment")
    )
    shown: list[AttentionRow] = []
    total = 0
    for pk, title, code, active, assessed in rows:
        if not active or not assessed or pk in off_target:
            total += 1
            if limit is None or len(shown) < limit:
                shown.append(AttentionRow(pk, title, code, not active, not assessed, pk in off_target))
    return Attention(rows=shown, total=total)


# Activity feed ---------------------------------------------------------------------------------


def recent_activities(activities: QuerySet, limit=RECENT_LIMIT):
    return list(
        activities.select_related("project__sea", "author")
        .only(
            "date",
            "type",
            "summary",
            "hours",
            "project__title",
            "project__status",
            "project__sea__state_code",
            "author__username",
            "author__first_name",
            "author__last_name",
        )
        .order_by("-date", "-pk")[:limit]
    )


# State dashboard extras ------------------------------------------------------------------------


def sea_with_status_counts(seas: QuerySet, state_code: str):
    """The SEA with `count_<status>` annotations, or None (one query)."""
    annotations = {
        f"count_{status}": Count("projects", filter=Q(projects__status=status))
        for status, _ in Project.Status.choices
    }
    # State codes are unique: no ordering needed to pick the one row.
    return next(iter(seas.filter(state_code=state_code.upper()).annotate(**annotations)[:1]), None)


def state_districts(sea: SEA, limit=15):
    """The state's districts taking part in projects, busiest first, each with `total`."""
    return list(
        District.objects.filter(sea=sea)
        .only("name")
        .annotate(project_count=Count("projects"))
        .filter(project_count__gt=0)
        .annotate(total=Window(Count("pk")))
        .order_by("-project_count", "name")[:limit]
    )


def state_partner_centers(sea: SEA):
    """Centers leading or partnering on the state's projects, with how many of each."""
    led = (
        Project.objects.filter(sea=sea, lead_center=OuterRef("pk"))
        .order_by()
        .values("lead_center")
        .annotate(n=Count("pk"))
        .values("n")
    )
    partnered = (
        Project.partner_centers.through.objects.filter(project__sea=sea, partnercenter=OuterRef("pk"))
        .order_by()
        .values("partnercenter")
        .annotate(n=Count("pk"))
        .values("n")
    )
    centers = (
        PartnerCenter.objects.only("name", "short_name")
        .annotate(led=Subquery(led), partnered=Subquery(partnered))
        .order_by("name")
    )
    # Filtered here: a filter on the counts would repeat both subqueries in the WHERE clause.
    # There are a few dozen centers.
    return [center for center in centers if center.led or center.partnered]


# Project page ----------------------------------------------------------------------------------


@dataclass
class ProjectLinks:
    offices: list = field(default_factory=list)
    districts: list = field(default_factory=list)
    partner_centers: list = field(default_factory=list)


def project_links(project: Project) -> ProjectLinks:
    """Offices, districts and partner centers of a project, in one UNION query."""
    offices = project.offices.values_list(Value("office"), "pk", "name")
    districts = project.districts.values_list(Value("district"), "pk", "name")
    centers = project.partner_centers.values_list(Value("center"), "pk", "name")
    links = ProjectLinks()
    kinds = {"office": links.offices, "district": links.districts, "center": links.partner_centers}
    for kind, pk, name in offices.order_by().union(districts.order_by(), centers.order_by(), all=True):
        kinds[kind].append((pk, name))
    for values in kinds.values():
        values.sort(key=lambda item: item[1])
    return links


@dataclass
class GoalRow:
    number: int
    statement: str
    objectives: list = field(default_factory=list)


def project_goals(project: Project) -> list[GoalRow]:
    """Goals and their objectives in one query."""
    goals: dict[int, GoalRow] = {}
    rows = (
        Goal.objects.filter(project=project)
        .values(
            "pk",
            "number",
            "statement",
            "objectives__number",
            "objectives__statement",
            "objectives__target_date",
        )
        .order_by("number", "objectives__number")
    )
    for row in rows:
        goal = goals.setdefault(row["pk"], GoalRow(row["number"], row["statement"]))
        if row["objectives__number"] is not None:
            goal.objectives.append(
                {
                    "number": row["objectives__number"],
                    "statement": row["objectives__statement"],
                    "target_date": row["objectives__target_date"],
                }
            )
    return list(goals.values())


@dataclass
class ConditionHistory:
    condition: ConditionInfo
    points: list  # assessments, oldest first

    @property
    def latest(self):
        return self.points[-1] if self.points else None


def project_condition_history(project: Project, conditions: list[ConditionInfo]) -> list[ConditionHistory]:
    """Every assessment of the project, grouped per condition, oldest first (one query)."""
    by_number = defaultdict(list)
    assessments = (
        ConditionAssessment.objects.filter(project=project)
        .annotate(condition_number=F("condition__number"))
        .select_related("assessor")
        .order_by("assessed_on", "created_at", "pk")
    )
    for assessment in assessments:
        by_number[assessment.condition_number].append(assessment)
    return [ConditionHistory(c, by_number[c.number]) for c in conditions]


def project_indicators(project: Project) -> list[Indicator]:
    """The project's indicators with `latest`, `latest_on` and `on_target` annotations."""
    latest_on = Subquery(
        IndicatorValue.objects.filter(indicator=OuterRef("pk"))
        .order_by("-measured_on")
        .values("measured_on")[:1]
    )
    indicators: list[Indicator] = list(
        Indicator.objects.filter(project=project)
        .annotate(latest=latest_value_subquery(), latest_on=latest_on)
        .order_by("name")
    )
    for indicator in indicators:
        indicator.on_target = None if indicator.latest is None else indicator.is_on_target(indicator.latest)  # type: ignore[attr-defined]  # annotated above
    return indicators


def indicator_values(indicator: Indicator) -> list[IndicatorValue]:
    return list(indicator.values.select_related("recorded_by").order_by("measured_on"))


# Network of support ----------------------------------------------------------------------------


@dataclass
class Network:
    seas: list
    centers: dict
    projects: list  # dicts: pk, title, sea_id, lead_center_id, partner ids
    bodies: dict  # body id -> {"short_name", "name", "seas": set, "centers": set}
    state: SEA | None = None


def support_network(user, *, state_code: str | None = None) -> Network:
    """SEAs, the centers working with them on which projects, and the advisory bodies they sit on.

    Five queries, whatever the state filter: SEAs, projects, project partners, centers, seats.
    """
    seas = SEA.objects.visible_to(user).order_by("state_code")
    state = None
    if state_code:
        seas = seas.filter(state_code=state_code.upper())
    seas = list(seas.only("pk", "state_code", "short_name", "name"))
    if state_code and seas:
        state = seas[0]
    sea_ids = [sea.pk for sea in seas]
    projects = list(
        Project.objects.visible_to(user)
        .filter(sea_id__in=sea_ids)
        .exclude(status=Project.Status.CANCELLED)
        .order_by("sea__state_code", "title")
        .values("pk", "title", "sea_id", "lead_center_id", "status")
    )
    partners = defaultdict(list)
    through = Project.partner_centers.through.objects.filter(
        project__in=Project.objects.visible_to(user)
        .filter(sea_id__in=sea_ids)
        .exclude(status=Project.Status.CANCELLED)
    )
    for project_id, center_id in through.values_list("project_id", "partnercenter_id"):
        partners[project_id].append(center_id)
    for project in projects:
        project["partner_ids"] = sorted(partners.get(project["pk"], []))
    centers = {
        center.pk: center
        for center in PartnerCenter.objects.visible_to(user).only("pk", "name", "short_name")
    }
    bodies: dict[int, dict] = {}
    seats = (
        Membership.objects.current()
        .filter(Q(represents_sea_id__in=sea_ids) | Q(represents_center__isnull=False))
        .values("body_id", "body__short_name", "body__name", "represents_sea_id", "represents_center_id")
        .order_by()
        .distinct()
    )
    if user.is_authenticated and user.is_active:
        for seat in seats:
            body = bodies.setdefault(
                seat["body_id"],
                {
                    "short_name": seat["body__short_name"],
                    "name": seat["body__name"],
                    "seas": set(),
                    "centers": set(),
                },
            )
            if seat["represents_sea_id"]:
                body["seas"].add(seat["represents_sea_id"])
            if seat["represents_center_id"]:
                body["centers"].add(seat["represents_center_id"])
    return Network(seas=seas, centers=centers, projects=projects, bodies=bodies, state=state)
