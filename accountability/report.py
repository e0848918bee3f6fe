"""The annual performance report: its tables for a period, read from the live records.

Every table is a `Table` of `Cell`s; a cell that counts records carries the URL of the filtered
list of those records, so the page links every number, and the CSV and XLSX exports write the
same tables. Queries are grouped per table (a handful per report, whatever the data size).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Avg, Count, Q, Sum, Value, Window
from django.urls import reverse
from django.utils import timezone

from core.dates import on_local_days
from projects.models import Activity, ConditionAssessment, Product, Project
from projects.selectors import condition_list
from stakeholders.models import SEA

from .models import (
    Attestation,
    Decision,
    Dimension,
    MeasureTarget,
    PerformanceMeasure,
    ProgressExplanation,
    SurveyInvitation,
    SurveyResponse,
)
from .rollup import cached_service_figures
from .selectors import feedback_visible_to, scoped_sea_ids

CONDITION_PROJECT_LIMIT = 50
SERVICES_STATE_LIMIT = 8
HIGH = 4


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    @classmethod
    def fiscal_year(cls, year: int) -> Period:
        """Federal fiscal year `year`: October 1 of the year before to September 30."""
        return cls(datetime.date(year - 1, 10, 1), datetime.date(year, 9, 30))

    @classmethod
    def last_fiscal_year(cls, today: datetime.date | None = None) -> Period:
        today = today or timezone.localdate()
        current = today.year + 1 if today.month >= 10 else today.year
        return cls.fiscal_year(current - 1)

    @property
    def label(self) -> str:
        if (
            self.start.month == 10
            and self.start.day == 1
            and self.end == datetime.date(self.start.year + 1, 9, 30)
        ):
            return f"Fiscal year {self.end.year} (October {self.start.year} – September {self.end.year})"
        return f"{self.start:%B %-d, %Y} – {self.end:%B %-d, %Y}"

    @property
    def query(self) -> dict:
        return {"date_from": self.start.isoformat(), "date_to": self.end.isoformat()}


@dataclass
class Cell:
    value: object
    url: str = ""
    numeric: bool = False


@dataclass
class Table:
    slug: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    note: str = ""
    # Rows written to the exports only (the page shows `rows`).
    export_rows: list[list[Cell]] | None = None
    # When `rows` is one page of the table: how many rows the whole table has.
    total: int | None = None


def _url(name: str, **query) -> str:
    query = {key: value for key, value in query.items() if value not in (None, "")}
    return f"{reverse(name)}?{urlencode(query)}"


def _num(value, url: str = "") -> Cell:
    return Cell(value if value is not None else 0, url, numeric=True)


def _pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"))


def _activities(user, period: Period):
    return Activity.objects.visible_to(user).filter(date__range=(period.start, period.end))


def _delivered(user, period: Period):
    return Product.objects.visible_to(user).filter(
        status=Product.Status.DELIVERED, delivered_on__range=(period.start, period.end)
    )


def activity_url(period: Period, **filters) -> str:
    return _url("projects:activity_list", **filters, **period.query)


def records_url(kind: str, period: Period, **filters) -> str:
    return _url("accountability:records", kind=kind, **filters, **period.query)


# Services by state and type -----------------------------------------------------------------
def figures(user, period: Period) -> dict:
    """The period's service figures for `user` (rollup plus loose days), once per request."""
    cache = user.__dict__.setdefault("_service_figures", {})
    if period not in cache:
        cache[period] = cached_service_figures(
            sea_ids=scoped_sea_ids(user), start=period.start, end=period.end
        )
    return cache[period]


def _seas(user) -> dict[int, SEA]:
    """The SEAs (some fifty rows), read once per request for the tables that name them."""
    if "_report_seas" not in user.__dict__:
        user.__dict__["_report_seas"] = {sea.pk: sea for sea in SEA.objects.all()}
    return user.__dict__["_report_seas"]


