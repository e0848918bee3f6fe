"""Fault test of communications sending: nothing lost, a duplicate only from a transaction
in flight at a crash.

A campaign to N stakeholders (default 2,000) goes to an SMTP sink in its own process while the
Celery worker, run as production runs it (`--concurrency 2`, prefork), is killed with SIGKILL at
random moments (default 20 times) and restarted, the private Redis is crashed once with
SIGKILL while the worker and two beats are connected, and the two beats run side by side.

The sink behaves like a real MTA: a message counts as accepted when its DATA is complete, even
if the client dies before reading the reply, and it journals the CLOCK_MONOTONIC time of each.
Each kill is stamped as its signal is sent. Afterwards every delivery must be sent, and every
extra copy of a Message-ID must be explained by a kill that came at most the sink's reply delay
plus `--slack-ms` after the earlier copy was accepted (the SMTP transaction was in flight), at
most one per worker process per kill. The script prints the figures and exits non-zero when a
check fails.

    .venv/bin/python benchmarks/comms_fault.py [--recipients 2000] [--kills 20] [--concurrency 2]

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


def duplicates_against(records: list[dict], kills: list[float]) -> dict:
    """Match every extra copy of a Message-ID to the nearest worker kill after the copy before it.

    `records` are the sink's journal ({"at", "message_id"}, CLOCK_MONOTONIC when DATA completed);
    `kills` the CLOCK_MONOTONIC times the SIGKILLs were sent. Returns the gaps (kill minus the
    earlier copy's acceptance, in ms) per duplicate, and which kill explains it.
    """
    copies = collections.defaultdict(list)
    for record in records:
        copies[record["message_id"]].append(record["at"])
    matched = []
    for message_id, times in copies.items():
        times.sort()
        for earlier in times[:-1]:
            # The nearest kill at or after the earlier copy (allowing a copy whose last bytes the
            # sink read from its socket buffer just after the client died).
            after = [k for k in kills if k >= earlier - 0.05]
            kill = min(after, default=None)
            gap = None if kill is None else round((kill - earlier) * 1000, 1)
            matched.append({"message_id": message_id, "kill": kill, "gap_ms": gap})
    return {"copies": copies, "duplicates": matched}


def main() -> int:  # noqa: C901 - one fault scenario, read top to bottom
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--recipients", type=int, default=2000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/r2cc_comms_fault")
    parser.add_argument(
        "--smtp-delay", type=float, default=0.03, help="seconds the sink takes to answer the end of DATA"
    )
    parser.add_argument(
        "--slack-ms",
        type=float,
        default=50.0,
        help="beyond the SMTP delay, how late a kill may come and still catch the transaction in flight",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=2,
        help="worker processes (2, as scripts/run and docker-compose.yml start it); each can have "
        "one SMTP transaction in flight when killed",
    )
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    rng = random.Random(seed)  # noqa: S311 - kill timing, not security
    window_ms = args.smtp_delay * 1000 + args.slack_ms

    from communications.devtools import CeleryProcess, RedisProcess, SinkProcess

    recreate_database(args.database_url)
    workdir = Path(tempfile.mkdtemp(prefix="comms-fault-"))
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
            "COMMUNICATIONS_LEASE_SECONDS": "6",
            # A killed worker's in-flight rows wait this long before they are sent again
            # (production: ten minutes); shortened so the run ends in minutes.
            "COMMUNICATIONS_IN_FLIGHT_SECONDS": "10",
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
        "smtp_delay_ms": args.smtp_delay * 1000,
        "in_flight_window_ms": window_ms,
    }
    kill_times: list[float] = []
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

        kills, kills_mid_campaign, redis_crashes = 0, 0, 0
        for number in range(1, args.kills + 1):
            # Wait until this worker is actually sending, then kill it a random moment later.
            before = sink.accepted()
            deadline = time.monotonic() + 40
            while sink.accepted() == before and time.monotonic() < deadline:
                if sent() >= args.recipients:
                    break
                time.sleep(0.05)
            time.sleep(rng.uniform(0.0, 1.2))
            outstanding = Delivery.objects.exclude(status=Delivery.Status.SENT).count() > 0 or sent() == 0
            kill_times.append(current.kill())  # stamped as the signal is sent
            processes.remove(current)
            kills += 1
            kills_mid_campaign += int(outstanding)
            current = worker()
            processes.append(current)
            if number == args.kills // 2 and not redis_crashes:
                time.sleep(rng.uniform(2.0, 4.0))
                # A Redis crash while the worker and both beats are connected to it.
                report["redis_crash_at"] = redis.crash() - started
                redis_crashes += 1
                time.sleep(rng.uniform(0.5, 2.0))
                redis.start()
        report.update(kills=kills, kills_while_outstanding=kills_mid_campaign, redis_crashes=redis_crashes)

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
        sink_stats = sink.stop()
        redis.stop()

    statuses = dict(Delivery.objects.values_list("status").annotate(n=Count("pk")).order_by())
    expected_ids = {d.message_id for d in Delivery.objects.only("pk", "communication_id", "occurrence_id")}
    found = duplicates_against(sink.records(), kill_times)
    copies = found["copies"]
    missing = sorted(expected_ids - set(copies))
    unexpected = sorted(set(copies) - expected_ids)
    duplicates = found["duplicates"]
    inside = [d for d in duplicates if d["gap_ms"] is not None and d["gap_ms"] <= window_ms]
    outside = [d for d in duplicates if d not in inside]
    per_kill = collections.Counter(d["kill"] for d in inside)
    gaps = sorted(d["gap_ms"] for d in inside)
    report.update(
        statuses=statuses,
        deliveries=sum(statuses.values()),
        sink=sink_stats,
        sink_distinct=len(copies),
        missing=len(missing),
        duplicates=len(duplicates),
        duplicates_in_flight_at_a_kill=len(inside),
        duplicates_outside_any_kill_window=[d["message_id"] for d in outside],
        max_duplicates_per_kill=max(per_kill.values(), default=0),
        ms_from_acceptance_to_kill=gaps,
        unexpected=len(unexpected),
        seconds=round(time.monotonic() - started, 1),
    )
    from django.db import connections

    connections.close_all()
    if not args.keep_database:
        drop_database(args.database_url)
    checks = {
        "every delivery sent": statuses.get("sent", 0) == args.recipients == report["deliveries"],
        "no Message-ID lost": not missing,
        "no stray Message-ID": not unexpected,
        f"every duplicate in flight at a kill (first copy accepted <= {window_ms:g} ms before it)": not outside,
        f"at most {args.concurrency} duplicates per kill (one per worker process)": report[
            "max_duplicates_per_kill"
        ]
        <= args.concurrency,
        f"at least {args.kills} kills": report["kills"] >= args.kills,
        "Redis crashed once (SIGKILL)": report["redis_crashes"] == 1,
    }
    report["checks"] = checks
    print(json.dumps(report, indent=2, default=str))
    print(
        f"comms fault test: {args.recipients} recipients, worker concurrency {args.concurrency}, "
        f"{report['kills']} SIGKILLs ({report['kills_while_outstanding']} with mail outstanding), Redis "
        f"SIGKILLed {report['redis_crashes']}x, 2 beats; sent {statuses.get('sent', 0)}, lost {len(missing)}, "
        f"duplicates {len(duplicates)} ({len(inside)} in flight at a kill, {len(outside)} outside; "
        f"window {window_ms:g} ms, max gap {max(gaps, default=0)} ms, at most "
        f"{report['max_duplicates_per_kill']} per kill), {report['seconds']} s. Logs: {workdir}"
    )
    failed = [name for name, ok in checks.items() if not ok]
    if failed:
        print("FAILED: " + "; ".join(failed))
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
