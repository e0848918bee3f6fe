import os
import time
from pathlib import Path

import pytest
from django.db import connection

from communications.devtools import CeleryProcess, RedisProcess, SmtpSink

LOGS = Path(__file__).resolve().parents[2] / "var" / "log" / "tests"


def database_url() -> str:
    """The URL of the database this test is using (pytest-django's test_<name>)."""
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


class CeleryStack:
    """A private Redis, an SMTP sink, a real Celery worker and beat against the test database."""

    def __init__(self, tmp_path, extra_env=None):
        self.tmp_path = tmp_path
        self.redis = RedisProcess()
        self.sink = SmtpSink(keep=True)
        self.extra_env = extra_env or {}
        self.processes = []

    def env(self):
        env = dict(os.environ)
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "r2cc_portal.settings.test",
                "DATABASE_URL": database_url(),
                "REDIS_URL": self.redis.url(0),
                "EMAIL_URL": self.sink.url,
                "COMMUNICATIONS_TICK_SECONDS": "1",
                "COMMUNICATIONS_LEASE_SECONDS": "20",
            }
        )
        env.update(self.extra_env)
        return env

    def __enter__(self):
        self.redis.start()
        self.sink.__enter__()
        env = self.env()
        LOGS.mkdir(parents=True, exist_ok=True)
        self.processes = [
            CeleryProcess(
                "worker",
                env=env,
                log=LOGS / "comms-worker.log",
                extra=["--concurrency", "2", "--pool", "prefork"],
            ).start(),
            CeleryProcess(
                "beat",
                env=env,
                log=LOGS / "comms-beat.log",
                extra=["--schedule", str(self.tmp_path / "beat")],
            ).start(),
        ]
        return self

    def __exit__(self, *exc):
        for process in self.processes:
            process.stop()
        self.sink.__exit__(*exc)
        self.redis.stop()


@pytest.fixture
def celery_stack(transactional_db, tmp_path):
    def start(**extra_env):
        return CeleryStack(tmp_path, extra_env={k: str(v) for k, v in extra_env.items()})

    return start


def wait_for(predicate, *, timeout: float, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
