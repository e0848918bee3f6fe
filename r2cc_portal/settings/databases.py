"""How the portal's processes connect to PostgreSQL: directly, through Django's pool, or PgBouncer.

See docs/deploy.md. One of three modes per deployment, for the primary and the replica alike:

- direct (default): one persistent connection per process and thread (`CONN_MAX_AGE`), checked
  before reuse; JIT is turned off with a startup option.
- `DATABASE_POOL=true`: Django's built-in psycopg pool per process (`DATABASE_POOL_MIN_SIZE`,
  `DATABASE_POOL_MAX_SIZE`, `DATABASE_POOL_TIMEOUT`); Django requires `CONN_MAX_AGE=0` with it.
- `DATABASE_PGBOUNCER=true`: PgBouncer in transaction mode. A server connection belongs to the
  client only for one transaction, so nothing may outlive one: no server-side cursors (Django's
  `.iterator()` then reads each query's result in one go), no prepared statements, no
  session-level `SET`, and no startup `options` (PgBouncer refuses unknown startup parameters):
  JIT is turned off on the server instead (`ALTER DATABASE … SET jit = off`).
"""

from django.core.exceptions import ImproperlyConfigured

POSTGRESQL = "django.db.backends.postgresql"
JIT_OFF = "-c jit=off"


def postgres_connection_settings(
    db: dict,
    *,
    pgbouncer: bool,
    pool: bool,
    conn_max_age: int,
    pool_min_size: int = 1,
    pool_max_size: int = 4,
    pool_timeout: float = 10.0,
    connect_timeout: int | None = None,
    health_checks: bool = True,
) -> dict:
    """Return `db` (a DATABASES entry) set up for the chosen connection mode."""
    if db.get("ENGINE") != POSTGRESQL:
        return db
    if pgbouncer and pool:
        raise ImproperlyConfigured(
            "Set DATABASE_PGBOUNCER or DATABASE_POOL, not both: PgBouncer already pools connections."
        )
    db = {**db, "OPTIONS": dict(db.get("OPTIONS", {}))}
    options = db["OPTIONS"]
    if connect_timeout:
        options.setdefault("connect_timeout", connect_timeout)
    db["CONN_HEALTH_CHECKS"] = health_checks
    if pgbouncer:
        db["CONN_MAX_AGE"] = conn_max_age
        db["DISABLE_SERVER_SIDE_CURSORS"] = True
        options["prepare_threshold"] = None
        if JIT_OFF in options.get("options", ""):
            options["options"] = options["options"].replace(JIT_OFF, "").strip()
        if not options.get("options"):
            options.pop("options", None)
        return db
    options.setdefault("options", JIT_OFF)
    if pool:
        db["CONN_MAX_AGE"] = 0
        options["pool"] = {"min_size": pool_min_size, "max_size": pool_max_size, "timeout": pool_timeout}
    else:
        db["CONN_MAX_AGE"] = conn_max_age
    return db
