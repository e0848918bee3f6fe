"""Reads of pure-read pages from a PostgreSQL hot standby, everything else from the primary.

The rule, in one place:

- Only the pages and API reads listed in `REPLICA_VIEWS` (dashboards, reports, lists, detail
  pages that change nothing), only for GET and HEAD, only for a signed-in user, read from the
  replica (`DATABASES["replica"]`, set by `DATABASE_REPLICA_URL`). Everything else, Celery tasks
  and management commands included, reads and writes on "default".
- Read-your-writes: a request that wrote (an unsafe method, or any write through the ORM) marks its
  user in the cache (Redis, so every web process sees it) for `DATABASE_REPLICA_STICKY_SECONDS`;
  while the mark lasts the user reads from the primary. Within a request, the first write sends
  every later read to the primary as well, and so does any `transaction.atomic()` opened inside
  the request's own (ATOMIC_REQUESTS) transaction.
- The replica serves only while it answers and its replay lag is at most
  `DATABASE_REPLICA_MAX_LAG_SECONDS`; each process checks it at most every
  `DATABASE_REPLICA_CHECK_SECONDS`. A replica that cannot be reached is left alone for
  `DATABASE_REPLICA_RETRY_SECONDS`. A safe request that failed on the replica is answered again from
  the primary.

The replica alias is not ATOMIC_REQUESTS: its reads run in autocommit on their own connection,
beside the request's transaction on the primary. Sticky seconds must exceed the lag limit plus
the check interval, so that a user whose mark has expired finds their write replayed.
"""

import contextlib
import contextvars
import dataclasses
import fnmatch
import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA = "replica"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# URL names (fnmatch patterns) of the views that only read. Their forms and actions are other URL
# names, and an unsafe method on any of them reads from the primary.
REPLICA_VIEWS = (
    "home",
    "projects:list",
    "projects:activity_list",
    "projects:activity_detail",
    "projects:detail",
    "projects:state_dashboard",
    "projects:network",
    "projects:indicator_detail",
    "stakeholders:stakeholder_list",
    "stakeholders:stakeholder_detail",
    "stakeholders:district_list",
    "communications:list",
    "communications:detail",
    "communications:report",
    "communications:cadence",
    "meetings:body_list",
    "meetings:body_detail",
    "meetings:meeting_detail",
    "meetings:meeting_packet",
    "meetings:action_item_list",
    "api:*-list",
    "api:*-detail",
)

# Lag of the standby: none while it has replayed all it received from a streaming primary,
# otherwise the age of the last transaction it replayed. On a primary (no recovery) it is 0.
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
         AND (SELECT status FROM pg_stat_wal_receiver) = 'streaming' THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 1e9)
END
"""


def _setting(name: str, default):
    return getattr(settings, name, default)


def is_replica_view(view_name: str | None) -> bool:
    return bool(view_name) and any(fnmatch.fnmatchcase(view_name, p) for p in REPLICA_VIEWS)


# --- Replica health, per process ---------------------------------------------------------------


@dataclasses.dataclass
class ReplicaHealth:
    checked_at: float = float("-inf")
    available: bool = False
    lag: float | None = None
    down_until: float = float("-inf")
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)

    def reset(self) -> None:
        self.checked_at, self.available, self.lag, self.down_until = float("-inf"), False, None, float("-inf")


health = ReplicaHealth()


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_status(*, force: bool = False) -> dict:
    """Whether the replica may serve reads now, and its lag as last measured (cached briefly)."""
    if not replica_configured():
        return {"configured": False, "ok": False, "lag_seconds": None}
    now = time.monotonic()
    interval = float(_setting("DATABASE_REPLICA_CHECK_SECONDS", 1.0))
    with health.lock:
        fresh = now - health.checked_at < interval
        if not force and (fresh or now < health.down_until):
            return _status()
        health.checked_at = now
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(LAG_SQL)
            lag = float(cursor.fetchone()[0])
    except Exception as exc:  # noqa: BLE001 - an unreachable replica means: read from the primary
        with health.lock:
            health.available, health.lag = False, None
            health.down_until = now + float(_setting("DATABASE_REPLICA_RETRY_SECONDS", 5.0))
        logger.warning("Read replica unavailable, reading from the primary: %s", exc)
        _close_replica()
        return _status()
    with health.lock:
        health.lag = lag
        health.available = lag <= float(_setting("DATABASE_REPLICA_MAX_LAG_SECONDS", 2.0))
    if not health.available:
        logger.info("Read replica %.1f s behind, reading from the primary", lag)
    return _status()


def _status() -> dict:
    return {"configured": True, "ok": health.available, "lag_seconds": health.lag}


def _close_replica() -> None:
    # A broken connection may fail to close; it is gone either way.
    with contextlib.suppress(Exception):
        connections[REPLICA].close()


# --- Read-your-writes marks, shared by every web process through the cache ----------------------


def _sticky_key(user_pk) -> str:
    return f"db:wrote:{user_pk}"


def user_mark_wrote(user_pk) -> None:
    """Send this user's reads to the primary for the next DATABASE_REPLICA_STICKY_SECONDS."""
    try:
        cache.set(_sticky_key(user_pk), 1, timeout=int(_setting("DATABASE_REPLICA_STICKY_SECONDS", 5)))
    except Exception:  # noqa: BLE001 - without the cache nobody reads from the replica (see below)
        logger.warning("Could not record a write for read-your-writes", exc_info=True)


