"""Throughput of a 10,000-recipient communication against plain smtplib (the floor).

Both send to the same local SMTP sink (aiosmtpd, in its own process):
- floor: the same number of ready-made messages through `smtplib.SMTP.sendmail` over one
  connection, nothing else (no database, no rendering);
- portal: compose and schedule a communication to N stakeholders and time it until every
  delivery is marked sent by a real Celery worker (Redis broker, PostgreSQL), including
  audience resolution, delivery rows, per-recipient rendering, claims and status updates.

    .venv/bin/python benchmarks/comms_throughput.py [--recipients 10000] [--concurrency 1]

Uses its own database (default r2cc_comms_bench, created and dropped), its own redis-server
on a free port from 6390 and a sink on a free port from 8125.
"""

import argparse
import json
import os
import smtplib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.comms_fault import drop_database, recreate_database  # noqa: E402


def start_sink(port: int) -> subprocess.Popen:
    sink = subprocess.Popen(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "communications.devtools", "sink", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = sink.stdout.readline()
    if '"ready": true' not in line:
        raise RuntimeError(f"SMTP sink did not start: {line!r}")
    return sink


def stop_sink(sink: subprocess.Popen) -> dict:
    sink.terminate()
    out, _ = sink.communicate(timeout=30)
    return json.loads(out.strip().splitlines()[-1])


def floor(port: int, messages: list[tuple[str, str, bytes]]) -> float:
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for sender, recipient, raw in messages:
            smtp.sendmail(sender, [recipient], raw)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--recipients", type=int, default=10_000)
    # Like for like: one worker process against the floor's one smtplib connection; pass 2 or 4
    # to see how sending scales with processes.
    parser.add_argument("--concurrency", type=int, default=1, help="worker processes")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/r2cc_comms_bench")
    args = parser.parse_args()

    from communications.devtools import CeleryProcess, RedisProcess, free_port

    recreate_database(args.database_url)
    redis = RedisProcess().start()
    port = free_port(8125)
    workdir = Path(tempfile.mkdtemp(prefix="comms-bench-"))
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "r2cc_portal.settings.test",
            "DATABASE_URL": args.database_url,
            "REDIS_URL": redis.url(0),
            "EMAIL_URL": f"smtp://127.0.0.1:{port}",
            "LOG_LEVEL": "WARNING",
            # One sending task per worker process.
            "COMMUNICATIONS_SEND_PARALLELISM": str(args.concurrency),
        }
    )
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from accounts.models import Role, User
    from communications import services
    from communications.models import Delivery
    from communications.rendering import build_email, prepare_message, recipient_values
    from stakeholders.models import SEA, Stakeholder

    worker = None
    sink = start_sink(port)
    try:
        call_command("migrate", verbosity=0)
        sea = SEA.objects.create(name="Benchmark Department of Education", short_name="BDE", state_code="BM")
        author = User.objects.create_user("bench.facilitator", password=None)
        author.groups.add(Group.objects.get(name=Role.FACILITATOR.value))
        people = Stakeholder.objects.bulk_create(
            Stakeholder(first_name=f"Reader{i}", last_name="Bench", email=f"bench{i}@example.org", sea=sea)
            for i in range(args.recipients)
        )
        communication = services.communication_compose(
            author=author,
            subject="Quarterly update for {{ first_name }}",
            body="Dear {{ first_name }},\n\nHere is **what moved** this quarter at {{ organization }}.\n\n"
            "- Coaching sessions\n- Data analyses\n",
            category="newsletter",
            audience={"seas": [sea.pk]},
        )

        # The floor: the same messages, built beforehand, through one smtplib connection.
        prepared = prepare_message(
            subject=communication.subject, body=communication.body, category_label="Newsletter"
        )
        messages = []
        for n, person in enumerate(people):
            values = recipient_values(communication=communication, stakeholder=person)
            subject, text, html = prepared.for_recipient(values)
            email = build_email(
                subject=subject,
                text=text,
                html=html,
                to=person.email,
                name=person.full_name,
                message_id=f"<floor.{n}@bench>",
                unsubscribe=values["unsubscribe_url"],
                category="newsletter",
            )
            messages.append((email.from_email, person.email, email.message().as_bytes(linesep="\r\n")))
        floor_seconds = floor(port, messages)

        worker = CeleryProcess(
            "worker",
            env=env,
            log=workdir / "worker.log",
            extra=["--concurrency", str(args.concurrency), "--pool", "prefork", "--loglevel", "INFO"],
        ).start()
        deadline = time.monotonic() + 120
        while "ready." not in (workdir / "worker.log").read_text() and time.monotonic() < deadline:
            time.sleep(0.2)

        started = time.perf_counter()
        services.communication_schedule(communication=communication)  # rings the worker on commit
        while Delivery.objects.filter(status=Delivery.Status.SENT).count() < args.recipients:
            time.sleep(0.2)
            if time.perf_counter() - started > 1800:
                raise RuntimeError("The portal did not finish within 30 minutes")
        portal_seconds = time.perf_counter() - started
        floor_again = floor(port, messages)
    finally:
        if worker is not None:
            worker.stop()
        stats = stop_sink(sink)
        redis.stop()
        from django.db import connections

        connections.close_all()
        drop_database(args.database_url)

    floor_rate = args.recipients / min(floor_seconds, floor_again)
    portal_rate = args.recipients / portal_seconds
    result = {
        "recipients": args.recipients,
        "worker_concurrency": args.concurrency,
        "floor_seconds": [round(floor_seconds, 2), round(floor_again, 2)],
        "floor_rate_per_s": round(floor_rate, 1),
        "portal_seconds": round(portal_seconds, 2),
        "portal_rate_per_s": round(portal_rate, 1),
        "ratio": round(portal_rate / floor_rate, 3),
        "sink": stats,
    }
    print(json.dumps(result, indent=2))
    print(
        f"floor (smtplib, one connection): {floor_rate:.0f} msg/s; portal (Celery worker x{args.concurrency}): "
        f"{portal_rate:.0f} msg/s; ratio {portal_rate / floor_rate:.2f} (target >= 0.5)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
