"""Keep the monthly activity-hours rollup (`ActivityMonth`) in step with the activities.

Every write of an activity (log, edit, move to another project or month, delete) changes the
rollup in the same transaction, through `activity_month_change`: the dashboards are right the
moment the write commits. The change is an atomic upsert (`hours = hours + excluded.hours`), so
two activities logged at once in the same month both count, and a writer holds its cells' row
locks only until it commits.

The rollup is derived data and can always be rebuilt from the activities: `refresh_activity_months
--full` does so after data is loaded around the services (SQL imports, `seed_scale`). Without
`--full` (and nightly from beat) the refresh is a consistency check: it recomputes every cell,
repairs the ones that differ and logs how many did (zero when every writer went through here).
"""

import datetime
import logging
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from projects.models import Activity, ActivityMonth, RollupWatermark

logger = logging.getLogger(__name__)

WATERMARK = "activity_month"

Cell = tuple[int, datetime.date, int]  # (SEA id, first day of the month, condition number or 0)
Deltas = dict[Cell, list]  # cell -> [hours, activities]


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


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


# Incremental changes ------------------------------------------------------------------------------

_CONTRIBUTION_SQL = """
    SELECT p.sea_id, date_trunc('month', a.date)::date, a.hours,
           ARRAY(SELECT c.number FROM projects_activity_conditions ac
                 JOIN projects_condition c ON c.id = ac.condition_id
                 WHERE ac.activity_id = a.id)
    FROM projects_activity a JOIN projects_project p ON p.id = a.project_id
    WHERE a.id = %s
    FOR SHARE OF p
"""


def _postgres() -> bool:
    # The embedded SQLite serializes writers (IMMEDIATE transactions), so it takes the plain ORM
    # path; PostgreSQL needs the atomic upserts and row locks below.
    return connection.vendor == "postgresql"


def _contribution_row(activity_id: int):
    if _postgres():
        with connection.cursor() as cursor:
            cursor.execute(_CONTRIBUTION_SQL, [activity_id])
            return cursor.fetchone()
    row = Activity.objects.filter(pk=activity_id).values_list("project__sea_id", "date", "hours").first()
    if row is None:
        return None
    numbers = Activity.conditions.through.objects.filter(activity_id=activity_id).values_list(
        "condition__number", flat=True
    )
    return row[0], row[1].replace(day=1), row[2], list(numbers)


def activity_contribution(activity_id: int | None) -> Deltas:
    """What the activity adds to the rollup as the database holds it now (empty when it is gone).

    The project's row is read FOR SHARE: a project being moved to another SEA finishes its move
    first, so the activity counts under the SEA the project ends up with.
    """
    if activity_id is None:
        return {}
    row = _contribution_row(activity_id)
    if row is None:
        return {}
    sea_id, month, hours, numbers = row
    cells = [ActivityMonth.ALL_CONDITIONS, *sorted(set(numbers))]
    return {(sea_id, month, number): [hours, 1] for number in cells}


def _net(before: Deltas, after: Deltas) -> Deltas:
    net: Deltas = defaultdict(lambda: [Decimal(0), 0])
    for sign, deltas in ((-1, before), (1, after)):
        for cell, (hours, count) in deltas.items():
            net[cell][0] += sign * hours
            net[cell][1] += sign * count
    return {cell: delta for cell, delta in net.items() if delta[0] or delta[1]}


_UPSERT_SQL = """
    INSERT INTO projects_activitymonth AS m (sea_id, month, condition_number, hours, activities)
    SELECT * FROM unnest(%s::bigint[], %s::date[], %s::smallint[], %s::numeric[], %s::integer[])
    ON CONFLICT (sea_id, month, condition_number)
    DO UPDATE SET hours = m.hours + excluded.hours, activities = m.activities + excluded.activities
"""
# A decrease only ever meets an existing cell; GREATEST keeps a rollup that was already wrong
# (data loaded around the services) from failing the write: the nightly check repairs it.
_DECREASE_SQL = """
    UPDATE projects_activitymonth AS m
    SET hours = GREATEST(m.hours + d.hours, 0), activities = GREATEST(m.activities + d.activities, 0)
    FROM unnest(%s::bigint[], %s::date[], %s::smallint[], %s::numeric[], %s::integer[])
         AS d(sea_id, month, condition_number, hours, activities)
    WHERE m.sea_id = d.sea_id AND m.month = d.month AND m.condition_number = d.condition_number
"""
_DELETE_CELLS_SQL = """
    DELETE FROM projects_activitymonth AS m
    USING unnest(%s::bigint[], %s::date[], %s::smallint[]) AS d(sea_id, month, condition_number)
    WHERE m.sea_id = d.sea_id AND m.month = d.month AND m.condition_number = d.condition_number
"""
_EMPTIED_SQL = _DELETE_CELLS_SQL + " AND m.activities = 0"


def _columns(cells: list[tuple[Cell, list]]) -> list[list]:
    return [
        [cell[0] for cell, _ in cells],
        [cell[1] for cell, _ in cells],
        [cell[2] for cell, _ in cells],
        [delta[0] for _, delta in cells],
        [delta[1] for _, delta in cells],
    ]


