from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

BEAT_HEARTBEAT_KEY = "portal:beat:last"


@shared_task(ignore_result=True)
def heartbeat_task():
    """Runs every minute from beat; /healthz reads the time it last ran on a worker."""
    cache.set(BEAT_HEARTBEAT_KEY, timezone.now().isoformat(), timeout=None)