def services_table(user, period: Period, *, page: bool = False) -> Table:
    """Per state and type, and each state's total. On the page (`page`), with more than
    SERVICES_STATE_LIMIT states, each state's total and each type's national total only; the
    CSV and the workbook hold every state's types."""
    totals = figures(user, period)
    products = dict(_delivered(user, period).values_list("project__sea").annotate(n=Count("pk")))
    sea_ids = {key[0] for key in totals if key[0] is not None} | set(products)
    seas = {pk: sea for pk, sea in _seas(user).items() if pk in sea_ids}
    types = dict(Activity.Type.choices)
    table = Table(
        "services",
        "Services by state and type",
        ["State", "Type", "Activities", "Hours", "Participants", "Districts reached", "Products delivered"],
        note="Participants and districts are distinct people and districts; a state's total counts each once.",
    )
    by_type = not (page and len(seas) > SERVICES_STATE_LIMIT)
    for sea in sorted(seas.values(), key=lambda s: s.state_code):
        keys = sorted(
            (key for key in totals if key[0] == sea.pk and key[1] is not None),
            key=lambda key: types.get(key[1], key[1]),
        )
        for key in keys if by_type else ():
            row = totals[key]
            link = activity_url(period, state=sea.pk, type=key[1])
            table.rows.append(
                [
                    Cell(sea.short_name),
                    Cell(types.get(key[1], key[1])),
                    _num(row["activities"], link),
                    _num(row["hours"], link),
                    _num(row.get("participants", 0), link),
                    _num(row.get("districts", 0), link),
                    Cell(""),
                ]
            )
        total = totals.get((sea.pk, None), {})
        link = activity_url(period, state=sea.pk)
        table.rows.append(
            [
                Cell(f"{sea.short_name} total"),
                Cell("All types"),
                _num(total.get("activities", 0), link),
                _num(total.get("hours", 0), link),
                _num(total.get("participants", 0), link),
                _num(total.get("districts", 0), link),
                _num(products.get(sea.pk, 0), records_url("products", period, state=sea.pk)),
            ]
        )
    if not by_type:
        for kind in sorted(
            (key[1] for key in totals if key[0] is None and key[1] is not None), key=types.get
        ):
            row = totals[(None, kind)]
            link = activity_url(period, type=kind)
            table.rows.append(
                [
                    Cell("All states"),
                    Cell(types.get(kind, kind)),
                    _num(row["activities"], link),
                    _num(row["hours"], link),
                    _num(row.get("participants", 0), link),
                    _num(row.get("districts", 0), link),
                    Cell(""),
                ]
            )
        table.note += (
            f" {len(seas)} states: each state's total and each type's total over all states here;"
            " the CSV and the workbook hold every state's types."
        )
    return table


# Quality, relevance, usefulness -------------------------------------------------------------
def _rating_figures(queryset, groups: dict[str, Q]) -> dict[str, dict]:
    """Per group (a filter of `queryset`) and dimension: responses, rated highly and the mean,
    all groups in one statement."""
    aggregates = {}
    for group, where in groups.items():
        for dimension in Dimension.values:
            rated = where & Q(**{f"{dimension}__isnull": False})
            aggregates[f"{group}:{dimension}_n"] = Count("pk", filter=rated)
            aggregates[f"{group}:{dimension}_high"] = Count(
                "pk", filter=where & Q(**{f"{dimension}__gte": HIGH})
            )
            aggregates[f"{group}:{dimension}_mean"] = Avg(dimension, filter=where)
    values = queryset.aggregate(**aggregates)
    figures: dict[str, dict] = {group: {} for group in groups}
    for key, value in values.items():
        group, name = key.split(":", 1)
        figures[group][name] = value
    return figures


def _rating_rows(label: str, figures: dict, url: str, invited: int | None) -> list[list[Cell]]:
    rows = []
    for dimension, dimension_label in Dimension.choices:
        n = figures[f"{dimension}_n"]
        high = figures[f"{dimension}_high"]
        mean = figures[f"{dimension}_mean"]
        rows.append(
            [
                Cell(label),
                Cell(dimension_label),
                _num(n, url),
                _num(high, url),
                Cell(_pct(high, n), numeric=True),
                Cell(Decimal(mean).quantize(Decimal("0.01")) if mean is not None else None, numeric=True),
                Cell(_pct(n, invited) if invited else None, numeric=True),
            ]
        )
    return rows


