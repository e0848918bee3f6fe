"""Survey results: the participants' ratings and the advisory board's feedback, rolled up.

Per product, activity type, project, state or fiscal year: the mean per dimension (quality,
relevance, usefulness), the share rated 4 or 5 ("highly") and, for the surveys, the response
rate. A survey counts in the period its invitation was sent (so a response rate compares the
invitations of the period with their answers); the board's feedback in the period it was given.
Two queries whatever the data: one over the invitations (their answers joined), one over the
feedback; the totals are computed from the groups.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Aggregate, Avg, Case, Count, IntegerField, Q, Value, When
from django.db.models.functions import ExtractYear
from django.urls import reverse

from core.dates import on_local_days
from projects.models import Activity

from .models import Dimension, SurveyInvitation
from .report import HIGH, Period
from .selectors import feedback_visible_to

GROUPS = {
    "project": "Project",
    "product": "Product",
    "activity_type": "Activity type",
    "state": "State",
    "year": "Fiscal year",
}
ROW_LIMIT = 100

SURVEYS = "surveys"
FEEDBACK = "feedback"
SOURCES = {SURVEYS: "Participant surveys", FEEDBACK: "Advisory board feedback"}

# Per group: the fields of the invitations and of the feedback that give (key, label, state).
_INVITATION_FIELDS = {
    "project": ("project", "project__title", "project__sea__state_code"),
    "product": ("product", "product__title", "product__project__sea__state_code"),
    "activity_type": ("activity_type", None, None),
    "state": ("project__sea", "project__sea__short_name", "project__sea__state_code"),
    "year": ("fy", None, None),
}
_FEEDBACK_FIELDS = {
    "project": ("product__project", "product__project__title", "product__project__sea__state_code"),
    "product": ("product", "product__title", "product__project__sea__state_code"),
    "activity_type": ("group", None, None),
    "state": (
        "product__project__sea",
        "product__project__sea__short_name",
        "product__project__sea__state_code",
    ),
    "year": ("fy", None, None),
}


@dataclass
class DimensionFigure:
    dimension: str
    label: str
    responses: int
    high: int
    mean: Decimal | None
    url: str = ""

    @property
    def share_high(self) -> Decimal | None:
        return _pct(self.high, self.responses)


@dataclass
class ResultRow:
    source: str
    key: object
    label: str
    state: str
    invited: int | None
    responses: int
    dimensions: list[DimensionFigure]
    invited_url: str = ""
    responses_url: str = ""

    @property
    def source_label(self) -> str:
        return SOURCES[self.source]

    @property
    def response_rate(self) -> Decimal | None:
        return _pct(self.responses, self.invited) if self.invited else None


@dataclass
class SurveyResults:
    group: str
    period: Period
    rows: list[ResultRow]
    totals: list[ResultRow]
    row_count: int
    row_limit: int | None
    dimensions: list[tuple[str, str]] = field(default_factory=lambda: list(Dimension.choices))

    @property
    def group_label(self) -> str:
        return GROUPS[self.group]


def _pct(part: int, whole: int | None) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"))


def fiscal_year_of(field_name: str):
    """The federal fiscal year (October to September) of a date or time, in the portal's zone."""
    return ExtractYear(field_name) + Case(
        When(**{f"{field_name}__month__gte": 10}, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )


def _measures(prefix: str) -> dict:
    aggregates: dict[str, Aggregate] = {}
    for dimension in Dimension.values:
        name = f"{prefix}{dimension}"
        aggregates[f"{dimension}_n"] = Count("pk", filter=Q(**{f"{name}__isnull": False}))
        aggregates[f"{dimension}_high"] = Count("pk", filter=Q(**{f"{name}__gte": HIGH}))
        aggregates[f"{dimension}_mean"] = Avg(name)
    return aggregates


def _records_url(kind: str, period: Period, **filters) -> str:
    query = {
        "kind": kind,
        "dates": "sent",
        "date_from": period.start.isoformat(),
        "date_to": period.end.isoformat(),
        **filters,
    }
    return f"{reverse('accountability:records')}?{urlencode({k: v for k, v in query.items() if v not in (None, '')})}"


def _filters(group: str, key, period: Period) -> tuple[dict, Period]:
    """The records list's filters of one group's key (and the period, narrowed to a year's)."""
    if group == "year":
        fiscal = Period.fiscal_year(int(key))
        return {}, Period(max(period.start, fiscal.start), min(period.end, fiscal.end))
    if group == "product":
        return ({"product": key} if key else {"about": "services"}), period
    if group == "activity_type":
        return ({"type": key} if key else {"about": "products"}), period
    return {group: key}, period


def _label(group: str, key, label, source: str) -> str:
    types = dict(Activity.Type.choices)
    if group == "year":
        return f"FY {key}"
    if group == "activity_type":
        if source == FEEDBACK:
            return "Resources and services rated by the board"
        return types.get(key, key) if key else "Products (delivered)"
    if key is None:
        return "Services (activities)" if source == SURVEYS else "Not tied to a product"
    return str(label)


def _row(
    source: str, group: str, values: dict, period: Period, *, invited: int | None, links: bool
) -> ResultRow:
    key_field, label_field, state_field = (_INVITATION_FIELDS if source == SURVEYS else _FEEDBACK_FIELDS)[
        group
    ]
    key = values[key_field] if source == SURVEYS or group != "activity_type" else None
    filters, narrowed = _filters(group, key, period) if links else ({}, period)
    dimensions = []
    for dimension, label in Dimension.choices:
        mean = values[f"{dimension}_mean"]
        dimensions.append(
            DimensionFigure(
                dimension=dimension,
                label=label,
                responses=values[f"{dimension}_n"],
                high=values[f"{dimension}_high"],
                mean=Decimal(mean).quantize(Decimal("0.01")) if mean is not None else None,
                url=_records_url("responses", narrowed, highly=dimension, **filters) if links else "",
            )
        )
    return ResultRow(
        source=source,
        key=key,
        label=_label(group, key, values[label_field] if label_field else None, source),
        state=(values[state_field] or "") if state_field else "",
        invited=invited,
        responses=values["responses"],
        dimensions=dimensions,
        invited_url=_records_url("invitations", narrowed, **filters) if links else "",
        responses_url=_records_url("responses", narrowed, **filters) if links else "",
    )


def _total(source: str, rows: list[ResultRow], period: Period) -> ResultRow:
    """The rows of one source added up; a mean is the groups' means weighted by their answers."""
    dimensions = []
    for index, (dimension, label) in enumerate(Dimension.choices):
        figures = [row.dimensions[index] for row in rows]
        n = sum(figure.responses for figure in figures)
        weighted = sum((figure.mean or 0) * figure.responses for figure in figures)
        dimensions.append(
            DimensionFigure(
                dimension=dimension,
                label=label,
                responses=n,
                high=sum(figure.high for figure in figures),
                mean=(Decimal(weighted) / n).quantize(Decimal("0.01")) if n else None,
                url=_records_url("responses", period, highly=dimension) if source == SURVEYS else "",
            )
        )
    surveys = source == SURVEYS
    return ResultRow(
        source=source,
        key=None,
        label="All",
        state="",
        invited=sum(row.invited or 0 for row in rows) if surveys else None,
        responses=sum(row.responses for row in rows),
        dimensions=dimensions,
        invited_url=_records_url("invitations", period) if surveys else "",
        responses_url=_records_url("responses", period) if surveys else "",
    )


def _sort_key(group: str):
    if group == "year":
        return lambda row: row.key
    # The rows without a key (services, products, feedback on no product) after the named ones.
    return lambda row: (row.key in (None, ""), row.state, row.label.casefold())


def survey_results(user, *, group: str, period: Period, limit: int | None = ROW_LIMIT) -> SurveyResults:
    """The survey results `user` may read for `period`, grouped by `group` (a key of GROUPS)."""
    if group not in GROUPS:
        raise ValueError(f"Unknown grouping: {group}")
    # A response keeps the mean of its items per dimension: rated highly when it is 4 or more.
    invitations = SurveyInvitation.objects.visible_to(user).filter(
        on_local_days("sent_at", period.start, period.end)
    )
    fields = [name for name in _INVITATION_FIELDS[group] if name]
    if group == "year":
        invitations = invitations.annotate(fy=fiscal_year_of("sent_at"))
    survey_rows = [
        _row(SURVEYS, group, values, period, invited=values["invited"], links=True)
        for values in invitations.values(*fields)
        .annotate(invited=Count("pk"), responses=Count("response"), **_measures("response__"))
        .order_by()
    ]
    feedback = feedback_visible_to(user).filter(on_local_days("submitted_at", period.start, period.end))
    fields = [name for name in _FEEDBACK_FIELDS[group] if name]
    if group == "year":
        feedback = feedback.annotate(fy=fiscal_year_of("submitted_at"))
    elif group == "activity_type":
        # The board rates resources and services, not activity types: one row of its own.
        feedback = feedback.annotate(group=Value(FEEDBACK))
    feedback_rows = [
        _row(FEEDBACK, group, values, period, invited=None, links=False)
        for values in feedback.values(*fields).annotate(responses=Count("pk"), **_measures("")).order_by()
        if values["responses"]
    ]
    survey_rows.sort(key=_sort_key(group))
    feedback_rows.sort(key=_sort_key(group))
    # The page shows the first `limit` rows of each source; the totals count every row.
    rows = survey_rows[:limit] + feedback_rows[:limit] if limit is not None else survey_rows + feedback_rows
    totals = [_total(SURVEYS, survey_rows, period)]
    if feedback_rows:
        totals.append(_total(FEEDBACK, feedback_rows, period))
    return SurveyResults(
        group=group,
        period=period,
        rows=rows,
        totals=totals,
        row_count=len(survey_rows) + len(feedback_rows),
        row_limit=limit,
    )
