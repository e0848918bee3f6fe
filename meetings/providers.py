"""Per-recipient context for the meetings' messages, computed by communications at send time.

Each communication names its MeetingNotice (or ActionItemReminder) by `context_object_id`, so
the provider reads the meeting as it is when the mail goes out: the .ics carries the current
SEQUENCE, RSVP links are signed for the recipient, and a reminder made for an earlier time of a
meeting that has since moved or been cancelled is skipped.
"""

import datetime

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from communications.digests import UPCOMING_DAYS, DigestLines, digest_text, register_digest_lines
from communications.providers import Attachment, ProviderResult, register_context_provider
from stakeholders.models import AdvisoryBody

from .ics import meeting_invitation_ics, meeting_method
from .models import ActionItem, ActionItemReminder, Meeting, MeetingNotice, Participant
from .tokens import rsvp_token


def _url(name: str, *args) -> str:
    return settings.PORTAL_BASE_URL + reverse(name, args=args)


def _where(meeting) -> str:
    parts = [meeting.get_mode_display()]
    parts += [p for p in (meeting.location, meeting.link) if p]
    return " · ".join(parts)


def _meeting_context(meeting, stakeholder, participant) -> dict:
    start, end = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    context = {
        "meeting_title": meeting.title,
        "body_name": meeting.body.name,
        "meeting_when": f"{start:%A, %B %-d, %Y, %-I:%M %p} – {end:%-I:%M %p %Z}",
        "meeting_where": _where(meeting),
        "meeting_url": _url("meetings:meeting_detail", meeting.pk),
        "cancel_reason": meeting.cancel_reason,
        "rsvp_answer": participant.get_rsvp_display() if participant else "",
    }
    token = rsvp_token(meeting_id=meeting.pk, stakeholder_id=stakeholder.pk)
    context["rsvp_url"] = _url("meetings:rsvp", token)
    for answer in ("yes", "no", "maybe"):
        context[f"rsvp_{answer}_url"] = context["rsvp_url"] + f"?answer={answer}"
    return context


def _notice_result(*, communication, stakeholder, kind: str) -> ProviderResult:
    notice = (
        MeetingNotice.objects.select_related("meeting__body")
        .filter(pk=communication.context_object_id, kind=kind)
        .first()
    )
    if notice is None:
        return ProviderResult(skip=True, reason="The meeting notice no longer exists.")
    meeting = notice.meeting
    participant = Participant.objects.filter(meeting=meeting, stakeholder=stakeholder).first()
    if kind == MeetingNotice.Kind.REMINDER:
        if notice.is_withdrawn:
            return ProviderResult(skip=True, reason="The reminder was withdrawn.")
        if meeting.is_cancelled:
            return ProviderResult(skip=True, reason="The meeting was cancelled.")
        if notice.sequence != meeting.sequence:
            return ProviderResult(skip=True, reason="The meeting has changed since this reminder was made.")
        if participant is not None and participant.rsvp == Participant.Rsvp.NO:
            return ProviderResult(skip=True, reason="The invitee said they will not attend.")
    if kind in (MeetingNotice.Kind.INVITATION, MeetingNotice.Kind.UPDATE) and meeting.is_cancelled:
        return ProviderResult(skip=True, reason="The meeting was cancelled.")
    context = _meeting_context(meeting, stakeholder, participant)
    return ProviderResult(context=context, attachments=_calendar_parts(meeting, stakeholder, context))


def _calendar_parts(meeting, stakeholder, context) -> list[Attachment]:
    """The iMIP calendar (RFC 6047) where mail clients look for an invitation, inside
    multipart/alternative with the METHOD in its Content-Type, and the same file attached as
    application/ics for clients that only offer to open or import it (as Google Calendar does)."""
    ics = meeting_invitation_ics(meeting, attendee=stakeholder, rsvp_url=context["rsvp_url"])
    method = meeting_method(meeting)
    return [
        Attachment(filename="", content=ics, mimetype=f"text/calendar; method={method}", alternative=True),
        Attachment(
            filename="cancel.ics" if method == "CANCEL" else "invite.ics",
            content=ics,
            mimetype="application/ics",
        ),
    ]