def ratings_table(user, period: Period) -> Table:
    responses = SurveyResponse.objects.filter(
        on_local_days("submitted_at", period.start, period.end),
        invitation__in=SurveyInvitation.objects.visible_to(user).values("pk"),
    )
    invitations = SurveyInvitation.objects.visible_to(user).filter(
        on_local_days("sent_at", period.start, period.end)
    )
    invited = invitations.aggregate(
        services=Count("pk", filter=Q(activity__isnull=False)),
        products=Count("pk", filter=Q(product__isnull=False)),
    )
    surveys = _rating_figures(
        responses,
        {
            "services": Q(invitation__activity__isnull=False),
            "products": Q(invitation__product__isnull=False),
        },
    )
    feedback = feedback_visible_to(user).filter(on_local_days("submitted_at", period.start, period.end))
    table = Table(
        "ratings",
        "Quality, relevance and usefulness",
        [
            "Source",
            "Dimension",
            "Responses",
            "Rated 4 or 5",
            "Percent rated highly",
            "Mean (1–5)",
            "Response rate",
        ],
        note="A response rates a dimension highly when its items average 4 or more.",
    )
    table.rows += _rating_rows(
        "Services (surveys)",
        surveys["services"],
        records_url("responses", period, about="services"),
        invited["services"],
    )
    table.rows += _rating_rows(
        "Products (surveys)",
        surveys["products"],
        records_url("responses", period, about="products"),
        invited["products"],
    )
    table.rows += _rating_rows(
        "Advisory board feedback",
        _rating_figures(feedback, {"all": Q()})["all"],
        _url("meetings:feedback_list") if _has("meetings:feedback_list") else "",
        None,
    )
    return table


def _has(name: str) -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


# Attestation --------------------------------------------------------------------------------
def attestation_table(user, period: Period) -> Table:
    totals = figures(user, period)
    seas = {k[0]: _seas(user)[k[0]].short_name for k in totals if k[0] is not None and k[0] in _seas(user)}
    table = Table(
        "attestation",
        "Confirmation by the states",
        ["State", "Activities", "Confirmed", "Percent confirmed", "Disputed"],
    )
    for sea_id, name in sorted(seas.items(), key=lambda item: item[1]):
        row = {"activities": 0, "confirmed": 0, "disputed": 0, **totals.get((sea_id, None), {})}
        table.rows.append(
            [
                Cell(name),
                _num(row["activities"], activity_url(period, state=sea_id)),
                _num(row["confirmed"], records_url("attestations", period, state=sea_id, status="confirmed")),
                Cell(_pct(row["confirmed"], row["activities"]), numeric=True),
                _num(row["disputed"], records_url("attestations", period, state=sea_id, status="disputed")),
            ]
        )
    return table


# The five conditions ------------------------------------------------------------------------
def _stages_on(project_ids, start: datetime.date, end: datetime.date):
    """Per (project, condition number): the stage assessed last on or before `start`, and on or
    before `end` (one statement for both days)."""

    def last_on(day: datetime.date, which: str):
        return (
            ConditionAssessment.objects.filter(project_id__in=project_ids, assessed_on__lte=day)
            .order_by("project_id", "condition_id", "-assessed_on", "-created_at", "-pk")
            .distinct("project_id", "condition_id")
            .annotate(which=Value(which))
            .values_list("which", "project_id", "condition__number", "stage")
        )

    stages: dict[str, dict[tuple[int, int], int]] = {"start": {}, "end": {}}
    for which, project, number, stage in last_on(start, "start").union(last_on(end, "end"), all=True):
        stages[which][(project, number)] = stage
    return stages["start"], stages["end"]


