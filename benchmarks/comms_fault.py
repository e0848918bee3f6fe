"""Fault test of communications sending: nothing lost, nothing doubled.

A campaign to N stakeholders (default 2,000) goes to a local SMTP sink while the Celery worker
is killed with SIGKILL at random moments (default 20 times) and restarted, the private Redis
is restarted once, and two beats run side by side. Afterwards every delivery must be sent and
the sink must hold every Message-ID exactly once, except at most one per kill (a kill that
landed between the SMTP server's acceptance and the commit of "sent" resends the same
Message-ID). The script prints the figures and exits non-zero when a check fails.

    .venv/bin/python benchmarks/comms_fault.py [--recipients 2000] [--kills 20]

It uses its own PostgreSQL database (created and dropped, default r2cc_comms_fault), its own
redis-server on a free port from 6390 and an SMTP sink on a free port from 8125; it never
touches the shared Redis on 6379.
"""

import argparse
import collections
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = psycopg.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def drop_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    admin = psycopg.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{parsed.path.lstrip("/")}" WITH (FORCE)')
    admin.close()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--recipients", type=int, default=2000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/r2cc_comms_fault")
    parser.add_argument("--smtp-delay", type=float, default=0.03, help="seconds the sink takes per message")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=1,
        help="worker processes; each can have one message between acceptance and commit when killed",
    )
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    rng = random.Random(seed)  # noqa: S311 - kill timing, not security

    from communications.devtools import CeleryProcess, RedisProcess, SmtpSink

    recreate_database(args.database_url)
    redis = RedisProcess().start()
    sink = SmtpSink(delay=args.smtp_delay)
    sink.__enter__()
    workdir = Path(tempfile.mkdtemp(prefix="comms-fault-"))
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "r2cc_portal.settings.test",
            "DATABASE_URL": args.database_url,
            "REDIS_URL": redis.url(0),
            "EMAIL_URL": sink.url,
            "COMMUNICATIONS_TICK_SECONDS": "2",
            "COMMUNICATIONS_LEASE_SECONDS": "6",
            "COMMUNICATIONS_BATCH_SIZE": "25",
            "COMMUNICATIONS_RETRY_BASE_SECONDS": "2",
        }
    )
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

    processes = []
    started = time.monotonic()
    report = {
        "seed": seed,
        "recipients": args.recipients,
        "kills_planned": args.kills,
        "worker_concurrency": args.concurrency,
    }
    try:
        call_command("migrate", verbosity=0)
        sea = SEA.objects.create(
            name="Fault Test Department of Education", short_name="FTDE", state_code="FT"
        )
        author = User.objects.create_user("fault.facilitator", email="facilitator@example.org", password=None)
        author.groups.add(Group.objects.get(name=Role.FACILITATOR.value))
        Stakeholder.objects.bulk_create(
            Stakeholder(first_name=f"Recipient{i}", last_name="Fault", email=f"fault{i}@example.org", sea=sea)
            for i in range(args.recipients)
        )

        def worker():
            return CeleryProcess(
                "worker",
                env=env,
                log=workdir / "worker.log",
                extra=["--concurrency", str(args.concurrency), "--pool", "prefork"],
            ).start()

        beats = [
            CeleryProcess(
                "beat", env=env, log=workdir / f"beat{n}.log", extra=["--schedule", str(workdir / f"beat{n}")]
            )
            for n in (1, 2)
        ]
        for beat in beats:
            beat.start()
        processes.extend(beats)
        current = worker()
        processes.append(current)

        communication = services.communication_compose(
            author=author,
            subject="Fault-test campaign for {{ first_name }}",
            body="Dear {{ first_name }},\n\nThis message must arrive **exactly once**.",
            category="newsletter",
            audience={"seas": [sea.pk]},
        )
        services.communication_schedule(communication=communication)

        def sent():
            return Delivery.objects.filter(status=Delivery.Status.SENT).count()

        kills, kills_mid_campaign, redis_restarted = 0, 0, False
        kill_times = []
        for number in range(1, args.kills + 1):
            # Wait until this worker is actually sending, then kill it a random moment later.
            before = sink.handler.accepted
            deadline = time.monotonic() + 40
            while sink.handler.accepted == before and time.monotonic() < deadline:
                if sent() >= args.recipients:
                    break
                time.sleep(0.05)
            time.sleep(rng.uniform(0.0, 1.2))
            outstanding = Delivery.objects.exclude(status=Delivery.Status.SENT).count() > 0 or sent() == 0
            current.kill()
            kill_times.append(time.monotonic())
            processes.remove(current)
            kills += 1
            kills_mid_campaign += int(outstanding)
            if number == args.kills // 2 and not redis_restarted:
                current = worker()
                processes.append(current)
                time.sleep(rng.uniform(1.0, 3.0))
                redis.restart()  # while the worker and both beats are connected
                redis_restarted = True
                continue
            current = worker()
            processes.append(current)
        report.update(
            kills=kills, kills_while_outstanding=kills_mid_campaign, redis_restarts=int(redis_restarted)
        )

        deadline = time.monotonic() + 420
        while time.monotonic() < deadline:
            if not Delivery.objects.exclude(status=Delivery.Status.SENT).exists():
                break
            time.sleep(1)
        time.sleep(3)  # a late duplicate would show up now
        report["beats_alive_at_end"] = sum(1 for b in beats if b.process.poll() is None)
    finally:
        for process in processes:
            process.stop()
        sink.__exit__(None, None, None)
        redis.stop()

    statuses = dict(Delivery.objects.values_list("status").annotate(n=Count("pk")).order_by())
    expected_ids = {d.message_id for d in Delivery.objects.only("pk", "communication_id", "occurrence_id")}
    counts = sink.handler.counts
    missing = sorted(expected_ids - set(counts))
    doubled = {mid: c for mid, c in counts.items() if c > 1}
    unexpected = sorted(set(counts) - expected_ids)
    # A duplicate is explained by the first kill after its first copy was accepted; a killed
    # worker process can leave at most one accepted but unrecorded message behind.
    per_kill = collections.Counter()
    gaps = []
    unexplained_ids = []
    unexplained = 0
    for mid in doubled:
        first = sink.handler.first_seen[mid]
        after = [t for t in kill_times if t >= first]
        if after:
            per_kill[after[0]] += 1
            gaps.append(round((after[0] - first) * 1000, 1))
        else:
            unexplained += 1
            unexplained_ids.append(mid)
    report.update(
        statuses=statuses,
        deliveries=sum(statuses.values()),
        sink_accepted=sink.handler.accepted,
        sink_distinct=len(counts),
        missing=len(missing),
        duplicates=sum(c - 1 for c in doubled.values()),
        doubled_message_ids=sorted(doubled)[:20],
        unexpected=len(unexpected),
        dropped_before_acceptance=sink.handler.dropped,
        duplicates_explained_by_a_kill=sum(per_kill.values()),
        duplicates_unexplained=unexplained,
        unexplained_message_ids=unexplained_ids,
        max_duplicates_per_kill=max(per_kill.values(), default=0),
        ms_from_acceptance_to_kill=sorted(gaps),
        seconds=round(time.monotonic() - started, 1),
    )
    from django.db import connections

    connections.close_all()
    if not args.keep_database:
        drop_database(args.database_url)
    checks = {
        "every delivery sent": statuses.get("sent", 0) == args.recipients == report["deliveries"],
        "no Message-ID missing": not missing,
        "no stray Message-ID": not unexpected,
        "every duplicate follows a kill": unexplained == 0,
        "at most one duplicate per kill and worker process": report["duplicates"]
        <= report["kills"] * args.concurrency
        and report["max_duplicates_per_kill"] <= args.concurrency,
        f"at least {args.kills} kills": report["kills"] >= args.kills,
        "Redis restarted once": report["redis_restarts"] == 1,
    }
    report["checks"] = checks
    print(json.dumps(report, indent=2, default=str))
    print(
        f"comms fault test: {args.recipients} recipients, {report['kills']} SIGKILLs "
        f"({report['kills_while_outstanding']} with mail outstanding), Redis restarted "
        f"{report['redis_restarts']}x, 2 beats; sent {statuses.get('sent', 0)}, missing {len(missing)}, "
        f"duplicates {report['duplicates']} (kills landing between SMTP acceptance and commit), "
        f"{report['seconds']} s. Logs: {workdir}"
    )
    failed = [name for name, ok in checks.items() if not ok]
    if failed:
        print("FAILED: " + "; ".join(failed))
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
