"""Local days as ranges of instants, for filtering datetime columns by date."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone


def start_of_local_day(day: datetime.date) -> datetime.datetime:
    """The first instant of `day` in the portal's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def on_local_days(field: str, start: datetime.date | None = None, end: datetime.date | None = None) -> Q:
    """`field` (a datetime) falls on a local day from `start` to `end`, both included (either may
    be open).

    The same rows as `field__date__range`, but PostgreSQL compares the column itself with two
    instants, by its indexes and its statistics, instead of converting every row to a local date
    (which also hides the column from the planner's estimates).
    """
    condition = Q()
    # The first and last days a date field holds have no neighbour to convert to an instant.
    if start is not None and start > datetime.date.min:
        condition &= Q(**{f"{field}__gte": start_of_local_day(start)})
    if end is not None and end < datetime.date.max:
        condition &= Q(**{f"{field}__lt": start_of_local_day(end + datetime.timedelta(days=1))})
    return condition