def conditions_table(
    user, period: Period, *, page: bool = False, offset: int = 0, limit: int | None = None
) -> Table:
    """Per project running in the period, by state and title. On the page (`page`) the first
    CONDITION_PROJECT_LIMIT only; with `limit` the projects [offset, offset + limit) and the
    number of them all in `total` (the API's pages); otherwise, in the exports, all of them."""
    conditions = condition_list()
    if page:
        offset, limit = 0, CONDITION_PROJECT_LIMIT
    running = (
        Project.objects.visible_to(user)
        .filter(start_date__lte=period.end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=period.start))
        .order_by("sea__state_code", "title", "pk")
    )
    if limit is not None:
        # The number of them all rides on each row of the page: no separate count.
        running = running.annotate(total=Window(Count("pk")))
        rows_of = list(
            running.values_list("pk", "title", "sea__short_name", "total")[offset : offset + limit]
        )
        total = rows_of[0][3] if rows_of else (running.count() if offset else 0)
        projects = [row[:3] for row in rows_of]
    else:
        total, projects = None, list(running.values_list("pk", "title", "sea__short_name"))
    ids = [pk for pk, _, _ in projects]
    start, end = _stages_on(ids, period.start, period.end) if ids else ({}, {})
    columns = ["Project", "State"]
    for condition in conditions:
        columns += [f"{condition.name}: start", f"{condition.name}: end"]
    columns.append("Conditions advanced")
    table = Table("conditions", "The five conditions: stage at the start and end of the period", columns)
    table.total = total
    labels = dict(ConditionAssessment._meta.get_field("stage").choices)
    rows = []
    detail = reverse("projects:detail", args=[0]).removesuffix("0/")
    for pk, title, state in projects:
        row = [Cell(title, f"{detail}{pk}/"), Cell(state)]
        advanced = 0
        for condition in conditions:
            before, after = start.get((pk, condition.number)), end.get((pk, condition.number))
            row += [Cell(labels.get(before, "—")), Cell(labels.get(after, "—"))]
            advanced += int(after is not None and (before is None or after > before))
        row.append(Cell(advanced, numeric=True))
        rows.append(row)
    table.rows = rows
    if page and total is not None and total > len(rows):
        table.note = f"The first {len(rows)} of {total} projects; the CSV and the workbook hold all of them."
    return table


# Project status chart -----------------------------------------------------------------------
def measures_visible_to(user):
    visible = Project.objects.visible_to(user).values("pk")
    return PerformanceMeasure.objects.filter(Q(project__isnull=True) | Q(project__in=visible))


def measure_actual(  # noqa: C901 - one branch per kind of record a measure counts
    measure: PerformanceMeasure, user, period: Period
) -> tuple[Decimal | int | None, str]:
    """The measure's actual value over the period and the URL of the records it counts."""
    activities = _activities(user, period)
    filters = {}
    if measure.project_id:
        activities = activities.filter(project_id=measure.project_id)
        filters["project"] = measure.project_id
    if measure.activity_type:
        activities = activities.filter(type=measure.activity_type)
        filters["type"] = measure.activity_type
    link = activity_url(period, **filters)
    Counts = PerformanceMeasure.Counts
    rolled = {
        Counts.ACTIVITIES: "activities",
        Counts.HOURS: "hours",
        Counts.PARTICIPANTS: "participants",
        Counts.DISTRICTS: "districts",
    }
    if not measure.project_id and measure.counts in rolled:
        row = figures(user, period).get((None, measure.activity_type or None), {})
        return row.get(rolled[measure.counts], 0), link
    if not measure.project_id and measure.counts == Counts.ATTESTED:
        row = figures(user, period).get((None, measure.activity_type or None), {})
        url = records_url("attestations", period, status="confirmed", **filters)
        return _pct(row.get("confirmed", 0), row.get("activities", 0)), url
    if measure.counts == Counts.ACTIVITIES:
        return activities.count(), link
    if measure.counts == Counts.HOURS:
        return activities.aggregate(total=Sum("hours"))["total"] or Decimal(0), link
    if measure.counts == Counts.PARTICIPANTS:
        through = Activity.participants.through.objects.filter(activity__in=activities.values("pk"))
        return through.values("stakeholder_id").distinct().count(), link
    if measure.counts == Counts.DISTRICTS:
        through = Activity.districts.through.objects.filter(activity__in=activities.values("pk"))
        return through.values("district_id").distinct().count(), link
    if measure.counts == Counts.PRODUCTS_DELIVERED:
        products = _delivered(user, period)
        if measure.project_id:
            products = products.filter(project_id=measure.project_id)
        return products.count(), records_url("products", period, project=measure.project_id)
    if measure.counts == Counts.ATTESTED:
        total = activities.count()
        confirmed = Attestation.objects.filter(
            activity__in=activities.values("pk"), is_current=True, status=Decision.CONFIRMED
        ).count()
        return _pct(confirmed, total), records_url("attestations", period, status="confirmed", **filters)
    if measure.counts == Counts.RATED_HIGHLY:
        responses = SurveyResponse.objects.filter(
            on_local_days("submitted_at", period.start, period.end),
            invitation__in=SurveyInvitation.objects.visible_to(user).values("pk"),
        )
        if measure.project_id:
            responses = responses.filter(invitation__project_id=measure.project_id)
        aggregates = {}
        for dimension in Dimension.values:
            aggregates[f"{dimension}_n"] = Count("pk", filter=Q(**{f"{dimension}__isnull": False}))
            aggregates[f"{dimension}_h"] = Count("pk", filter=Q(**{f"{dimension}__gte": HIGH}))
        values = responses.aggregate(**aggregates)
        n = sum(values[f"{d}_n"] for d in Dimension.values)
        high = sum(values[f"{d}_h"] for d in Dimension.values)
        return _pct(high, n), records_url("responses", period, project=measure.project_id)
    return None, ""