@register_context_provider("meetings.invitation")
def invitation(*, communication, stakeholder) -> ProviderResult:
    return _notice_result(
        communication=communication, stakeholder=stakeholder, kind=MeetingNotice.Kind.INVITATION
    )


@register_context_provider("meetings.reminder")
def reminder(*, communication, stakeholder) -> ProviderResult:
    return _notice_result(
        communication=communication, stakeholder=stakeholder, kind=MeetingNotice.Kind.REMINDER
    )


@register_context_provider("meetings.update")
def update(*, communication, stakeholder) -> ProviderResult:
    return _notice_result(
        communication=communication, stakeholder=stakeholder, kind=MeetingNotice.Kind.UPDATE
    )


@register_context_provider("meetings.cancellation")
def cancellation(*, communication, stakeholder) -> ProviderResult:
    return _notice_result(
        communication=communication, stakeholder=stakeholder, kind=MeetingNotice.Kind.CANCELLATION
    )


@register_context_provider("meetings.action_item_reminder")
def action_item_reminder(*, communication, stakeholder, user=None) -> ProviderResult:  # noqa: ARG001 - the context provider interface
    # `user`: a staff owner without a directory entry (then `stakeholder` is None).
    reminder = (
        ActionItemReminder.objects.select_related("action_item__meeting__body")
        .filter(pk=communication.context_object_id)
        .first()
    )
    if reminder is None:
        return ProviderResult(skip=True, reason="The reminder no longer exists.")
    item = reminder.action_item
    if item.status != item.Status.OPEN:
        return ProviderResult(skip=True, reason=f"The action item is {item.get_status_display().lower()}.")
    if item.due_date != reminder.due_date:
        return ProviderResult(skip=True, reason="The due date has changed since this reminder was made.")
    due = f"{item.due_date:%B %-d, %Y}"
    line = (
        f"Your action item is due on {due}."
        if reminder.kind == ActionItemReminder.Kind.BEFORE_DUE
        else f"Your action item was due on {due} and is now overdue."
    )
    return ProviderResult(
        context={
            "reminder_line": line,
            "action_item_description": item.description,
            "action_item_due": due,
            "action_item_url": _url("meetings:action_item_update", item.pk),
            "meeting_title": item.meeting.title,
            "body_name": item.meeting.body.name,
        }
    )


@register_context_provider("meetings.feedback_request")
def feedback_request(*, communication, stakeholder) -> ProviderResult:

    from .tokens import feedback_token

    body = AdvisoryBody.objects.filter(pk=communication.context_object_id).first()
    if body is None:
        return ProviderResult(skip=True, reason="The advisory body no longer exists.")
    token = feedback_token(body_id=body.pk, stakeholder_id=stakeholder.pk)
    return ProviderResult(
        context={"body_name": body.name, "feedback_url": _url("meetings:feedback_link", token)}
    )


@register_digest_lines
def digest_meetings(*, sea, week_start: datetime.date) -> DigestLines:
    """A state's weekly digest: meetings of the next two weeks and open overdue action items of
    the bodies that concern the state (a member represents it or one of its districts, or is one
    of its people)."""
    bodies = AdvisoryBody.objects.concerning(sea).values("pk")
    now = timezone.now()
    meetings = (
        Meeting.objects.filter(
            body_id__in=bodies,
            status=Meeting.Status.SCHEDULED,
            starts_at__gte=now,
            starts_at__lt=now + datetime.timedelta(days=UPCOMING_DAYS),
        )
        .select_related("body")
        .order_by("starts_at")[:20]
    )
    items = (
        ActionItem.objects.filter(status=ActionItem.Status.OPEN, due_date__lt=week_start)
        .filter(Q(meeting__body_id__in=bodies) | Q(owner_stakeholder__sea=sea))
        .select_related("owner_stakeholder", "owner_user")
        .order_by("due_date", "pk")[:50]
    )
    return DigestLines(
        upcoming=[
            f"- {timezone.localtime(m.starts_at):%a %b %-d, %-I:%M %p} · {m.body.short_name}: "
            f"{digest_text(m.title, 100)}"
            for m in meetings
        ],
        overdue=[
            f"- Action item: {digest_text(item.description, 120)} "
            f"(due {item.due_date:%b %-d}, {digest_text(item.owner_display, 60)})"
            for item in items
        ],
    )
