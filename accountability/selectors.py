"""Reading the attestation figures: rate and median days to attest, per state and project."""

from __future__ import annotations

import datetime

from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, FloatField, Q
from django.utils import timezone

from projects.models import Activity

from .models import Attestation, Decision

DASHBOARD_PROJECT_LIMIT = 100


class MedianDays(Aggregate):
    """The median of a duration, in days (PostgreSQL's percentile_cont)."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM %(expressions)s) / 86400.0)"
    output_field = FloatField()


def days_to_attest():
    return ExpressionWrapper(F("decided_at") - F("requested_at"), output_field=DurationField())


def _rate(confirmed: int, total: int) -> float | None:
    return round(100 * confirmed / total, 1) if total else None


def attestation_rates(user, *, start: datetime.date | None = None, end: datetime.date | None = None) -> dict:
    """Per state and per project of the activities `user` may see, dated in [start, end]
    (the last 365 days by default): activities, confirmed, the rate and the median days."""
    end = end or timezone.localdate()
    start = start or end - datetime.timedelta(days=365)
    activities = Activity.objects.visible_to(user).filter(date__range=(start, end))
    answers = Attestation.objects.visible_to(user).filter(is_current=True, activity__date__range=(start, end))
    confirmed = Q(status=Decision.CONFIRMED)

    def grouped(activity_key: str, answer_key: str, labels: tuple[str, ...]):
        totals = {
            row[activity_key]: row for row in activities.values(activity_key, *labels).annotate(n=Count("pk"))
        }
        figures = {
            row[answer_key]: row
            for row in answers.values(answer_key).annotate(
                confirmed=Count("pk", filter=confirmed),
                disputed=Count("pk", filter=Q(status=Decision.DISPUTED)),
                pending=Count("pk", filter=Q(status=Decision.PENDING)),
                median=MedianDays(days_to_attest(), filter=confirmed),
            )
        }
        rows = []
        for key, total in totals.items():
            figure = figures.get(key, {})
            rows.append(
                {
                    "key": key,
                    **{label: total[label] for label in labels},
                    "activities": total["n"],
                    "confirmed": figure.get("confirmed", 0),
                    "disputed": figure.get("disputed", 0),
                    "pending": figure.get("pending", 0),
                    "rate": _rate(figure.get("confirmed", 0), total["n"]),
                    "median_days": round(figure["median"], 1) if figure.get("median") is not None else None,
                }
            )
        return rows

    states = sorted(
        grouped(
            "project__sea", "activity__project__sea", ("project__sea__state_code", "project__sea__short_name")
        ),
        key=lambda row: row["project__sea__state_code"],
    )
    projects = sorted(
        grouped("project", "activity__project", ("project__title", "project__sea__state_code")),
        key=lambda row: (row["rate"] is None, row["rate"] or 0, row["project__title"]),
    )
    return {
        "start": start,
        "end": end,
        "states": states,
        "projects": projects[:DASHBOARD_PROJECT_LIMIT],
        "project_count": len(projects),
        "project_limit": DASHBOARD_PROJECT_LIMIT,
    }
