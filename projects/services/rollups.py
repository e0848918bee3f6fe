"""Keep the monthly activity-hours rollup (`ActivityMonth`) in step with the activities.

The rollup is derived data: it can always be rebuilt from the activities, and a rebuild is what
`--full` does. The incremental refresh that beat runs every few minutes looks at the activity
history (django-simple-history writes a row for every create, change and delete made through the
ORM) to find which (SEA, month) cells changed since the last refresh and recomputes only those.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from projects.models import Activity, ActivityMonth, Project, RollupWatermark

WATERMARK = "activity_month"
# Transactions still open when a refresh starts commit history rows dated before it; looking back
# this far again on the next refresh picks them up (recomputing a cell twice is harmless).
OVERLAP = datetime.timedelta(minutes=10)
# Past this many changed cells (a bulk import, say) one rebuild is cheaper than many small ones.
MAX_CELLS = 500


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def _next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _aggregate(activities) -> list[ActivityMonth]:
    """Rollup rows for the given activities (every SEA and month they cover)."""
    activities = activities.annotate(month=TruncMonth("date")).order_by()
    cells: dict[tuple, list] = defaultdict(lambda: [Decimal(0), 0])
    totals = activities.values("project__sea_id", "month").annotate(hours=Sum("hours"), n=Count("pk"))
    for row in totals:
        cells[(row["project__sea_id"], row["month"], ActivityMonth.ALL_CONDITIONS)] = [row["hours"], row["n"]]
    by_condition = (
        activities.filter(conditions__isnull=False)
        .values("project__sea_id", "month", "conditions__number")
        .annotate(hours=Sum("hours"), n=Count("pk"))
    )
    for row in by_condition:
        cells[(row["project__sea_id"], row["month"], row["conditions__number"])] = [row["hours"], row["n"]]
    return [
        ActivityMonth(
            sea_id=sea_id,
            month=_as_date(month),
            condition_number=number,
            hours=hours or Decimal(0),
            activities=n,
        )
        for (sea_id, month, number), (hours, n) in cells.items()
    ]


def _dirty_cells(since: datetime.datetime) -> set[tuple[int, datetime.date]]:
    """(SEA id, month) cells touched by activity changes recorded since `since`.

    Every version of a changed activity counts, so moving an activity to another date or project
    refreshes both the cell it left and the one it joined.
    """
    history = Activity.history.model.objects
    changed = history.filter(history_date__gte=since).values("id")
    versions = set(history.filter(id__in=changed).values_list("project_id", "date"))
    cells = set()
    # A project moved to another SEA takes its activities along: both SEAs' months change.
    projects = Project.history.model.objects
    moved = projects.filter(history_date__gte=since).values("id")
    seas_of_moved = set(projects.filter(id__in=moved).values_list("id", "sea_id"))
    if seas_of_moved:
        months = set(
            Activity.objects.filter(project_id__in={pk for pk, _ in seas_of_moved})
            .annotate(month=TruncMonth("date"))
            .values_list("project_id", "month")
            .distinct()
        )
        for project_id, sea_id in seas_of_moved:
            cells |= {(sea_id, _as_date(month)) for pk, month in months if pk == project_id}
    if not versions:
        return cells
    project_ids = {project_id for project_id, _ in versions}
    sea_of = dict(Project.objects.filter(pk__in=project_ids).values_list("pk", "sea_id"))
    if missing := project_ids - sea_of.keys():  # deleted projects: their history knows the SEA
        sea_of.update(Project.history.model.objects.filter(id__in=missing).values_list("id", "sea_id"))
    return cells | {
        (sea_of[project_id], _month_start(day)) for project_id, day in versions if project_id in sea_of
    }


def activity_month_refresh(*, full: bool = False) -> int:
    """Bring the activity-hours rollup up to date and return the number of cells recomputed.

    Without `full`, only the (SEA, month) cells that activity history shows as changed since the
    last refresh are recomputed; the first refresh, or `full=True`, rebuilds everything (needed
    after data is loaded without the ORM, e.g. by `seed_scale`). Safe to run twice at once: the
    second run waits for the first one's lock and then finds little or nothing to do.
    """
    started = timezone.now()
    with transaction.atomic():
        watermark, created = RollupWatermark.objects.select_for_update().get_or_create(
            name=WATERMARK, defaults={"refreshed_at": started}
        )
        cells: set = set()
        if not (full or created):
            cells = _dirty_cells(watermark.refreshed_at - OVERLAP)
            if len(cells) > MAX_CELLS:
                full = True
        if full or created:
            ActivityMonth.objects.all().delete()
            rows = _aggregate(Activity.objects.all())
            ActivityMonth.objects.bulk_create(rows, batch_size=2000)
            recomputed = len({(row.sea_id, row.month) for row in rows})
        elif cells:
            where, stale = Q(), Q()
            for sea_id, month in cells:
                where |= Q(project__sea_id=sea_id, date__gte=month, date__lt=_next_month(month))
                stale |= Q(sea_id=sea_id, month=month)
            ActivityMonth.objects.filter(stale).delete()
            ActivityMonth.objects.bulk_create(_aggregate(Activity.objects.filter(where)), batch_size=2000)
            recomputed = len(cells)
        else:
            recomputed = 0
        watermark.refreshed_at = started
        watermark.save(update_fields=["refreshed_at"])
    return recomputed