def _apply(deltas: Deltas) -> None:
    """Add `deltas` to the rollup in place (cells in a fixed order, so writers never deadlock)."""
    cells = sorted(deltas.items())
    if not _postgres():
        _apply_portable(cells)
        return
    increases = [(cell, d) for cell, d in cells if d[1] > 0 or (d[1] == 0 and d[0] > 0)]
    decreases = [(cell, d) for cell, d in cells if (cell, d) not in increases]
    with connection.cursor() as cursor:
        if increases:
            cursor.execute(_UPSERT_SQL, _columns(increases))
        if decreases:
            columns = _columns(decreases)
            cursor.execute(_DECREASE_SQL, columns)
            cursor.execute(_EMPTIED_SQL, columns[:3])


def _apply_portable(cells: list[tuple[Cell, list]]) -> None:
    for (sea_id, month, number), (hours, count) in cells:
        row = ActivityMonth.objects.filter(sea_id=sea_id, month=month, condition_number=number).first()
        if row is None:
            if count > 0:
                ActivityMonth.objects.create(
                    sea_id=sea_id, month=month, condition_number=number, hours=hours, activities=count
                )
            continue
        row.hours, row.activities = max(row.hours + hours, Decimal(0)), max(row.activities + count, 0)
        if row.activities == 0:
            row.delete()
        else:
            row.save(update_fields=["hours", "activities"])


def activity_month_change(*, before: Deltas, after: Deltas) -> None:
    """Move the rollup from an activity's `before` contribution to its `after` one.

    Call it inside the transaction that writes the activity, with both contributions read by
    `activity_contribution` (before the write, and after it including its conditions).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("The rollup changes only inside the transaction of the activity's write.")
    net = _net(before, after)
    if net:
        _apply(net)


def activity_month_project_moved(*, project_id: int, from_sea_id: int, to_sea_id: int) -> None:
    """A project moved to another SEA takes its activities' hours along (same transaction).

    Call it after the project's row is updated: activity writers read that row FOR SHARE, so
    every activity of the project is either committed and counted here or waits for this move.
    """
    if from_sea_id == to_sea_id:
        return
    deltas: Deltas = {}
    for row in _aggregate(Activity.objects.filter(project_id=project_id)):
        deltas[(from_sea_id, row.month, row.condition_number)] = [-row.hours, -row.activities]
        deltas[(to_sea_id, row.month, row.condition_number)] = [row.hours, row.activities]
    if deltas:
        _apply(deltas)


def activity_month_remove(activities) -> None:
    """Take `activities` (a queryset about to be deleted in bulk) out of the rollup.

    Call it in the deleting transaction, before the delete: the rows are locked first, so an edit
    of one of them either commits before (and is counted) or waits for the delete.
    """
    ids = list(activities.select_for_update().values_list("pk", flat=True))
    if not ids:
        return
    deltas = {
        (row.sea_id, row.month, row.condition_number): [-row.hours, -row.activities]
        for row in _aggregate(Activity.objects.filter(pk__in=ids))
    }
    _apply(deltas)


# Rebuild and consistency check --------------------------------------------------------------------


def _lock_rollup() -> None:
    # Writers add to cells under ROW EXCLUSIVE until they commit; EXCLUSIVE waits for them and
    # holds new ones back, so what is recomputed here sees every committed activity and no
    # writer adds to a cell this transaction is replacing.
    if _postgres():
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE projects_activitymonth IN EXCLUSIVE MODE")


def _cells(rows) -> dict[Cell, tuple]:
    return {(r.sea_id, _as_date(r.month), r.condition_number): (r.hours, r.activities) for r in rows}


def _delete_cells(cells: list[Cell]) -> None:
    if _postgres():
        with connection.cursor() as cursor:
            cursor.execute(
                _DELETE_CELLS_SQL, [[c[0] for c in cells], [c[1] for c in cells], [c[2] for c in cells]]
            )
        return
    for sea_id, month, number in cells:
        ActivityMonth.objects.filter(sea_id=sea_id, month=month, condition_number=number).delete()


def activity_month_refresh(*, full: bool = False) -> int:
    """Check the rollup against the activities, or with `full=True` rebuild it; returns the
    number of cells rewritten.

    The check recomputes every cell and rewrites those that differ (none when every write went
    through the services); `full` rewrites them all, e.g. after `seed_scale`. Safe to run twice at
    once: the second run waits for the first one's lock and then finds nothing to repair.
    """
    started = timezone.now()
    with transaction.atomic():
        watermark = RollupWatermark.objects.select_for_update().get_or_create(
            name=WATERMARK, defaults={"refreshed_at": started}
        )[0]
        _lock_rollup()
        rows = _aggregate(Activity.objects.all())
        if full:
            ActivityMonth.objects.all().delete()
            ActivityMonth.objects.bulk_create(rows, batch_size=2000)
            rewritten = len(rows)
        else:
            expected = _cells(rows)
            actual = {
                (sea_id, month, number): (hours, n)
                for sea_id, month, number, hours, n in ActivityMonth.objects.values_list(
                    "sea_id", "month", "condition_number", "hours", "activities"
                )
            }
            wrong = {
                cell for cell in expected.keys() | actual.keys() if expected.get(cell) != actual.get(cell)
            }
            if wrong:
                logger.warning(
                    "Activity rollup: %d cells differed from the activities; repaired.", len(wrong)
                )
                stale = sorted(cell for cell in wrong if cell in actual)
                _delete_cells(stale)
                ActivityMonth.objects.bulk_create(
                    [row for row in rows if (row.sea_id, row.month, row.condition_number) in wrong],
                    batch_size=2000,
                )
            rewritten = len(wrong)
        watermark.refreshed_at = started
        watermark.save(update_fields=["refreshed_at"])
    return rewritten
