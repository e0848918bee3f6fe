"""The services rollup (`ServiceMonth`) and the report's reads of it.

Cells are (SEA, month); a refresh recomputes the cells that activity, project or attestation
history shows as changed since the last one (the first refresh, or `full`, rebuilds all). A
period's whole months are read from the rollup and its loose days at either end from the
activities, in one SQL statement per figure.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from projects.models import Activity, Project, RollupWatermark

from .models import Attestation, ServiceMonth

WATERMARK = "service_month"
# When this database first served cached figures: part of their version, so that a database
# restored, flushed or rebuilt (as tests do) never meets another's cache entries.
EPOCH = "figures_epoch"
FIGURES_CACHE_SECONDS = 60 * 60 * 24
OVERLAP = datetime.timedelta(minutes=10)
MAX_CELLS = 500

_CELL_SQL = """
SELECT p.sea_id, date_trunc('month', a.date)::date AS month, a.type,
       count(*), sum(a.hours),
       count(*) FILTER (WHERE att.status = 'confirmed'),
       count(*) FILTER (WHERE att.status = 'disputed')
FROM projects_activity a
JOIN projects_project p ON p.id = a.project_id
LEFT JOIN accountability_attestation att ON att.activity_id = a.id AND att.is_current
WHERE {where}
GROUP BY 1, 2, 3
"""
_IDS_SQL = """
SELECT p.sea_id, date_trunc('month', a.date)::date AS month, a.type, array_agg(DISTINCT t.{column})
FROM {through} t
JOIN projects_activity a ON a.id = t.activity_id
JOIN projects_project p ON p.id = a.project_id
WHERE {where}
GROUP BY 1, 2, 3
"""


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _aggregate(where: str, params: list) -> list[ServiceMonth]:
    rows: dict[tuple, ServiceMonth] = {}
    with connection.cursor() as cursor:
        cursor.execute(_CELL_SQL.format(where=where), params)
        for sea_id, month, kind, n, hours, confirmed, disputed in cursor.fetchall():
            rows[(sea_id, month, kind)] = ServiceMonth(
                sea_id=sea_id,
                month=month,
                type=kind,
                activities=n,
                hours=hours or Decimal(0),
                confirmed=confirmed,
                disputed=disputed,
            )
        for through, column, field in (
            (Activity.participants.through._meta.db_table, "stakeholder_id", "participant_ids"),
            (Activity.districts.through._meta.db_table, "district_id", "district_ids"),
        ):
            cursor.execute(_IDS_SQL.format(through=through, column=column, where=where), params)
            for sea_id, month, kind, ids in cursor.fetchall():
                if (sea_id, month, kind) in rows:
                    setattr(rows[(sea_id, month, kind)], field, sorted(ids))
    return list(rows.values())


def _dirty_cells(since: datetime.datetime) -> set[tuple[int, datetime.date]]:
    history = Activity.history.model.objects
    changed = history.filter(history_date__gte=since).values("id")
    answered = Attestation.history.model.objects.filter(history_date__gte=since).values("activity_id")
    moved = Project.history.model.objects.filter(history_date__gte=since).values("id")
    # Every (project, day) of a changed activity (any version), of an answered one and of a moved
    # project, in one statement: the quiet case (nothing changed) costs one round trip.
    versions = set(
        history.filter(id__in=changed)
        .values_list("project_id", "date")
        .union(
            Activity.objects.filter(pk__in=answered).values_list("project_id", "date"),
            Activity.objects.filter(project_id__in=moved).values_list("project_id", "date"),
        )
    )
    if not versions:
        return set()
    project_ids = {project_id for project_id, _ in versions}
    sea_of = dict(Project.objects.filter(pk__in=project_ids).values_list("pk", "sea_id"))
    sea_of.update(
        Project.history.model.objects.filter(id__in=project_ids - sea_of.keys()).values_list("id", "sea_id")
    )
    cells = {(sea_of[project_id], _month(day)) for project_id, day in versions if project_id in sea_of}
    # A project that moved to another SEA leaves cells behind in the old one.
    for project_id, sea_id in Project.history.model.objects.filter(id__in=moved).values_list("id", "sea_id"):
        cells |= {(sea_id, _month(day)) for pk, day in versions if pk == project_id}
    return cells


def service_month_refresh(*, full: bool = False) -> int:
    """Bring the services rollup up to date; returns the number of (SEA, month) cells recomputed.
    Safe to run twice at once: the second waits for the first's lock and finds little to do."""
    return _refresh(full=full)


