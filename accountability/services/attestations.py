"""The counterpart confirms, comments on or disputes each version of an activity."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.history import history_by
from projects.models import Activity

from ..counterparts import counterpart_role, counterparts, is_counterpart
from ..models import Attestation, Decision
from . import notices

ANSWERS = (Decision.CONFIRMED, Decision.COMMENTED, Decision.DISPUTED)


class AlreadyAnswered(ValidationError):
    """Someone answered this version first (or it was edited since); the message says what."""


def _latest_version(activity: Activity) -> int | None:
    return activity.history.order_by("-history_id").values_list("history_id", flat=True).first()


@transaction.atomic
def attestation_request(*, activity: Activity, by=None) -> Attestation | None:
    """Open the answer on the activity's newest version and notify its counterparts.

    Called when an activity is logged or edited (projects' `on_activity_saved` hook). A pending
    answer on an earlier version is superseded; a confirmed, commented or disputed one stays as
    it was, no longer current, so the history shows what was confirmed before the edit.
    Returns None when the activity has no counterpart (e.g. no author).
    """
    version = _latest_version(activity)
    current = Attestation.objects.select_for_update().filter(activity=activity, is_current=True).first()
    if current is not None and current.version == version:
        return current
    if current is not None:
        if current.status == Decision.PENDING:
            current.status = Decision.SUPERSEDED
        current.is_current = False
        history_by(current, by)
        current.save(update_fields=["status", "is_current"])
    role = counterpart_role(activity.author)
    if role is None or version is None:
        return None
    attestation = Attestation(
        activity=activity, version=version, counterpart_role=role, requested_at=timezone.now()
    )
    attestation.full_clean()
    history_by(attestation, by)
    attestation.save()
    transaction.on_commit(lambda: attestation_notify(attestation_id=attestation.pk, reminder=False))
    return attestation


def attestation_notify(*, attestation_id: int, reminder: bool) -> int:
    """Send the request (or a reminder) to each counterpart; returns how many were queued."""
    attestation = (
        Attestation.objects.select_related("activity__project__sea", "activity__author")
        .filter(pk=attestation_id, is_current=True, status=Decision.PENDING)
        .first()
    )
    if attestation is None:
        return 0
    activity = attestation.activity
    template = notices.REMINDER_SUBJECT if reminder else notices.ATTESTATION_SUBJECT
    subject = template.format(
        what=activity.get_type_display().lower(),
        date=f"{activity.date:%B %-d, %Y}",
        project=activity.project.title,
    )[:200]
    sent = 0
    for user in counterparts(project_id=activity.project_id, role=attestation.counterpart_role):
        sent += notices.notice_to_user(
            user=user,
            subject=subject,
            body=notices.ATTESTATION_BODY,
            provider=notices.ATTESTATION_PROVIDER,
            object_id=attestation.pk,
            project=activity.project,
            author=activity.author,
        )
    return sent


def attestation_decide(*, attestation: Attestation, by, decision: str, comment: str = "") -> Attestation:
    """Record `by`'s answer on the current version: confirmed, commented or disputed.

    Two answers at once: the row is locked, the first wins and the second gets AlreadyAnswered
    saying who answered. A dispute needs a reason and a comment needs text. Only a counterpart
    of the activity (see accountability.counterparts) may answer.
    """
    comment = (comment or "").strip()
    errors = {}
    if decision not in ANSWERS:
        errors["decision"] = ["Choose confirm, comment or dispute."]
    elif decision == Decision.DISPUTED and not comment:
        errors["comment"] = ["Say why you dispute this activity."]
    elif decision == Decision.COMMENTED and not comment:
        errors["comment"] = ["Write your comment."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = (
            Attestation.objects.select_for_update(of=("self",))
            .select_related("activity", "decided_by")
            .get(pk=attestation.pk)
        )
        if not is_counterpart(by, project_id=locked.activity.project_id, role=locked.counterpart_role):
            raise PermissionDenied("You do not confirm this project's activities.")
        if not locked.is_current or locked.status != Decision.PENDING:
            raise AlreadyAnswered(_answered_message(locked))
        locked.status = decision
        locked.comment = comment
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.full_clean()
        history_by(locked, by)
        locked.save(update_fields=["status", "comment", "decided_by", "decided_at"])
        if decision != Decision.CONFIRMED:
            transaction.on_commit(lambda: attestation_answer_notify(attestation_id=locked.pk))
    return locked


def _answered_message(attestation: Attestation) -> str:
    if attestation.status == Decision.SUPERSEDED or not attestation.is_current:
        return "The activity was edited since: its new version waits for your answer instead."
    who = attestation.decided_by or "someone"
    when = timezone.localtime(attestation.decided_at)
    return (
        f"Already answered: {who} marked it {attestation.get_status_display().lower()} "
        f"on {when:%B %-d, %Y at %-I:%M %p}. Nothing was changed."
    )


def attestation_answer_notify(*, attestation_id: int) -> bool:
    """Tell the author a comment or dispute came in (a confirmation needs no mail)."""
    attestation = Attestation.objects.select_related("activity__author", "activity__project").get(
        pk=attestation_id
    )
    author = attestation.activity.author
    if author is None or attestation.status not in (Decision.COMMENTED, Decision.DISPUTED):
        return False
    activity = attestation.activity
    subject = notices.ANSWER_SUBJECT.format(
        decision=attestation.get_status_display(),
        what=activity.get_type_display().lower(),
        date=f"{activity.date:%B %-d, %Y}",
        project=activity.project.title,
    )[:200]
    return notices.notice_to_user(
        user=author,
        subject=subject,
        body=notices.ANSWER_BODY,
        provider=notices.ATTESTATION_ANSWER_PROVIDER,
        object_id=attestation.pk,
        project=activity.project,
        author=attestation.decided_by,
    )


def attestation_reminders_send(*, now=None, older_than_days: int = 7) -> int:
    """Remind counterparts of what has waited more than a week (and not been reminded for one).

    Each attestation is claimed with a conditional update of `reminded_at`, so two beats running
    at once (or this running twice) remind once.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=older_than_days)
    due = (
        Attestation.objects.pending()
        .filter(requested_at__lte=cutoff)
        .exclude(reminded_at__gt=cutoff)
        .values_list("pk", "reminded_at")
    )
    sent = 0
    for pk, reminded_at in list(due[:1000]):
        claimed = Attestation.objects.filter(pk=pk, reminded_at=reminded_at, status=Decision.PENDING)
        if reminded_at is None:
            claimed = Attestation.objects.filter(pk=pk, reminded_at__isnull=True, status=Decision.PENDING)
        if claimed.update(reminded_at=now) == 1:
            sent += attestation_notify(attestation_id=pk, reminder=True)
    return sent
