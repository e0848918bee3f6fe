"""Reading the attestation figures: rate and median days to attest, per state and project."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    FloatField,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from meetings.models import Feedback
from projects.models import Activity

from .models import Attestation, Decision
from .rollup import cached_until_changed

DASHBOARD_PROJECT_LIMIT = 100


class MedianDays(Aggregate):
    """The median of a duration, in days (PostgreSQL's percentile_cont)."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM %(expressions)s) / 86400.0)"
    output_field = FloatField()


def days_to_attest(prefix: str = ""):
    return ExpressionWrapper(
        F(f"{prefix}decided_at") - F(f"{prefix}requested_at"), output_field=DurationField()
    )


def _rate(confirmed: int, total: int) -> float | None:
    return round(100 * confirmed / total, 1) if total else None


def scoped_sea_ids(user) -> list[int] | None:
    """The SEAs whose activities `user` may read (None: all), the rule of `visible_to`."""
    if user.sees_whole_portfolio:
        return None
    return [user.sea_id] if user.is_sea_staff and user.sea_id else []


def _scope_key(user) -> str:
    sea_ids = scoped_sea_ids(user)
    return "all" if sea_ids is None else ",".join(map(str, sorted(sea_ids))) or "none"


def attestation_rates(user, *, start: datetime.date | None = None, end: datetime.date | None = None) -> dict:
    """Per state and per project of the activities `user` may see, dated in [start, end]
    (the last 365 days by default): activities, confirmed, the rate and the median days.

    Counted once per change of the data and scope (`cached_until_changed`): a year's answers
    are read again only after an activity, an answer or a project changed."""
    end = end or timezone.localdate()
    start = start or end - datetime.timedelta(days=365)
    return cached_until_changed(
        f"accountability:rates:{_scope_key(user)}:{start}:{end}",
        lambda: _attestation_rates(user, start=start, end=end),
    )


def _attestation_rates(user, *, start: datetime.date, end: datetime.date) -> dict:
    # Per project in one pass over the period's activities and their current answers (at most
    # one each); a state's counts are the sums of its projects', its median days one more
    # statement over the confirmed answers alone.
    current = FilteredRelation("attestations", condition=Q(attestations__is_current=True))
    confirmed = Q(current__status=Decision.CONFIRMED)
    per_project = (
        Activity.objects.visible_to(user)
        .filter(date__range=(start, end))
        .annotate(current=current)
        .values(
            "project",
            "project__title",
            "project__sea",
            "project__sea__state_code",
            "project__sea__short_name",
        )
        .annotate(
            n=Count("pk"),
            confirmed=Count("current__pk", filter=confirmed),
            disputed=Count("current__pk", filter=Q(current__status=Decision.DISPUTED)),
            pending=Count("current__pk", filter=Q(current__status=Decision.PENDING)),
            median=MedianDays(days_to_attest("current__"), filter=confirmed),
        )
        .order_by()
    )
    state_medians = dict(
        Attestation.objects.visible_to(user)
        .filter(is_current=True, status=Decision.CONFIRMED, activity__date__range=(start, end))
        .values("activity__project__sea")
        .annotate(median=MedianDays(days_to_attest()))
        .values_list("activity__project__sea", "median")
        .order_by()
    )

    def figures(key, labels: dict, counts: list[int], median) -> dict:
        n, confirmed, disputed, pending = counts
        return {
            "key": key,
            **labels,
            "activities": n,
            "confirmed": confirmed,
            "disputed": disputed,
            "pending": pending,
            "rate": _rate(confirmed, n),
            "median_days": _days(median),
        }

    projects: list[dict] = []
    by_state: dict[int, dict] = {}
    for row in per_project:
        counts = [row["n"], row["confirmed"], row["disputed"], row["pending"]]
        projects.append(
            figures(
                row["project"],
                {
                    "project__title": row["project__title"],
                    "project__sea__state_code": row["project__sea__state_code"],
                },
                counts,
                row["median"],
            )
        )
        state = by_state.setdefault(
            row["project__sea"],
            {
                "labels": {
                    "project__sea__state_code": row["project__sea__state_code"],
                    "project__sea__short_name": row["project__sea__short_name"],
                },
                "counts": [0, 0, 0, 0],
            },
        )
        state["counts"] = [a + b for a, b in zip(state["counts"], counts, strict=True)]
    states = sorted(
        (
            figures(sea, state["labels"], state["counts"], state_medians.get(sea))
            for sea, state in by_state.items()
        ),
        key=lambda row: row["project__sea__state_code"],
    )
    projects.sort(key=lambda row: (row["rate"] is None, row["rate"] or 0, row["project__title"]))
    return {
        "start": start,
        "end": end,
        "states": states,
        "projects": projects[:DASHBOARD_PROJECT_LIMIT],
        "project_count": len(projects),
        "project_limit": DASHBOARD_PROJECT_LIMIT,
    }


def state_attestation_rates(
    user,
    sea,
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    project_limit: int = 10,
) -> dict:
    """The attestation figures of one state and of its projects, in one query (the state
    dashboard's panel): per project from its activities and their current answers, the state's
    totals as the sum of its projects', its median days from a subquery of the same statement.
    Counted once per change of the data, like `attestation_rates`."""
    end = end or timezone.localdate()
    start = start or end - datetime.timedelta(days=365)
    return cached_until_changed(
        f"accountability:state-rates:{_scope_key(user)}:{sea.pk}:{start}:{end}:{project_limit}",
        lambda: _state_attestation_rates(user, sea, start=start, end=end, project_limit=project_limit),
    )


def state_attestation_panel(user, sea, *, project_limit: int, draw: Callable[[dict], str]) -> str:
    """The state dashboard's panel: `draw(figures)` of the last 365 days' `state_attestation_rates`,
    drawn once per change of the data, like the figures themselves (the same key and version), so
    a state dashboard neither counts nor draws the panel again until an activity, an answer or a
    project changed."""
    end = timezone.localdate()
    start = end - datetime.timedelta(days=365)
    return cached_until_changed(
        f"accountability:state-panel:{_scope_key(user)}:{sea.pk}:{start}:{end}:{project_limit}",
        lambda: draw(_state_attestation_rates(user, sea, start=start, end=end, project_limit=project_limit)),
    )


def _state_attestation_rates(
    user, sea, *, start: datetime.date, end: datetime.date, project_limit: int
) -> dict:
    current = Q(attestations__is_current=True)
    confirmed = current & Q(attestations__status=Decision.CONFIRMED)
    state_median = (
        Attestation.objects.visible_to(user)
        .filter(
            is_current=True,
            status=Decision.CONFIRMED,
            activity__project__sea=sea,
            activity__date__range=(start, end),
        )
        .values("activity__project__sea")
        .annotate(median=MedianDays(days_to_attest()))
        .values("median")
    )
    figures = (
        Activity.objects.visible_to(user)
        .filter(project__sea=sea, date__range=(start, end))
        .values("project", "project__title")
        .annotate(
            # An activity joins one row per version's answer: count activities once.
            activities=Count("pk", distinct=True),
            confirmed=Count("attestations", filter=confirmed),
            disputed=Count("attestations", filter=current & Q(attestations__status=Decision.DISPUTED)),
            pending=Count("attestations", filter=current & Q(attestations__status=Decision.PENDING)),
            median=MedianDays(days_to_attest("attestations__"), filter=confirmed),
            state_median=Subquery(state_median[:1], output_field=FloatField()),
        )
        .order_by()
    )
    rows = [
        {
            "key": row["project"],
            "project__title": row["project__title"],
            "activities": row["activities"],
            "confirmed": row["confirmed"],
            "disputed": row["disputed"],
            "pending": row["pending"],
            "rate": _rate(row["confirmed"], row["activities"]),
            "median_days": _days(row["median"]),
            "state_median": row["state_median"],
        }
        for row in figures
    ]
    state = None
    if rows:
        totals = {
            name: sum(row[name] for row in rows)
            for name in ("activities", "confirmed", "disputed", "pending")
        }
        state = {
            **totals,
            "rate": _rate(totals["confirmed"], totals["activities"]),
            "median_days": _days(rows[0]["state_median"]),
        }
    rows.sort(key=lambda row: (row["rate"] is None, row["rate"] or 0, row["project__title"]))
    return {
        "start": start,
        "end": end,
        "state": state,
        "projects": rows[:project_limit],
        "project_count": len(rows),
        "project_limit": project_limit,
    }


def _days(value) -> float | None:
    return round(value, 1) if value is not None else None


def feedback_visible_to(user) -> QuerySet:
    """The board's feedback `user` may count: SEA staff only that on their state's products."""
    feedback = Feedback.objects.visible_to(user)
    if not user.sees_whole_portfolio:
        feedback = feedback.filter(product__project__sea_id=user.scoped_sea_id)
    return feedback
