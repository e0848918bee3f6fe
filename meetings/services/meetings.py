"""Scheduling meetings: create, edit, cancel, invite, RSVP, attendance."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from core.history import history_by
from meetings.models import Meeting, MeetingNotice, Participant
from stakeholders.models import AdvisoryBody, Membership, Stakeholder

from . import manager_check, notices

# Changing any of these moves the meeting for invitees: a new calendar sequence and a notice.
CALENDAR_FIELDS = ("title", "starts_at", "ends_at", "mode", "location", "link")
EDITABLE_FIELDS = (*CALENDAR_FIELDS, "description")


def _members_on(body: AdvisoryBody, day: datetime.date):
    return Membership.objects.filter(body=body).current(on=day).select_related("stakeholder")


def participants_sync(*, meeting: Meeting) -> int:
    """Make every member seated on the meeting day a participant; returns how many were added."""
    day = timezone.localdate(meeting.starts_at)
    existing = set(meeting.participants.values_list("stakeholder_id", flat=True))
    new = [
        Participant(meeting=meeting, stakeholder_id=m.stakeholder_id, membership=m)
        for m in _members_on(meeting.body, day)
        if m.stakeholder_id not in existing
    ]
    Participant.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def meeting_create(
    *,
    author,
    body: AdvisoryBody,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    mode: str,
    location: str = "",
    link: str = "",
    description: str = "",
    copied_from: Meeting | None = None,
) -> Meeting:
    """Schedule a meeting of `body`; its members on the meeting day become participants."""
    manager_check(author)
    meeting = Meeting(
        body=body,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        mode=mode,
        location=location,
        link=link,
        description=description,
        copied_from=copied_from,
        created_by=author,
    )
    meeting.full_clean()
    history_by(meeting, author)
    meeting.save()
    participants_sync(meeting=meeting)
    if copied_from is not None:
        from .agenda import agenda_copy

        agenda_copy(source=copied_from, target=meeting)
    return meeting


def meeting_copy_initial(*, source: Meeting, starts_at: datetime.datetime | None = None) -> dict:
    """Form data for a new meeting modelled on `source` (same length, place and agenda)."""
    length = source.ends_at - source.starts_at
    if starts_at is None:
        # The same weekday and time, a cadence interval (or four weeks) after the source.
        per_year = source.body.meetings_per_year or 13
        starts_at = source.starts_at + datetime.timedelta(days=round(365 / per_year / 7) * 7 or 28)
    return {
        "title": source.title,
        "starts_at": timezone.localtime(starts_at),
        "ends_at": timezone.localtime(starts_at + length),
        "mode": source.mode,
        "location": source.location,
        "link": source.link,
        "description": source.description,
    }


@transaction.atomic
def meeting_update(*, meeting: Meeting, editor, **fields) -> Meeting:
    """Edit a scheduled meeting. Moving it tells the invitees and replaces the pending reminder."""
    manager_check(editor)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.is_cancelled:
        raise ValidationError("A cancelled meeting cannot be edited.")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    changed = [name for name, value in fields.items() if getattr(meeting, name) != value]
    for name, value in fields.items():
        setattr(meeting, name, value)
    meeting.full_clean()
    moved = any(name in CALENDAR_FIELDS for name in changed)
    if moved:
        meeting.sequence += 1
    history_by(meeting, editor)
    meeting.save()
    if meeting.body_id:
        participants_sync(meeting=meeting)
    invited = list(
        meeting.participants.filter(invited_at__isnull=False).values_list("stakeholder_id", flat=True)
    )
    if moved and invited:
        notices.notice_send(
            meeting=meeting, kind=MeetingNotice.Kind.UPDATE, author=editor, stakeholder_ids=invited
        )
        notices.reminder_schedule(meeting=meeting, author=editor)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, by, reason: str) -> Meeting:
    """Cancel a meeting: invitees are told, reminders not yet sent are withdrawn."""
    manager_check(by)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.is_cancelled:
        raise ValidationError("This meeting is already cancelled.")
    if not (reason or "").strip():
        raise ValidationError({"cancel_reason": "Say why the meeting is cancelled."})
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancel_reason = reason.strip()
    meeting.cancelled_at = timezone.now()
    meeting.sequence += 1
    meeting.full_clean()
    history_by(meeting, by)
    meeting.save()
    invited = list(
        meeting.participants.filter(invited_at__isnull=False).values_list("stakeholder_id", flat=True)
    )
    if invited:
        notices.reminders_withdraw(
            meeting=meeting, by=by, reason=f"Meeting cancelled: {meeting.cancel_reason}"
        )
        notices.notice_send(
            meeting=meeting, kind=MeetingNotice.Kind.CANCELLATION, author=by, stakeholder_ids=invited
        )
    return meeting


@transaction.atomic
def meeting_invite(*, meeting: Meeting, by, guests=()) -> int:
    """Invite the members (and `guests`) not yet invited; returns how many invitations went out."""
    manager_check(by)
    if meeting.is_cancelled:
        raise ValidationError("A cancelled meeting cannot be sent out.")
    if meeting.ends_at < timezone.now():
        raise ValidationError("This meeting is over; invitations are for upcoming meetings.")
    participants_sync(meeting=meeting)
    existing = set(meeting.participants.values_list("stakeholder_id", flat=True))
    Participant.objects.bulk_create(
        [Participant(meeting=meeting, stakeholder=g) for g in guests if g.pk not in existing]
    )
    pending = meeting.participants.filter(invited_at__isnull=True, stakeholder__is_active=True)
    ids = list(pending.values_list("stakeholder_id", flat=True))
    if not ids:
        return 0
    notices.notice_send(meeting=meeting, kind=MeetingNotice.Kind.INVITATION, author=by, stakeholder_ids=ids)
    pending.update(invited_at=timezone.now())
    notices.reminder_schedule(meeting=meeting, author=by)
    return len(ids)


def rsvp_record(*, participant: Participant, answer: str) -> Participant:
    """Record a yes / no / maybe for an upcoming, not cancelled meeting."""
    if answer not in (Participant.Rsvp.YES, Participant.Rsvp.NO, Participant.Rsvp.MAYBE):
        raise ValidationError({"rsvp": "Answer yes, no or maybe."})
    meeting = participant.meeting
    if meeting.is_cancelled:
        raise ValidationError("This meeting has been cancelled; there is nothing to answer.")
    if meeting.ends_at < timezone.now():
        raise ValidationError("This meeting is over; the answer can no longer be changed.")
    participant.rsvp = answer
    participant.rsvp_at = timezone.now()
    participant.full_clean()
    participant.save(update_fields=["rsvp", "rsvp_at"])
    return participant


@transaction.atomic
def attendance_record(*, meeting: Meeting, by, rows: list[tuple[Participant, str, str]]) -> None:
    """Record attendance for the meeting's participants: (participant, attendance, delegate name).

    Every row is checked before any is saved, so one bad row saves nothing.
    """
    manager_check(by)
    if meeting.is_cancelled:
        raise ValidationError("A cancelled meeting has no attendance.")
    if not meeting.is_open_for_record:
        raise ValidationError("Attendance is taken on the day of the meeting, not before.")
    errors = {}
    for participant, attendance, delegate_name in rows:
        if participant.meeting_id != meeting.pk:
            raise ValidationError("A participant of another meeting was given.")
        participant.attendance = attendance
        participant.delegate_name = (
            delegate_name.strip() if attendance == Participant.Attendance.DELEGATE else ""
        )
        try:
            participant.full_clean()
        except ValidationError as exc:
            errors[participant.stakeholder_id] = exc
    if errors:
        raise ValidationError(
            [
                f"{p.stakeholder}: say who attended as the delegate."
                for p, *_ in rows
                if p.stakeholder_id in errors
            ]
        )
    Participant.objects.bulk_update([p for p, *_ in rows], ["attendance", "delegate_name"])


def quorum(meeting: Meeting) -> dict:
    """Voting members seated, attending (present or by delegate), needed, and whether it is met."""
    counts = meeting.participants.filter(membership__is_voting=True).aggregate(
        voting=Count("pk"),
        attending=Count("pk", filter=Q(attendance__in=["present", "delegate"])),
        recorded=Count("pk", filter=~Q(attendance="")),
    )
    needed = meeting.body.quorum_needed(counts["voting"])
    return {
        **counts,
        "needed": needed,
        "met": counts["attending"] >= needed,
        "rule": meeting.body.get_quorum_rule_display(),
    }


def membership_add(*, body: AdvisoryBody, by, stakeholder: Stakeholder, **fields) -> Membership:
    """Seat a stakeholder on a body for a term; an overlapping seat of the same person is refused."""
    manager_check(by)
    membership = Membership(body=body, stakeholder=stakeholder, **fields)
    membership.full_clean()
    history_by(membership, by)
    membership.save()
    return membership
