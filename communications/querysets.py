from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
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

    # Which list a message belongs on: the ones people compose (campaigns), the notices the
    # portal composes about meetings and action items, and the weekly digests.
    KINDS = {
        "campaigns": Q(context_provider=""),
        "notices": ~Q(context_provider="") & Q(category__in=["meeting", "action_item_reminder"]),
        "digests": ~Q(context_provider="") & Q(category="digest"),
    }

    def of_kind(self, kind: str):
        """Messages of one list (`KINDS`); an unknown kind means campaigns."""
        return self.campaigns().filter(self.KINDS.get(kind, self.KINDS["campaigns"]))

    def with_progress(self):
        """Annotated with the next run of an active schedule, which `communication_progress`
        reads beside the delivery counts that `communications_progress` adds for the rows shown
        (counted after the page is cut, so a list costs the same whatever the history)."""
        from .models import Schedule

        next_run = (
            Schedule.objects.filter(communication=OuterRef("pk"), status=Schedule.Status.ACTIVE)
            .exclude(next_run_at=None)
            .order_by("next_run_at")
            .values("next_run_at")[:1]
        )
        return self.annotate(next_run=Subquery(next_run))


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

    def progress_counts(self, communication_ids) -> dict[int, dict[str, int]]:
        """Per communication of `communication_ids`: its deliveries sent, failed, waiting (pending
        or being sent) and held for digests, test sends left out. One grouped query."""
        from .models import Delivery

        status = Delivery.Status
        rows = (
            self.of_campaign()
            .filter(communication_id__in=list(communication_ids))
            .order_by()
            .values("communication_id")
            .annotate(
                sent=Count("pk", filter=Q(status=status.SENT)),
                failed=Count("pk", filter=Q(status=status.FAILED)),
                waiting=Count("pk", filter=Q(status__in=[status.PENDING, status.SENDING])),
                held=Count("pk", filter=Q(status=status.DEFERRED)),
            )
        )
        return {row.pop("communication_id"): row for row in rows}

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
