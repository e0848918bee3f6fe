"""The one place the meetings app talks to the communications feature.

Invitations, reminders, change and cancellation notices and action-item reminders are composed
and scheduled through `communications.services`; at send time the providers in
`meetings/providers.py` give each recipient their context (signed RSVP links, the current .ics)
and skip deliveries that have gone stale.
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from meetings.models import ActionItemReminder, Meeting, MeetingNotice

from . import manager_check

log = logging.getLogger(__name__)

# How long before a meeting its reminder goes out.
MEETING_REMINDER_BEFORE = getattr(settings, "MEETINGS_REMINDER_BEFORE", datetime.timedelta(days=1))

PROVIDER_FOR_KIND: dict[str, str] = {
    MeetingNotice.Kind.INVITATION: "meetings.invitation",
    MeetingNotice.Kind.REMINDER: "meetings.reminder",
    MeetingNotice.Kind.UPDATE: "meetings.update",
    MeetingNotice.Kind.CANCELLATION: "meetings.cancellation",
}
ACTION_ITEM_PROVIDER = "meetings.action_item_reminder"


class CommunicationsUnavailable(RuntimeError):
    """The communications feature the meetings app sends through is not installed."""


def _communications():
    try:
        from communications import services
    except ImportError as exc:  # pragma: no cover - only while the feature is missing
        raise CommunicationsUnavailable("communications.services is missing") from exc
    for name in (
        "communication_compose",
        "communication_schedule",
        "communication_cancel",
        "communication_send_to_user",
    ):
        if not hasattr(services, name):  # pragma: no cover
            raise CommunicationsUnavailable(f"communications.services.{name} is missing")
    return services


SUBJECTS: dict[str, str] = {
    MeetingNotice.Kind.INVITATION: "Invitation: {body} meeting, {when}",
    MeetingNotice.Kind.REMINDER: "Reminder: {body} meeting, {when}",
    MeetingNotice.Kind.UPDATE: "Changed: {body} meeting, now {when}",
    MeetingNotice.Kind.CANCELLATION: "Cancelled: {body} meeting of {when}",
}

BODIES: dict[str, str] = {
    MeetingNotice.Kind.INVITATION: (
        "Dear {{ first_name }},\n\n"
        "You are invited to the meeting **{{ meeting_title }}** of the {{ body_name }}.\n\n"
        "- When: {{ meeting_when }}\n- Where: {{ meeting_where }}\n\n"
        "Will you attend? [Yes]({{ rsvp_yes_url }}) · [No]({{ rsvp_no_url }}) · [Maybe]({{ rsvp_maybe_url }})\n\n"
        "Please answer with these links: the Accept and Decline buttons your calendar shows for this "
        "invitation do not record your answer with the center.\n\n"
        "The agenda: {{ meeting_url }}"
    ),
    MeetingNotice.Kind.REMINDER: (
        "Dear {{ first_name }},\n\n"
        "A reminder of the meeting **{{ meeting_title }}** of the {{ body_name }}.\n\n"
        "- When: {{ meeting_when }}\n- Where: {{ meeting_where }}\n\n"
        "Your answer so far: {{ rsvp_answer }}. Change it: [Yes]({{ rsvp_yes_url }}) · "
        "[No]({{ rsvp_no_url }}) · [Maybe]({{ rsvp_maybe_url }})"
    ),
    MeetingNotice.Kind.UPDATE: (
        "Dear {{ first_name }},\n\n"
        "The meeting **{{ meeting_title }}** of the {{ body_name }} has changed.\n\n"
        "- When: {{ meeting_when }}\n- Where: {{ meeting_where }}\n\n"
        "Your calendar entry is updated with this message. Will you attend? [Yes]({{ rsvp_yes_url }}) · "
        "[No]({{ rsvp_no_url }}) · [Maybe]({{ rsvp_maybe_url }})\n\n"
        "Please answer with these links: the Accept and Decline buttons your calendar shows do not "
        "record your answer with the center."
    ),
    MeetingNotice.Kind.CANCELLATION: (
        "Dear {{ first_name }},\n\n"
        "The meeting **{{ meeting_title }}** of the {{ body_name }} on {{ meeting_when }} is cancelled.\n\n"
        "Reason: {{ cancel_reason }}\n\nThe calendar update in this message removes it from your calendar."
    ),
}

ACTION_ITEM_SUBJECTS: dict[str, str] = {
    ActionItemReminder.Kind.BEFORE_DUE: "Action item due {due}",
    ActionItemReminder.Kind.OVERDUE: "Action item overdue since {due}",
}
ACTION_ITEM_BODY = (
    "Dear {{ first_name }},\n\n"
    "{{ reminder_line }}\n\n> {{ action_item_description }}\n\n"
    "From the meeting {{ meeting_title }} of the {{ body_name }}. Update it: {{ action_item_url }}"
)


def _when(meeting: Meeting) -> str:
    return f"{timezone.localtime(meeting.starts_at):%B %-d, %Y}"


def notice_send(
    *, meeting: Meeting, kind: str, author, stakeholder_ids, send_at=None
) -> MeetingNotice | None:
    """Compose and schedule one notice about `meeting` for the given stakeholders."""
    stakeholder_ids = sorted(set(stakeholder_ids))
    if not stakeholder_ids:
        return None
    send_at = send_at or timezone.now()
    notice = MeetingNotice.objects.create(
        meeting=meeting, kind=kind, sequence=meeting.sequence, send_at=send_at
    )
    services = _communications()
    subject = SUBJECTS[kind].format(body=meeting.body.short_name, when=_when(meeting))
    from stakeholders.models import CommunicationCategory

    communication = services.communication_compose(
        author=author,
        subject=subject,
        body=BODIES[kind],
        category=CommunicationCategory.MEETING,
        audience={"include": stakeholder_ids},
        advisory_body=meeting.body,
        context_provider=PROVIDER_FOR_KIND[kind],
        context_object_id=notice.pk,
    )
    notice.communication_pk = communication.pk
    notice.save(update_fields=["communication_pk"])
    try:
        services.communication_schedule(communication=communication, send_at=send_at, by=author)
    except ValidationError as exc:
        # E.g. every invitee opted out of meeting mail: nothing to send, and nothing to block.
        log.info("Meeting notice %s not scheduled: %s", notice.pk, exc.messages)
        services.communication_cancel(communication=communication, by=author, reason="; ".join(exc.messages))
        notice.is_withdrawn = True
        notice.save(update_fields=["is_withdrawn"])
    return notice


def reminders_withdraw(*, meeting: Meeting, by, reason: str) -> int:
    """Withdraw the meeting's reminders that have not gone out yet; returns how many."""
    manager_check(by)
    pending = list(
        MeetingNotice.objects.filter(
            meeting=meeting, kind=MeetingNotice.Kind.REMINDER, is_withdrawn=False, send_at__gt=timezone.now()
        )
    )
    if not pending:
        return 0
    services = _communications()
    from communications.models import Communication

    communications = Communication.objects.in_bulk(
        [n.communication_pk for n in pending if n.communication_pk]
    )
    for notice in pending:
        communication = communications.get(notice.communication_pk)
        if communication is not None:
            services.communication_cancel(communication=communication, by=by, reason=reason)
        notice.is_withdrawn = True
        notice.save(update_fields=["is_withdrawn"])
    return len(pending)


