"""One large state's activity CSV export against `psql \\copy` of the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/r2cc_scale \\
        .venv/bin/python benchmarks/export.py [--runs 3] [--state PA]

Exports the activity list as SEA staff of the state with the most activities (or --state) through
the portal (Django test client, the streamed response read to the end) and times `psql -c
"\\copy (<the export's own SELECT>) TO '/dev/null' CSV"` on the same rows. Prints the medians, the
rows, the statements of the export and the ratio (target <= 2).
"""

import argparse
import os
import statistics
import subprocess
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
from django.test import Client, RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from projects.views.activities import ActivityListView, activity_export_queryset  # noqa: E402
from stakeholders.models import SEA  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--state", default="")
    args = parser.parse_args()
    if args.state:
        sea = SEA.objects.get(state_code=args.state)
    else:
        sea = SEA.objects.annotate(n=Count("projects__activities")).order_by("-n").first()
    user, _ = User.objects.get_or_create(username="bench.export", defaults={"sea": sea, "is_active": True})
    if user.sea_id != sea.pk:
        user.sea = sea
        user.save(update_fields=["sea"])
    user.groups.add(Group.objects.get(name=Role.SEA_STAFF.value))

    client = Client()
    client.force_login(user)
    url = reverse("projects:activity_list") + "?format=csv"
    portal, size, statements = [], 0, 0
    for _ in range(args.runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            size = sum(len(chunk) for chunk in response.streaming_content)
            portal.append(time.perf_counter() - started)
        statements = len(captured.captured_queries)

    request = RequestFactory().get(url)
    request.user = user
    view = ActivityListView(request=request, kwargs={})
    sql, params = activity_export_queryset(
        view.get_queryset().prefetch_related(None).select_related(None)
    ).query.sql_with_params()
    with connection.cursor() as cursor:
        literal = cursor.mogrify(sql, params)
        literal = literal.decode() if isinstance(literal, bytes) else literal
        cursor.execute(f"SELECT count(*) FROM ({sql}) AS export", params)  # noqa: S608
        rows = cursor.fetchone()[0]
    settings = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    command = [
        "psql", "-X", "-q", "-h", settings["HOST"] or "127.0.0.1", "-p", str(settings["PORT"] or 5432),
        "-U", settings["USER"], "-d", settings["NAME"],
        "-c", f"\\copy ({' '.join(literal.split())}) TO '/dev/null' CSV",
    ]  # fmt: skip
    floor = []
    for _ in range(args.runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, env=env)  # noqa: S603
        floor.append(time.perf_counter() - started)
    with open("/proc/loadavg") as file:
        load = " ".join(file.read().split()[:3])
    p, f = statistics.median(portal), statistics.median(floor)
    print(f"state={sea.state_code} rows={rows} csv_bytes={size} statements={statements} runs={args.runs}")
    print(f"portal export median {p:.2f} s; psql \\copy median {f:.2f} s; ratio {p / f:.2f} (target <= 2)")
    print(f"load average {load}")


if __name__ == "__main__":
    main()
