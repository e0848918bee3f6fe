"""/healthz: the state of the database, the cache and broker, and the last beat."""

from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app as celery_app
from .db_router import replica_status
from .tasks import BEAT_HEARTBEAT_KEY


def _check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor}


def _check_cache() -> dict:
    cache.set("portal:healthz", "ok", timeout=30)
    return {"ok": cache.get("portal:healthz") == "ok"}


def _check_broker() -> dict:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        return {"ok": True, "transport": conn.transport_cls}


def _check_beat() -> dict:
    raw = cache.get(BEAT_HEARTBEAT_KEY)
    if not raw:
        return {"ok": False, "last": None, "detail": "no heartbeat recorded yet"}
    last = datetime.fromisoformat(raw)
    age = timezone.now() - last
    return {
        "ok": age <= settings.HEALTHZ_BEAT_MAX_AGE,
        "last": raw,
        "age_seconds": int(age.total_seconds()),
    }


def _check_mail() -> dict:
    """The mail server as the sending workers last found it (not probed from the web)."""
    from communications.sending import mail_server_status

    status = mail_server_status()
    if status is None:
        return {"ok": True, "state": "unknown", "detail": "no connection attempted yet"}
    return {
        "ok": not status.is_unreachable,
        "state": status.state,
        "since": status.since.isoformat(),
        "checked_at": status.checked_at.isoformat(),
        "last_error": status.last_error,
    }


def _check_replica() -> dict:
    # Informational: without a replica, or with one down or lagging, reads go to the primary.
    return replica_status()


CHECKS = {
    "database": _check_database,
    "cache": _check_cache,
    "broker": _check_broker,
    "beat": _check_beat,
    "mail": _check_mail,
    "replica": _check_replica,
}


@never_cache
@require_GET
def healthz(request):  # noqa: ARG001 - a view takes the request
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # a health check reports failures, it never raises
            results[name] = {"ok": False, "detail": f"{type(exc).__name__}: {exc}"}
    # Beat and the mail server do not make the web process unhealthy: report them as degraded.
    essential_ok = all(results[name]["ok"] for name in ("database", "cache", "broker"))
    optional_ok = results["beat"]["ok"] and results["mail"]["ok"]
    status = "ok" if essential_ok and optional_ok else ("degraded" if essential_ok else "error")
    return JsonResponse({"status": status, "checks": results}, status=200 if essential_ok else 503)