_QUIET_SQL = """
WITH w AS (SELECT refreshed_at - %(overlap)s AS since, seen
           FROM projects_rollupwatermark WHERE name = %(name)s),
     d AS (SELECT date_trunc('day', now()) - %(overlap)s AS anchor)
SELECT (SELECT refreshed_at FROM projects_rollupwatermark WHERE name = %(epoch)s),
       EXISTS (SELECT 1 FROM w),
       (SELECT count(*) FROM {activities} h, w WHERE h.history_date >= w.since)
           IS DISTINCT FROM (SELECT (seen ->> 'activities')::bigint FROM w)
       OR (SELECT count(*) FROM {answers} h, w WHERE h.history_date >= w.since)
           IS DISTINCT FROM (SELECT (seen ->> 'answers')::bigint FROM w)
       OR (SELECT count(*) FROM {projects} h, w WHERE h.history_date >= w.since)
           IS DISTINCT FROM (SELECT (seen ->> 'projects')::bigint FROM w),
       (SELECT anchor FROM d),
       (SELECT count(*) FROM {activities} h, d WHERE h.history_date >= d.anchor),
       (SELECT count(*) FROM {answers} h, d WHERE h.history_date >= d.anchor),
       (SELECT count(*) FROM {projects} h, d WHERE h.history_date >= d.anchor)
"""


_SEEN_SQL = """
SELECT (SELECT count(*) FROM {activities} WHERE history_date >= %(since)s),
       (SELECT count(*) FROM {answers} WHERE history_date >= %(since)s),
       (SELECT count(*) FROM {projects} WHERE history_date >= %(since)s)
"""


@lru_cache(maxsize=1)
def _history_tables() -> dict[str, str]:
    """The history tables the version counts (read-only: shared by every call)."""
    return {
        "activities": Activity.history.model._meta.db_table,
        "answers": Attestation.history.model._meta.db_table,
        "projects": Project.history.model._meta.db_table,
    }


def _seen(since: datetime.datetime) -> dict[str, int]:
    """How many history rows each source holds from `since`."""
    with connection.cursor() as cursor:
        cursor.execute(_SEEN_SQL.format(**_history_tables()), {"since": since})
        activities, answers, projects = cursor.fetchone()
    return {"activities": activities, "answers": answers, "projects": projects}


def _quiet() -> tuple[bool, str]:
    """(Nothing to refresh, the data's version), in one statement without a lock.

    Nothing is to refresh when the history rows since the last refresh (less the look-back, for
    changes committed late) are the ones that refresh counted: a change seen once is not
    refreshed again on every read of the next ten minutes.

    The version names the activities, answers and projects as they stand: the history rows
    written since the start of the day (less the look-back), counted per table, with that
    start, and the database's `EPOCH`. Every save writes a history row, so a change, even one
    committed late, changes the version; a new day starts a new count under a new start. Reading it costs an index
    range over one day's changes, whatever the history before."""
    sql = _QUIET_SQL.format(**_history_tables())
    with connection.cursor() as cursor:
        cursor.execute(sql, {"overlap": OVERLAP, "name": WATERMARK, "epoch": EPOCH})
        epoch, known, dirty, anchor, *counts = cursor.fetchone()
    if epoch is None:
        epoch = RollupWatermark.objects.get_or_create(name=EPOCH, defaults={"refreshed_at": timezone.now()})[
            0
        ].refreshed_at
    return known and not dirty, f"{epoch.timestamp()}-{anchor.timestamp():.0f}-{'-'.join(map(str, counts))}"