def status_rows(user, period: Period) -> list[dict]:
    measures = list(
        measures_visible_to(user)
        .select_related("project__sea", "objective__goal")
        .order_by("project__title", "order", "name")
    )
    targets = {
        row.measure_id: row.target
        for row in MeasureTarget.objects.filter(
            measure__in=measures, period_start=period.start, period_end=period.end
        )
    }
    explanations = {
        row.measure_id: row
        for row in ProgressExplanation.objects.filter(
            measure__in=measures, period_start=period.start, period_end=period.end
        )
    }
    rows = []
    for measure in measures:
        actual, link = measure_actual(measure, user, period)
        target = targets.get(measure.pk)
        ratio = (
            (Decimal(actual) / target).quantize(Decimal("0.01")) if actual is not None and target else None
        )
        rows.append(
            {
                "measure": measure,
                "objective": (
                    f"Objective {measure.objective.goal.number}.{measure.objective.number}: {measure.objective.statement}"
                    if measure.objective_id
                    else ""
                ),
                "scope": measure.project.title if measure.project_id else "Program measure (all projects)",
                "target": target,
                "actual": actual,
                "link": link,
                "ratio": ratio,
                "percent": (ratio * 100).quantize(Decimal("0.1")) if ratio is not None else None,
                "explanation": explanations.get(measure.pk),
            }
        )
    return rows


def status_table(user, period: Period, rows: list[dict] | None = None) -> Table:
    rows = status_rows(user, period) if rows is None else rows
    table = Table(
        "status",
        "Project status chart",
        [
            "Measure",
            "Scope",
            "Objective",
            "Target",
            "Actual",
            "Ratio",
            "Percent of target",
            "Explanation of progress",
        ],
    )
    for row in rows:
        table.rows.append(
            [
                Cell(row["measure"].name),
                Cell(row["scope"]),
                Cell(row["objective"]),
                Cell(row["target"], numeric=True),
                Cell(row["actual"], row["link"], numeric=True),
                Cell(row["ratio"], numeric=True),
                Cell(row["percent"], numeric=True),
                Cell(row["explanation"].text if row["explanation"] else ""),
            ]
        )
    return table


TABLES = {
    "status": status_table,
    "services": services_table,
    "ratings": ratings_table,
    "conditions": conditions_table,
    "attestation": attestation_table,
}


def report_tables(user, period: Period) -> list[Table]:
    return [build(user, period) for build in TABLES.values()]


def table_page(slug: str, user, period: Period, *, offset: int, limit: int) -> Table:
    """Rows [offset, offset + limit) of the report table `slug`, with the number of them all in
    `total` (the API's pages). The conditions table, one row per project, reads only the page's
    projects; the others (states by type, measures, a few fixed rows) are built whole and cut."""
    if slug == "conditions":
        return conditions_table(user, period, offset=offset, limit=limit)
    table = TABLES[slug](user, period)
    rows = table.export_rows if table.export_rows is not None else table.rows
    table.total, table.rows, table.export_rows = len(rows), rows[offset : offset + limit], None
    return table
