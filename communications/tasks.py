"""Celery adapters of the sending loop. The database holds the work; these only ring the bell."""

from celery import shared_task
from django.conf import settings

from . import sending


def _parallelism() -> int:
    return int(getattr(settings, "COMMUNICATIONS_SEND_PARALLELISM", 2))


@shared_task(ignore_result=True)
def communications_tick_task():
    """Every minute from beat: materialize due occurrences, then wake senders if work waits."""
    result = sending.communications_tick()
    if result.claimable:
        batches = -(-result.claimable // sending.batch_size())
        for _ in range(min(batches, _parallelism())):
            deliveries_send_task.delay()


@shared_task(ignore_result=True, acks_late=True)
def deliveries_send_task():
    """Send claimable deliveries for a while; hand over to a fresh task if more remain."""
    _, more = sending.deliveries_send_all()
    if more:
        deliveries_send_task.delay()


@shared_task(ignore_result=True)
def digests_compose_task():
    """Weekly from beat: compose and schedule each state's progress digest."""
    from .digests import digests_compose_weekly

    digests_compose_weekly()