def _refresh(*, full: bool = False, looked: bool = False) -> int:
    """`service_month_refresh` after a look (`_quiet`, unless the caller `looked`) whether there
    is anything to do."""
    if not (full or looked) and _quiet()[0]:
        return 0
    started = timezone.now()
    with transaction.atomic():
        watermark, created = RollupWatermark.objects.select_for_update().get_or_create(
            name=WATERMARK, defaults={"refreshed_at": started}
        )
        # Counted before looking at what changed: a change committed in between is refreshed now
        # and counted as new next time (one refresh more), never counted and missed.
        seen = _seen(started - OVERLAP)
        cells = set() if (full or created) else _dirty_cells(watermark.refreshed_at - OVERLAP)
        if full or created or len(cells) > MAX_CELLS:
            ServiceMonth.objects.all().delete()
            rows = _aggregate("true", [])
            count = len({(row.sea_id, row.month) for row in rows})
        elif cells:
            by_sea = defaultdict(list)
            for sea_id, month in cells:
                by_sea[sea_id].append(month)
                ServiceMonth.objects.filter(sea_id=sea_id, month=month).delete()
            clauses, params = [], []
            for sea_id, month in cells:
                clauses.append("(p.sea_id = %s AND a.date >= %s AND a.date < %s)")
                params += [sea_id, month, _next_month(month)]
            rows = _aggregate(" OR ".join(clauses), params)
            count = len(cells)
        else:
            # History moved without touching a cell (a project without activities edited):
            # nothing to recompute, but the change is now seen.
            rows, count = [], 0
        ServiceMonth.objects.bulk_create(rows, batch_size=2000)
        watermark.refreshed_at = started
        watermark.seen = seen
        watermark.save(update_fields=["refreshed_at", "seen"])
    return count


def cached_until_changed(key: str, compute: Callable[[], Any], *, refresh: bool = False) -> Any:
    """`compute()`, once per change of the activities, answers and projects: the value is
    cached under `key` and the data's version (`_quiet`), so any change shows on the next read.
    With `refresh`, the rollup is brought up to date first (for values read from it)."""
    quiet, version = _quiet()
    if refresh and not quiet:
        _refresh(looked=True)
    key = f"{key}:{version}"
    cached = cache.get(key)
    if cached is None:
        cached = compute()
        cache.set(key, cached, FIGURES_CACHE_SECONDS)
    return cached


def cached_service_figures(*, sea_ids: list[int] | None, start: datetime.date, end: datetime.date) -> dict:
    """`service_figures`, computed once per change of the data (`cached_until_changed`)."""
    scope = "all" if sea_ids is None else ",".join(map(str, sorted(sea_ids)))
    return cached_until_changed(
        f"accountability:figures:{scope}:{start}:{end}",
        lambda: {
            key: dict(row) for key, row in service_figures(sea_ids=sea_ids, start=start, end=end).items()
        },
        refresh=True,
    )


def refreshed_at() -> datetime.datetime | None:
    return RollupWatermark.objects.filter(name=WATERMARK).values_list("refreshed_at", flat=True).first()


# Reads ----------------------------------------------------------------------------------------
def _split(start: datetime.date, end: datetime.date):
    """(first whole month, first month after the whole ones): the months read from the rollup."""
    first = start if start.day == 1 else _next_month(start)
    after = _next_month(end) if _next_month(end) - datetime.timedelta(days=1) == end else _month(end)
    if after <= first:
        return None, None
    return first, after


