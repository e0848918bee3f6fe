"""How production connects: direct, Django's pool or PgBouncer; the replica; sessions in Redis."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from r2cc_portal.settings.databases import postgres_connection_settings

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'databases': settings.DATABASES, 'session_engine': settings.SESSION_ENGINE, "
    "'session_cache': settings.SESSION_CACHE_ALIAS, 'caches': sorted(settings.CACHES), "
    "'storage': settings.STORAGES['default'], 'routers': settings.DATABASE_ROUTERS, "
    "'pgbouncer': settings.DATABASE_PGBOUNCER}, default=str))"
)
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "r2cc_portal.settings.production",
    "SECRET_KEY": "x" * 60,
    "ALLOWED_HOSTS": "portal.example.org",
    "DATABASE_URL": "postgres://portal@db.example.org:5432/portal",
    "REDIS_URL": "redis://redis.example.org:6379/0",
}


def probe(**env: str) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "REDIS_", "SESSION_", "FILE_STORAGE", "CONN_MAX_AGE"))
        and k not in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "ALLOWED_HOSTS")
    }
    environment.update(PRODUCTION, **env)
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


def settings_of(**env: str) -> dict:
    result = probe(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_default_keeps_checked_persistent_connections_and_sessions_in_redis():
    values = settings_of()
    default = values["databases"]["default"]
    assert default["CONN_MAX_AGE"] == 60
    assert default["CONN_HEALTH_CHECKS"] is True
    assert default["OPTIONS"]["options"] == "-c jit=off"
    assert "replica" not in values["databases"]
    assert values["session_engine"] == "django.contrib.sessions.backends.cache"
    assert values["session_cache"] == "sessions"
    assert "sessions" in values["caches"]
    assert values["routers"] == ["r2cc_portal.db_router.ReplicaRouter"]
    assert values["storage"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_pgbouncer_mode_keeps_nothing_across_transactions():
    values = settings_of(
        DATABASE_PGBOUNCER="true", DATABASE_REPLICA_URL="postgres://portal@replica.example.org:5432/portal"
    )
    for alias in ("default", "replica"):
        db = values["databases"][alias]
        assert db["DISABLE_SERVER_SIDE_CURSORS"] is True
        assert db["OPTIONS"]["prepare_threshold"] is None
        assert "options" not in db["OPTIONS"]  # PgBouncer refuses unknown startup parameters
        assert db["CONN_MAX_AGE"] == 60
    replica = values["databases"]["replica"]
    assert replica["ATOMIC_REQUESTS"] is False
    assert replica["CONN_HEALTH_CHECKS"] is False  # a failed replica read is answered from the primary
    assert values["databases"]["default"]["CONN_HEALTH_CHECKS"] is True
    assert replica["HOST"] == "replica.example.org"
    assert replica["OPTIONS"]["connect_timeout"] == 2
    assert values["databases"]["default"]["ATOMIC_REQUESTS"] is True
    assert values["pgbouncer"] is True


def test_django_pool_mode():
    db = settings_of(DATABASE_POOL="true", DATABASE_POOL_MAX_SIZE="6")["databases"]["default"]
    assert db["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 6, "timeout": 10.0}
    assert db["CONN_MAX_AGE"] == 0  # Django refuses persistent connections with its pool
    assert db["OPTIONS"]["options"] == "-c jit=off"


def test_pool_and_pgbouncer_together_are_refused():
    result = probe(DATABASE_POOL="true", DATABASE_PGBOUNCER="true")
    assert result.returncode != 0
    assert "not both" in result.stderr


def test_a_sticky_window_shorter_than_the_lag_limit_is_refused():
    result = probe(DATABASE_REPLICA_STICKY_SECONDS="2", DATABASE_REPLICA_MAX_LAG_SECONDS="2")
    assert result.returncode != 0
    assert "DATABASE_REPLICA_STICKY_SECONDS must exceed" in result.stderr


def test_uploaded_files_storage_comes_from_the_environment():
    values = settings_of(
        FILE_STORAGE_BACKEND="django.core.files.storage.InMemoryStorage",
        FILE_STORAGE_OPTIONS='{"location": "uploads"}',
    )
    assert values["storage"] == {
        "BACKEND": "django.core.files.storage.InMemoryStorage",
        "OPTIONS": {"location": "uploads"},
    }


@pytest.mark.parametrize("engine", ["django.db.backends.sqlite3"])
def test_other_engines_are_left_alone(engine):
    db = {"ENGINE": engine, "NAME": "x"}
    assert postgres_connection_settings(db, pgbouncer=True, pool=False, conn_max_age=60) is db
