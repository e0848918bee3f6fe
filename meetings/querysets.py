"""Who reads which meeting records.

A user reads the meetings of the bodies they see (`AdvisoryBody.objects.visible_to`, the one
rule for bodies); SEA staff also read meetings they are invited to as guests and action items
they own. Anyone else reads nothing.
"""

from django.db import models
from django.db.models import Q

from stakeholders.models import AdvisoryBody


def _no_access(user) -> bool:
    return user is None or not user.is_authenticated or not user.is_active


def may_manage(user) -> bool:
    """Facilitators and administrators manage the bodies: meetings, agendas, minutes, memberships."""
    return not _no_access(user) and user.sees_whole_portfolio


def visible_body_ids(user):
    """A subquery of the ids of the bodies `user` may read (None means all): `AdvisoryBody.objects.visible_to`."""
    if not _no_access(user) and user.sees_whole_portfolio:
        return None
    return AdvisoryBody.objects.visible_to(user).values("pk")


def _meeting_condition(user, prefix: str = "") -> Q | None:
    """Q for meetings (through `prefix`) that `user` may read; None when every meeting."""
    ids = visible_body_ids(user)
    if ids is None:
        return None
    from .models import Participant

    guest_of = Participant.objects.filter(stakeholder__user=user).values("meeting_id")
    meeting_pk = f"{prefix}id" if prefix else "pk"
    return Q(**{f"{prefix}body_id__in": ids}) | Q(**{f"{meeting_pk}__in": guest_of})


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        if _no_access(user):
            return self.none()
        condition = _meeting_condition(user)
        return self if condition is None else self.filter(condition)

    def upcoming(self, now=None):
        from django.utils import timezone

        return self.filter(ends_at__gte=now or timezone.now(), status="scheduled")


class MeetingChildQuerySet(models.QuerySet):
    """Records that belong to one meeting and are visible with it."""

    def visible_to(self, user):
        if _no_access(user):
            return self.none()
        condition = _meeting_condition(user, "meeting__")
        return self if condition is None else self.filter(condition)


class ActionItemQuerySet(MeetingChildQuerySet):
    def visible_to(self, user):
        if _no_access(user):
            return self.none()
        condition = _meeting_condition(user, "meeting__")
        if condition is None:
            return self
        return self.filter(condition | Q(owner_user=user) | Q(owner_stakeholder__user=user))

    def editable_by(self, user):
        """Facilitators and administrators update every item; SEA staff the items they own."""
        if _no_access(user):
            return self.none()
        if user.sees_whole_portfolio:
            return self
        return self.filter(Q(owner_user=user) | Q(owner_stakeholder__user=user))

    def open(self):
        return self.filter(status="open")


class FeedbackQuerySet(models.QuerySet):
    def visible_to(self, user):
        if _no_access(user):
            return self.none()
        ids = visible_body_ids(user)
        return self if ids is None else self.filter(body_id__in=ids)
