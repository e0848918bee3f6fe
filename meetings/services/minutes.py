"""Minutes (draft, then approved and read-only) and decisions."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.history import history_by
from meetings.models import AgendaItem, Decision, Meeting, Minutes

from . import manager_check


def _approved_message(minutes: Minutes) -> str:
    when = timezone.localtime(minutes.approved_at)
    who = f" by {minutes.approved_by}" if minutes.approved_by_id else ""
    return f"These minutes were approved on {when:%B %-d, %Y}{who} and can no longer be changed."


@transaction.atomic
def minutes_save(*, meeting: Meeting, editor, text: str) -> Minutes:
    """Write or revise the draft minutes of a meeting (Markdown)."""
    manager_check(editor)
    if meeting.is_cancelled:
        raise ValidationError("A cancelled meeting has no minutes.")
    if not meeting.is_open_for_record:
        raise ValidationError("Minutes are written from the day of the meeting, not before.")
    minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
    if minutes is None:
        minutes = Minutes(meeting=meeting)
    elif minutes.is_approved:
        raise ValidationError(_approved_message(minutes))
    minutes.text = text
    minutes.full_clean()
    history_by(minutes, editor)
    minutes.save()
    return minutes


@transaction.atomic
def minutes_approve(*, minutes: Minutes, by) -> Minutes:
    """Approve draft minutes; they are read-only afterwards. Approving twice is refused."""
    manager_check(by)
    minutes = Minutes.objects.select_for_update(of=("self",)).select_related("approved_by").get(pk=minutes.pk)
    if minutes.is_approved:
        raise ValidationError(_approved_message(minutes))
    if not minutes.text.strip():
        raise ValidationError("Write the minutes before approving them.")
    minutes.status = Minutes.Status.APPROVED
    minutes.approved_at = timezone.now()
    minutes.approved_by = by
    minutes.full_clean()
    history_by(minutes, by)
    minutes.save()
    return minutes


def decision_record(*, meeting: Meeting, by, text: str, agenda_item: AgendaItem | None = None) -> Decision:
    """Record a decision the body took in the meeting."""
    manager_check(by)
    if meeting.is_cancelled:
        raise ValidationError("A cancelled meeting takes no decisions.")
    minutes = getattr(meeting, "minutes", None)
    if minutes is not None and minutes.is_approved:
        raise ValidationError(_approved_message(minutes))
    decision = Decision(meeting=meeting, agenda_item=agenda_item, text=text)
    decision.full_clean()
    decision.save()
    return decision
