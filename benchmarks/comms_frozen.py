"""Fault test of a frozen worker: a worker paused longer than its lease sends nothing twice.

A campaign to N stakeholders (default 600) goes to an SMTP sink in its own process (see
comms_fault.py). A Celery worker run as production runs it (`--concurrency 2`, prefork) starts
sending; once it has claimed batches and sent some of them, its whole process group is frozen
with SIGSTOP (a GC pause, a VM freeze) for longer than its lease (default lease 10 s, frozen
25 s) while a second worker is started and takes the expired rows over. Then the first worker
is resumed with SIGCONT and finishes what it was doing. Every delivery must be sent and the
sink must hold every Message-ID exactly once: the resumed worker confirms each row right before
its SMTP transaction and skips the ones it lost (it logs how many); the message it had in flight
at the freeze is held for COMMUNICATIONS_IN_FLIGHT_SECONDS (production's ten minutes here) and
is marked by it, not sent again by the other.

    .venv/bin/python benchmarks/comms_frozen.py [--recipients 600] [--lease 10] [--freeze 25]

It uses its own PostgreSQL database (created and dropped, default r2cc_comms_frozen), its own
redis-server on a free port from 6390 and an SMTP sink on a free port from 8125.
"""

import argparse
import collections
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.comms_fault import drop_database, recreate_database  # noqa: E402

LOST = re.compile(r"Skipped (\d+) deliveries this worker no longer held")
ACCEPTED_AFTER_LOSS = "was accepted by the mail server after this worker had lost the row"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--recipients", type=int, default=600)
    parser.add_argument("--lease", type=int, default=10, help="COMMUNICATIONS_LEASE_SECONDS")
    parser.add_argument("--freeze", type=float, default=25.0, help="seconds the first worker is stopped")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes per worker")
    parser.add_argument("--smtp-delay", type=float, default=0.03)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/r2cc_comms_frozen")
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()
    if args.freeze <= args.lease:
        parser.error("--freeze must be longer than --lease")

    from communications.devtools import CeleryProcess, RedisProcess, SinkProcess

    recreate_database(args.database_url)
    workdir = Path(tempfile.mkdtemp(prefix="comms-frozen-"))
    redis = RedisProcess().start()
    sink = SinkProcess(journal=workdir / "accepted.jsonl", delay=args.smtp_delay).start()
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "r2cc_portal.settings.test",
            "DATABASE_URL": args.database_url,
            "REDIS_URL": redis.url(0),
            "EMAIL_URL": sink.url,
            "COMMUNICATIONS_TICK_SECONDS": "2",
            "COMMUNICATIONS_LEASE_SECONDS": str(args.lease),
            "COMMUNICATIONS_BATCH_SIZE": "100",
        }
    )
    env.pop("COMMUNICATIONS_IN_FLIGHT_SECONDS", None)  # production's value
    os.environ.update(env)

    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db.models import Count

    from accounts.models import Role, User
    from communications import services
    from communications.models import Delivery
    from stakeholders.models import SEA, Stakeholder

    def worker(name):
        return CeleryProcess(
            "worker",
            env=env,
            log=workdir / f"{name}.log",
            extra=["--concurrency", str(args.concurrency), "--pool", "prefork", "-n", f"{name}@%h"],
        ).start()

    processes = []
    started = time.monotonic()
    report = {
        "recipients": args.recipients,
        "worker_concurrency": args.concurrency,
        "lease_seconds": args.lease,
    }
    try:
        call_command("migrate", verbosity=0)
        sea = SEA.objects.create(
            name="Frozen Test Department of Education", short_name="FZDE", state_code="FZ"
        )
        author = User.objects.create_user(
            "frozen.facilitator", email="facilitator@example.org", password=None
        )
        author.groups.add(Group.objects.get(name=Role.FACILITATOR.value))
        Stakeholder.objects.bulk_create(
            Stakeholder(
                first_name=f"Recipient{i}", last_name="Frozen", email=f"frozen{i}@example.org", sea=sea
            )
            for i in range(args.recipients)
        )
        beat = CeleryProcess(
            "beat", env=env, log=workdir / "beat.log", extra=["--schedule", str(workdir / "beat")]
        )
        processes.append(beat.start())
        first = worker("first")
        processes.append(first)
        communication = services.communication_compose(
            author=author,
            subject="Frozen-worker campaign for {{ first_name }}",
            body="Dear {{ first_name }},\n\nThis message must arrive **exactly once**.",
            category="newsletter",
            audience={"seas": [sea.pk]},
        )
        services.communication_schedule(communication=communication)

        # Freeze the first worker once it holds claimed batches and is sending from them.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and sink.accepted() < min(40, args.recipients // 10):
            time.sleep(0.05)
        frozen_at = first.freeze()
        held = Delivery.objects.filter(status=Delivery.Status.SENDING).count()
        report.update(accepted_before_freeze=sink.accepted(), rows_held_by_frozen_worker=held)
        second = worker("second")
        processes.append(second)
        time.sleep(max(0.0, frozen_at + args.freeze - time.monotonic()))
        first.thaw()
        report["frozen_seconds"] = round(time.monotonic() - frozen_at, 1)

        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if not Delivery.objects.exclude(status=Delivery.Status.SENT).exists():
                break
            time.sleep(1)
        time.sleep(3)  # a late duplicate would show up now
    finally:
        for process in processes:
            process.stop()
        sink_stats = sink.stop()
        redis.stop()

    statuses = dict(Delivery.objects.values_list("status").annotate(n=Count("pk")).order_by())
    expected_ids = {d.message_id for d in Delivery.objects.only("pk", "communication_id", "occurrence_id")}
    counts = collections.Counter(r["message_id"] for r in sink.records())
    missing = sorted(expected_ids - set(counts))
    duplicates = sum(c - 1 for c in counts.values() if c > 1)
    first_log = (workdir / "first.log").read_text(errors="replace")
    lost = sum(int(n) for n in LOST.findall(first_log))
    report.update(
        statuses=statuses,
        sink=sink_stats,
        missing=len(missing),
        duplicates=duplicates,
        doubled_message_ids=sorted(m for m, c in counts.items() if c > 1)[:20],
        rows_the_resumed_worker_skipped=lost,
        accepted_after_loss=first_log.count(ACCEPTED_AFTER_LOSS),
        seconds=round(time.monotonic() - started, 1),
    )
    from django.db import connections

    connections.close_all()
    if not args.keep_database:
        drop_database(args.database_url)
    checks = {
        "every delivery sent": statuses.get("sent", 0) == args.recipients == sum(statuses.values()),
        "no Message-ID lost": not missing,
        "no duplicate": duplicates == 0,
        "the frozen worker held claimed rows": held > 0,
        "the resumed worker skipped rows it had lost": lost > 0,
    }
    report["checks"] = checks
    print(json.dumps(report, indent=2, default=str))
    print(
        f"comms frozen-worker test: {args.recipients} recipients, worker concurrency {args.concurrency}, "
        f"lease {args.lease} s, first worker SIGSTOPped {report['frozen_seconds']} s holding {held} rows "
        f"while a second worker ran; sent {statuses.get('sent', 0)}, lost {len(missing)}, duplicates "
        f"{duplicates}, rows the resumed worker skipped as lost {lost}, {report['seconds']} s. Logs: {workdir}"
    )
    failed = [name for name, ok in checks.items() if not ok]
    if failed:
        print("FAILED: " + "; ".join(failed))
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
