"""Production: PostgreSQL, Redis and SMTP from the environment; no default for secrets."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CACHES, DATABASE_PGBOUNCER, DATABASE_POOL, DATABASES, STORAGES, env
from .databases import postgres_connection_settings

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
for required in ("DATABASE_URL", "REDIS_URL"):
    if not env.str(required, default=""):
        raise ImproperlyConfigured(f"Set the {required} environment variable.")

STORAGES = {
    **STORAGES,
    # Benchmarks that never fetch assets collect faster with Django's plain manifest storage.
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND", default="whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Administrators sign in with a second factor (TOTP) in production.
TWO_FACTOR_REQUIRED_ROLES = env.list("TWO_FACTOR_REQUIRED_ROLES", default=["Administrator"])
# Connections: persistent and checked before reuse (CONN_MAX_AGE), Django's pool per process
# (DATABASE_POOL) or PgBouncer in transaction mode (DATABASE_PGBOUNCER); see settings/databases.py.
# JIT compilation costs more than it saves on the dashboards' short aggregate queries.
for alias in list(DATABASES):
    DATABASES[alias] = postgres_connection_settings(
        DATABASES[alias],
        pgbouncer=DATABASE_PGBOUNCER,
        pool=DATABASE_POOL,
        conn_max_age=env.int("CONN_MAX_AGE", default=60),
        pool_min_size=env.int("DATABASE_POOL_MIN_SIZE", default=1),
        pool_max_size=env.int("DATABASE_POOL_MAX_SIZE", default=4),
        pool_timeout=env.float("DATABASE_POOL_TIMEOUT", default=10.0),
        # An unreachable replica costs a request at most this long, then is left alone a while.
        connect_timeout=env.int("DATABASE_REPLICA_CONNECT_TIMEOUT", default=2)
        if alias == "replica"
        else None,
        # A broken replica connection fails its query and the router answers from the primary:
        # no health-check round trip for it on every request.
        health_checks=alias != "replica",
    )

# Sessions live in Redis beside the cache (under their own prefix), so any web process on any
# host serves any user, and a page view writes nothing to PostgreSQL.
CACHES["sessions"] = {**CACHES["default"], "KEY_PREFIX": "r2cc-session"}
SESSION_ENGINE = env.str("SESSION_ENGINE", default="django.contrib.sessions.backends.cache")
SESSION_CACHE_ALIAS = "sessions"
