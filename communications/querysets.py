from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.scoping import scope_to_user


class CommunicationQuerySet(models.QuerySet):
    def visible_to(self, user):
        # A communication belongs to the state whose people it may reach; facilitators' and
        # administrators' messages (no state) are theirs alone.
        return scope_to_user(self, user, "scope_sea")


class ScheduleQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_to_user(self, user, "communication__scope_sea")

    def due(self, now=None):
        now = now or timezone.now()
        return self.filter(status="active", next_run_at__isnull=False, next_run_at__lte=now)


class OccurrenceQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_to_user(self, user, "communication__scope_sea")


class DeliveryQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_to_user(self, user, "communication__scope_sea")

    def claimable(self, now=None):
        """Pending deliveries whose time has come, and claimed ones whose lease has expired."""
        now = now or timezone.now()
        return self.filter(
            Q(status="pending", next_attempt_at__lte=now) | Q(status="sending", lease_until__lt=now)
        )
