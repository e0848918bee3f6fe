"""Hard bounces: an address the mail server refused for good gets no more mail until corrected.

Recorded by the sending loop when the server refuses a recipient with a 5xx code, and by a
composer reporting a bounce on a delivery. It stands below sending and services, which both
call it.
"""

import logging

from django.utils import timezone

from stakeholders.models import Stakeholder

from .models import Delivery

logger = logging.getLogger(__name__)


def stakeholder_record_bounce(*, stakeholder: Stakeholder, reason: str = "", at=None) -> Stakeholder:
    """Record a hard bounce: no more mail goes to this address until it is corrected."""
    at = at or timezone.now()
    if stakeholder.email_bounced_at is None:
        Stakeholder.objects.filter(pk=stakeholder.pk, email_bounced_at__isnull=True).update(
            email_bounced_at=at
        )
        stakeholder.email_bounced_at = at
        logger.info("Hard bounce recorded for stakeholder %s: %s", stakeholder.pk, reason)
    Delivery.objects.to_stakeholders().filter(
        stakeholder=stakeholder, status__in=[Delivery.Status.PENDING, Delivery.Status.DEFERRED]
    ).update(status=Delivery.Status.SKIPPED, last_error="Address bounced", updated_at=timezone.now())
    return stakeholder
