"""Settings come from the environment; production refuses to start without its secrets."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'tz': settings.TIME_ZONE, 'debug': settings.DEBUG, "
    "'db': settings.DATABASES['default']['ENGINE'], 'db_name': str(settings.DATABASES['default']['NAME']), "
    "'broker': settings.CELERY_BROKER_URL, 'cache': settings.CACHES['default']['BACKEND'], "
    "'email': settings.EMAIL_BACKEND, 'hosts': settings.ALLOWED_HOSTS, "
    "'hsts': getattr(settings, 'SECURE_HSTS_SECONDS', 0), "
    "'conn_max_age': settings.DATABASES['default'].get('CONN_MAX_AGE'), "
    "'db_options': settings.DATABASES['default'].get('OPTIONS', {})}))"
)
# Variables the portal reads; each probe starts from an environment without them.
PORTAL_VARIABLES = {
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "TIME_ZONE",
    "EMAIL_URL",
    "CELERY_BROKER_URL",
    "DJANGO_SETTINGS_MODULE",
}


def run_settings(module: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in PORTAL_VARIABLES}
    environment.update(DJANGO_SETTINGS_MODULE=module, **env)
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


def test_development_default_is_the_local_postgresql_and_no_other_server():
    result = run_settings("r2cc_portal.settings.development")
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["db"] == "django.db.backends.postgresql"
    assert values["db_name"] == "r2cc"
    assert values["broker"] == "filesystem://"
    assert values["cache"].endswith("FileBasedCache")


def test_a_sqlite_file_is_shared_safely_by_web_worker_and_beat(tmp_path):
    result = run_settings(
        "r2cc_portal.settings.development", DATABASE_URL=f"sqlite:///{tmp_path / 'build.sqlite3'}"
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["db"] == "django.db.backends.sqlite3"
    # web, worker and beat share the file: WAL, IMMEDIATE transactions and a busy timeout
    assert values["db_options"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in values["db_options"]["init_command"]
    assert values["db_options"]["timeout"] >= 20
    assert values["broker"] == "filesystem://"
    assert values["cache"].endswith("FileBasedCache")
    assert values["email"].endswith("filebased.EmailBackend")
    assert values["tz"] == "America/New_York"
    assert values["debug"] is True


def test_settings_come_from_the_environment():
    result = run_settings(
        "r2cc_portal.settings.development",
        DATABASE_URL="postgres://portal:secret@db.internal:5432/portal",
        REDIS_URL="redis://cache.internal:6379/0",
        TIME_ZONE="America/Chicago",
        DEBUG="false",
        EMAIL_URL="smtp://mailer.internal:25",
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["db"] == "django.db.backends.postgresql"
    assert values["db_name"] == "portal"
    assert values["broker"] == "redis://cache.internal:6379/0"
    assert values["cache"].endswith("RedisCache")
    assert values["email"].endswith("smtp.EmailBackend")
    assert values["tz"] == "America/Chicago"
    assert values["debug"] is False


def test_production_refuses_to_start_without_a_secret_key():
    result = run_settings(
        "r2cc_portal.settings.production",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/r2cc",
        REDIS_URL="redis://127.0.0.1:6379/1",
        ALLOWED_HOSTS="portal.example.org",
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_database_or_redis():
    for missing in ("DATABASE_URL", "REDIS_URL"):
        env = {
            "SECRET_KEY": "x" * 60,
            "ALLOWED_HOSTS": "portal.example.org",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/r2cc",
            "REDIS_URL": "redis://127.0.0.1:6379/1",
        }
        del env[missing]
        result = run_settings("r2cc_portal.settings.production", **env)
        assert result.returncode != 0
        assert missing in result.stderr


def test_production_settings_are_hardened():
    result = run_settings(
        "r2cc_portal.settings.production",
        SECRET_KEY="y" * 60,
        ALLOWED_HOSTS="portal.example.org",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/r2cc",
        REDIS_URL="redis://127.0.0.1:6379/1",
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["debug"] is False
    assert values["hosts"] == ["portal.example.org"]
    assert values["hsts"] >= 31536000
    assert values["conn_max_age"] == 60
    assert values["db_options"]["options"] == "-c jit=off"