def user_wrote_recently(user_pk) -> bool:
    try:
        return cache.get(_sticky_key(user_pk)) is not None
    except Exception:  # noqa: BLE001 - cannot tell: the primary is always right
        return True


# --- The request being served ------------------------------------------------------------------


@dataclasses.dataclass
class RequestRouting:
    request: object
    replica_view: bool = False
    wrote: bool = False
    replica_reads: int = 0
    primary_reads: int = 0
    replica_failed: bool = False
    disabled: bool = False
    # This thread's primary connection, and how many atomic blocks it may have open while reads
    # still go to the replica: those of the caller (a test) plus the request's ATOMIC_REQUESTS one.
    primary: object = None
    atomic_limit: int = 0
    # Decided once per user seen (DRF sets request.user once it has authenticated a token).
    decided_for: object = None
    may_use_replica: bool = False

    @classmethod
    def begin(cls, request, **kwargs) -> "RequestRouting":
        primary = connections[PRIMARY]
        request_block = 1 if primary.settings_dict.get("ATOMIC_REQUESTS") else 0
        return cls(
            request=request,
            primary=primary,
            atomic_limit=len(primary.atomic_blocks) + request_block,
            **kwargs,
        )


_current: contextvars.ContextVar[RequestRouting | None] = contextvars.ContextVar("db_routing", default=None)


def _read_alias(routing: RequestRouting) -> str:
    """The alias for a read; called for every queryset, so the per-request part is decided once."""
    if routing.disabled or not routing.replica_view or routing.wrote:
        return PRIMARY
    # The session's user was evaluated before the view, so reading the attribute never queries.
    user = getattr(routing.request, "user", None)
    if user is not routing.decided_for:
        routing.decided_for = user
        routing.may_use_replica = bool(
            user is not None
            and user.is_authenticated
            and not user_wrote_recently(user.pk)
            and replica_status()["ok"]
        )
    if not routing.may_use_replica or len(routing.primary.atomic_blocks) > routing.atomic_limit:
        return PRIMARY  # a transaction the view opened itself reads (and writes) on the primary
    return REPLICA


class ReplicaRouter:
    """DATABASE_ROUTERS entry: see the module docstring."""

    def db_for_read(self, _model, **hints):
        routing = _current.get()
        if routing is None:  # outside a request, or no replica configured
            return PRIMARY
        alias = _read_alias(routing)
        if alias == REPLICA:
            routing.replica_reads += 1
        else:
            routing.primary_reads += 1
        return alias

    def db_for_write(self, _model, **hints):
        routing = _current.get()
        if routing is not None:
            routing.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's rows: objects read from either relate freely.
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA, None}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):  # noqa: ARG002 - Django names them
        return False if db == REPLICA else None


class ReplicaRoutingMiddleware:
    """Opens the routing state of each request; place it right after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        response, routing = self._serve(request)
        failed = routing.replica_failed or (routing.replica_reads and response.status_code >= 500)
        if failed and request.method in SAFE_METHODS and not replica_status(force=True)["ok"]:
            logger.warning("Answering %s again from the primary after a replica failure", request.path)
            response, routing = self._serve(request, disabled=True)
        return response

    def _serve(self, request, *, disabled: bool = False) -> tuple:
        routing = RequestRouting.begin(request, disabled=disabled)
        token = _current.set(routing)
        try:
            with connections[REPLICA].execute_wrapper(self._watch(routing)):
                response = self.get_response(request)
        finally:
            _current.reset(token)
        user = getattr(request, "user", None)
        if (
            (routing.wrote or request.method not in SAFE_METHODS)
            and user is not None
            and user.is_authenticated
        ):
            user_mark_wrote(user.pk)
        return response, routing

    @staticmethod
    def _watch(routing: RequestRouting):
        def wrapper(execute, sql, params, many, context):
            try:
                return execute(sql, params, many, context)
            except DatabaseError:
                routing.replica_failed = True
                raise

        return wrapper

    def process_view(self, request, _view_func, _view_args, _view_kwargs):
        routing = _current.get()
        if routing is None or routing.disabled or request.method not in SAFE_METHODS:
            return
        match = getattr(request, "resolver_match", None)
        if is_replica_view(match.view_name if match else None):
            # Evaluate the session's user now, on the primary, so that the router never has to.
            request.user.is_authenticated  # noqa: B018
            routing.replica_view = True
        return


def current_routing() -> RequestRouting | None:
    """The routing state of the request being served (None outside a request)."""
    return _current.get()