def reminder_schedule(*, meeting: Meeting, author) -> MeetingNotice | None:
    """(Re)schedule the one reminder of `meeting` for its invitees, replacing any pending one."""
    reminders_withdraw(
        meeting=meeting, by=author, reason="Replaced by a reminder for the current meeting time."
    )
    if meeting.is_cancelled:
        return None
    send_at = meeting.starts_at - MEETING_REMINDER_BEFORE
    if send_at <= timezone.now():
        return None
    invited = meeting.participants.filter(invited_at__isnull=False).values_list("stakeholder_id", flat=True)
    return notice_send(
        meeting=meeting,
        kind=MeetingNotice.Kind.REMINDER,
        author=author,
        stakeholder_ids=invited,
        send_at=send_at,
    )


def action_item_reminder_send(*, reminder: ActionItemReminder, author) -> None:
    """Hand an action-item reminder to communications: to the owner's directory entry, or to
    the portal user (center staff without one)."""
    item = reminder.action_item
    stakeholder = item.owner_stakeholder or getattr(item.owner_user, "stakeholder", None)
    due = f"{reminder.due_date:%B %-d, %Y}"
    subject = ACTION_ITEM_SUBJECTS[reminder.kind].format(due=due)
    if stakeholder is not None and author is not None:
        services = _communications()
        from stakeholders.models import CommunicationCategory

        communication = services.communication_compose(
            author=author,
            subject=subject,
            body=ACTION_ITEM_BODY,
            category=CommunicationCategory.ACTION_ITEM_REMINDER,
            audience={"include": [stakeholder.pk]},
            advisory_body=item.meeting.body,
            context_provider=ACTION_ITEM_PROVIDER,
            context_object_id=reminder.pk,
        )
        reminder.communication_pk = communication.pk
        reminder.save(update_fields=["communication_pk"])
        try:
            services.communication_schedule(communication=communication, send_at=None, by=author)
        except ValidationError as exc:
            # The owner opted out of action-item reminders: the reminder stays recorded as handled.
            services.communication_cancel(
                communication=communication, by=author, reason="; ".join(exc.messages)
            )
        return
    if item.owner_user is not None and item.owner_user.email:
        # Center staff without a directory entry: the same message through the outbox, to the
        # user's address (queued here, sent, retried and reported by the workers).
        from stakeholders.models import CommunicationCategory

        delivery = _communications().communication_send_to_user(
            user=item.owner_user,
            subject=subject,
            body=ACTION_ITEM_BODY,
            category=CommunicationCategory.ACTION_ITEM_REMINDER,
            author=author,
            advisory_body=item.meeting.body,
            context_provider=ACTION_ITEM_PROVIDER,
            context_object_id=reminder.pk,
        )
        reminder.communication_pk = delivery.communication_id
        reminder.save(update_fields=["communication_pk"])


