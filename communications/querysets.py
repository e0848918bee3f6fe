from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone

from accounts.scoping import scope_to_user


class CommunicationQuerySet(models.QuerySet):
    def visible_to(self, user):
        # A communication belongs to the state whose people it may reach; facilitators' and
        # administrators' messages (no state) are theirs alone.
        return scope_to_user(self, user, "scope_sea")

    def campaigns(self):
        """Messages to stakeholders and staff, without the portal's own account mail (password
        resets, which have no category)."""
        return self.exclude(category="")


class ScheduleQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_to_user(self, user, "communication__scope_sea")

    def due(self, now=None):
        now = now or timezone.now()
        return self.filter(status="active", next_run_at__isnull=False, next_run_at__lte=now)


class OccurrenceQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_to_user(self, user, "communication__scope_sea")

    def of_campaign(self):
        """The communication's own sendings, without test sends to their senders."""
        return self.filter(is_test=False)


class DeliveryQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_to_user(self, user, "communication__scope_sea")

    def of_campaign(self):
        """Deliveries that count in the communication's report, without test sends."""
        return self.filter(occurrence__is_test=False)

    def reported(self):
        """Deliveries the API lists: of campaigns, without test sends and account mail."""
        return self.of_campaign().exclude(communication__category="")

    def to_stakeholders(self):
        """Deliveries that went (or go) to the stakeholder's own address."""
        return self.filter(user__isnull=True)

    def claimable(self, now=None):
        """Pending deliveries whose time has come, and claimed ones whose lease has expired.

        Leases and retry times are compared with the database's clock (`now` only for reads
        that must agree with an earlier one), never a worker's.
        """
        now = Now() if now is None else now
        return self.filter(
            Q(status="pending", next_attempt_at__lte=now) | Q(status="sending", lease_until__lt=now)
        )
