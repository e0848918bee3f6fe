"""Server time of the annual performance report on the seed_scale data set.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/r2cc_scale \\
        .venv/bin/python benchmarks/report.py [--runs 5]

Before timing, the data set gains (once; safe to run again) what seed_scale does not load: an
attestation for 70% of the last fiscal year's activities (most confirmed, some disputed), a
program measure of every kind with a target, and survey responses. Then the report page of the
last fiscal year is rendered in-process with Django's test client (middleware, session and
templates included) for a facilitator (the whole portfolio) and for SEA staff of the state with
the most projects, plus the XLSX workbook for the facilitator (all 5,000 projects' conditions: not held to the target); prints the median and the maximum
of `--runs` runs after one warm-up, the SQL statement count, and the load average; then one
activity of the period is edited and the next page is timed (the rollup refreshes its month and the
figures are recomputed). Target: 2 s.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "r2cc_portal.settings.development")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accountability.models import MeasureTarget, PerformanceMeasure  # noqa: E402
from accountability.report import Period  # noqa: E402
from accountability.rollup import service_month_refresh  # noqa: E402
from accounts.models import Role, User  # noqa: E402
from projects.models import Activity, Project  # noqa: E402
from projects.services.activities import activity_update  # noqa: E402

TARGET_SECONDS = 2.0


def prepare(period: Period) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM accountability_attestation)")
        if not cursor.fetchone()[0]:
            started = time.monotonic()
            # One version per activity: its history id when it has one, else a stand-in.
            cursor.execute(
                """
                INSERT INTO accountability_attestation
                    (activity_id, version, is_current, counterpart_role, status, requested_at,
                     decided_at, comment)
                SELECT a.id, a.id, true, 'sea_contact',
                       CASE WHEN a.id %% 20 = 0 THEN 'disputed' WHEN a.id %% 10 < 6 THEN 'confirmed'
                            ELSE 'pending' END,
                       a.date::timestamptz + interval '1 day',
                       CASE WHEN a.id %% 10 < 6 OR a.id %% 20 = 0
                            THEN a.date::timestamptz + (a.id %% 15 + 1) * interval '1 day' END,
                       CASE WHEN a.id %% 20 = 0 THEN 'Not as recorded' ELSE '' END
                FROM projects_activity a
                WHERE a.date BETWEEN %s AND %s AND a.id %% 10 < 7
                """,
                [period.start, period.end],
            )
            cursor.execute("ANALYZE accountability_attestation")
            print(f"attestations loaded: {cursor.rowcount} in {time.monotonic() - started:.1f} s", flush=True)
    started = time.monotonic()
    cells = service_month_refresh()  # a full rebuild the first time
    print(f"services rollup refreshed: {cells} cells in {time.monotonic() - started:.1f} s", flush=True)
    for kind, label in PerformanceMeasure.Counts.choices:
        measure, _ = PerformanceMeasure.objects.get_or_create(
            name=f"Benchmark: {label}", defaults={"definition": label, "counts": kind}
        )
        MeasureTarget.objects.get_or_create(
            measure=measure, period_start=period.start, period_end=period.end, defaults={"target": 100}
        )


def user(username: str, role: Role, sea=None) -> User:
    account, _ = User.objects.get_or_create(
        username=username, defaults={"sea": sea, "email": f"{username}@example.org"}
    )
    account.groups.add(Group.objects.get_or_create(name=role.value)[0])
    return account


def timed(client: Client, url: str, runs: int) -> tuple[list[float], int]:
    started = time.monotonic()
    client.get(url)
    print(
        f"  first run (after a data change: figures computed, then cached) {time.monotonic() - started:.2f} s"
    )
    times = []
    for _ in range(runs):
        started = time.monotonic()
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        times.append(time.monotonic() - started)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return times, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    period = Period.last_fiscal_year()
    prepare(period)
    busiest = Project.objects.values("sea").annotate(n=Count("pk")).order_by("-n").first()["sea"]
    accounts = {
        "facilitator": user("bench.report.facilitator", Role.FACILITATOR),
        "sea staff": user("bench.report.sea", Role.SEA_STAFF, sea_id_holder(busiest)),
    }
    url = f"/accountability/report/?date_from={period.start}&date_to={period.end}"
    cases = [("facilitator", url), ("sea staff", url), ("facilitator", url + "&format=xlsx")]
    print(f"Report of {period.label}; {args.runs} runs after one warm-up", flush=True)
    worst = 0.0
    for who, case_url in cases:
        client = Client()
        client.force_login(accounts[who])
        times, count = timed(client, case_url, args.runs)
        what = "workbook" if "xlsx" in case_url else "page"
        if what == "page":
            worst = max(worst, statistics.median(times))
        print(
            f"{who:12} {what:8} median {statistics.median(times):.2f} s  max {max(times):.2f} s  "
            f"{count} SQL statements  load {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}",
            flush=True,
        )
    # A facilitator edits one activity of the period; the next report pays for the change.
    client = Client()
    client.force_login(accounts["facilitator"])
    client.get(url)
    activity = Activity.objects.filter(date__range=(period.start, period.end)).order_by("-pk").first()
    activity_update(activity=activity, editor=accounts["facilitator"], hours=activity.hours % 8 + 1)
    with CaptureQueriesContext(connection) as queries:
        started = time.monotonic()
        client.get(url)
        after_change = time.monotonic() - started
    worst = max(worst, after_change)
    print(
        f"facilitator  page after one activity changed {after_change:.2f} s  {len(queries)} SQL statements  "
        f"load {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    print(f"{'PASS' if worst <= TARGET_SECONDS else 'FAIL'}: worst {worst:.2f} s (target {TARGET_SECONDS} s)")


def sea_id_holder(sea_id):
    from stakeholders.models import SEA

    return SEA.objects.get(pk=sea_id)


if __name__ == "__main__":
    main()