FEEDBACK_PROVIDER = "meetings.feedback_request"
FEEDBACK_SUBJECT = "Your feedback on the center's resources and services"
FEEDBACK_BODY = (
    "Dear {{ first_name }},\n\n"
    "As a member of the {{ body_name }}, your view of the resources the Region 2 Comprehensive "
    "Center develops and the services it provides guides our work.\n\n"
    "Please rate them (quality, relevance, usefulness, 1 to 5) here: {{ feedback_url }}\n\n"
    "The link is personal and works for 90 days without signing in."
)


def feedback_request_send(*, body, by) -> int:
    """Send each current member of `body` a personal signed link to rate resources and services."""
    manager_check(by)
    from stakeholders.models import CommunicationCategory, Membership

    ids = sorted(
        set(
            Membership.objects.filter(body=body, stakeholder__is_active=True)
            .current()
            .values_list("stakeholder_id", flat=True)
        )
    )
    if not ids:
        raise ValidationError("The body has no current members to ask.")
    services = _communications()
    communication = services.communication_compose(
        author=by,
        subject=FEEDBACK_SUBJECT,
        body=FEEDBACK_BODY,
        category=CommunicationCategory.FEEDBACK_REQUEST,
        audience={"include": ids},
        advisory_body=body,
        context_provider=FEEDBACK_PROVIDER,
        context_object_id=body.pk,
    )
    services.communication_schedule(communication=communication, send_at=None, by=by)
    return len(ids)