def service_figures(*, sea_ids: list[int] | None, start: datetime.date, end: datetime.date) -> dict:
    """Per (SEA, type), per SEA and overall: activities, hours, confirmed, disputed, distinct
    participants and districts of the period, `sea_ids` None meaning every SEA.

    Keys: (sea_id, type), (sea_id, None), (None, type) and (None, None).
    """
    first, after = _split(start, end)
    rollup_where, rollup_params = ["true"], []
    live_where, live_params = [], []
    if first is None:
        rollup_where, live_where, live_params = ["false"], ["a.date BETWEEN %s AND %s"], [start, end]
    else:
        rollup_where, rollup_params = ["s.month >= %s AND s.month < %s"], [first, after]
        live_where = ["(a.date >= %s AND a.date < %s) OR (a.date >= %s AND a.date <= %s)"]
        live_params = [start, first, after, end]
    if sea_ids is not None:
        rollup_where.append("s.sea_id = ANY(%s)")
        rollup_params.append(list(sea_ids))
        live_where.append("p.sea_id = ANY(%s)")
        live_params.append(list(sea_ids))
    rollup_sql = " AND ".join(f"({w})" for w in rollup_where)
    live_sql = " AND ".join(f"({w})" for w in live_where)
    grouping = "GROUP BY GROUPING SETS ((sea_id, type), (sea_id), (type), ())"
    figures: dict = defaultdict(lambda: defaultdict(int))
    with transaction.atomic(), connection.cursor() as cursor:
        # Counting distinct people of a national year hashes some 700,000 ids: in memory, not on disk.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        # Only fixed fragments are formatted into the SQL; every value is a parameter.
        cursor.execute(
            f"""
            SELECT sea_id, type, sum(n), sum(hours), sum(confirmed), sum(disputed) FROM (
                SELECT s.sea_id, s.type, s.activities AS n, s.hours, s.confirmed, s.disputed
                FROM accountability_servicemonth s WHERE {rollup_sql}
                UNION ALL
                SELECT p.sea_id, a.type, 1, a.hours,
                       (att.status = 'confirmed')::int, (att.status = 'disputed')::int
                FROM projects_activity a JOIN projects_project p ON p.id = a.project_id
                LEFT JOIN accountability_attestation att ON att.activity_id = a.id AND att.is_current
                WHERE {live_sql}
            ) x {grouping}
            """,  # noqa: S608
            rollup_params + live_params,
        )
        for sea_id, kind, n, hours, confirmed, disputed in cursor.fetchall():
            row = figures[(sea_id, kind)]
            row.update(
                activities=n or 0, hours=hours or Decimal(0), confirmed=confirmed or 0, disputed=disputed or 0
            )
        for name, through, column, array in (
            (
                "participants",
                Activity.participants.through._meta.db_table,
                "stakeholder_id",
                "participant_ids",
            ),
            ("districts", Activity.districts.through._meta.db_table, "district_id", "district_ids"),
        ):
            cursor.execute(
                f"""
                WITH ids AS MATERIALIZED (
                    SELECT DISTINCT sea_id, type, id FROM (
                        SELECT s.sea_id, s.type, unnest(s.{array}) AS id
                        FROM accountability_servicemonth s WHERE {rollup_sql}
                        UNION ALL
                        SELECT p.sea_id, a.type, t.{column}
                        FROM {through} t JOIN projects_activity a ON a.id = t.activity_id
                        JOIN projects_project p ON p.id = a.project_id
                        WHERE {live_sql}
                    ) x
                )
                SELECT sea_id, type, count(*) FROM ids GROUP BY sea_id, type
                UNION ALL
                SELECT sea_id, NULL, count(*) FROM (SELECT DISTINCT sea_id, id FROM ids) y GROUP BY sea_id
                UNION ALL
                SELECT NULL, type, count(*) FROM (SELECT DISTINCT type, id FROM ids) y GROUP BY type
                UNION ALL
                SELECT NULL, NULL, count(*) FROM (SELECT DISTINCT id FROM ids) y
                """,  # noqa: S608
                rollup_params + live_params,
            )
            for sea_id, kind, n in cursor.fetchall():
                figures[(sea_id, kind)][name] = n
    return figures
