"""The one place this app talks to communications: notices to portal users and participants.

Everything goes through the outbox. The signed links are made per recipient at send time by the
providers in `accountability/providers.py`, which also skip a notice that went stale (the
activity was answered or edited before the mail went out).
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction

from communications import services as communications
from stakeholders.models import CommunicationCategory, CommunicationPreference, Stakeholder

log = logging.getLogger(__name__)

ATTESTATION_PROVIDER = "accountability.attestation"
ATTESTATION_ANSWER_PROVIDER = "accountability.attestation_answer"
STATEMENT_PROVIDER = "accountability.statement"
SURVEY_PROVIDER = "accountability.survey"

ATTESTATION_SUBJECT = "Please confirm: {what} on {date} ({project})"
ATTESTATION_BODY = (
    "Dear {{ first_name }},\n\n"
    "{{ author_name }} logged this activity of {{ project }}:\n\n"
    "{{ activity_line }}\n\n{{ activity_summary }}\n\n"
    "Please confirm it, comment on it or dispute it here (no sign-in needed; the link works "
    "once and for 30 days): {{ attest_url }}\n\n"
    "You can also answer in the portal: {{ portal_url }}"
)
REMINDER_SUBJECT = "Reminder: please confirm {what} on {date} ({project})"
ANSWER_SUBJECT = "{decision}: your {what} on {date} ({project})"
ANSWER_BODY = (
    "Dear {{ first_name }},\n\n"
    "{{ decided_by }} {{ decision_verb }} your activity of {{ project }}:\n\n"
    "{{ activity_line }}\n\n"
    "{{ comment_label }}: {{ comment }}\n\n"
    "See it in the portal: {{ portal_url }}"
)
STATEMENT_SUBJECT = "Please confirm the {month} services of {project}"
STATEMENT_BODY = (
    "Dear {{ first_name }},\n\n"
    "The center's services to {{ project }} in {{ month }}: {{ statement_line }}.\n\n"
    "Please confirm the statement or dispute it here (no sign-in needed; the link works once "
    "and for 30 days): {{ statement_url }}"
)
SURVEY_SUBJECT = "How useful was it? {what}"
SURVEY_BODY = (
    "Dear {{ first_name }},\n\n"
    "You took part in {{ survey_subject }}. Please tell us in two minutes how good, relevant "
    "and useful it was: {{ survey_url }}\n\n"
    "The link is personal and works once, for 30 days, without signing in."
)


def _opted_out(user, category: str) -> bool:
    """The user's own directory entry opted out of `category`, or its address bounced."""
    stakeholder = Stakeholder.objects.filter(user=user).first()
    if stakeholder is None:
        return False
    if stakeholder.email_bounced_at is not None and stakeholder.email == user.email:
        return True
    return CommunicationPreference.objects.filter(
        stakeholder=stakeholder, category=category, delivery=CommunicationPreference.Delivery.NONE
    ).exists()


def notice_to_user(
    *, user, subject: str, body: str, provider: str, object_id: int, project=None, author=None
) -> bool:
    """Queue one notice to a portal user through the outbox, unless they opted out of project
    updates in their directory entry. Returns whether it was queued."""
    category = CommunicationCategory.PROJECT_UPDATE
    if not user.email or not user.is_active or _opted_out(user, category):
        return False
    try:
        communications.communication_send_to_user(
            user=user,
            subject=subject,
            body=body,
            category=category,
            author=author,
            project=project,
            context_provider=provider,
            context_object_id=object_id,
        )
    except ValidationError as exc:
        # Runs after the answer or the activity is committed: a notice that cannot go out is
        # logged, never turned into an error page for the person who acted.
        log.warning("Notice %s to user %s not queued: %s", provider, user.pk, "; ".join(exc.messages))
        return False
    return True


def notice_to_stakeholder(
    *, stakeholder, author, subject: str, body: str, provider: str, object_id: int, project=None
) -> bool:
    """Queue a feedback request to a participant as a communication of its own, so their
    preferences, opt-outs and bounces apply as for every message. Returns whether it was queued."""
    try:
        communication = communications.communication_compose(
            author=author,
            subject=subject,
            body=body,
            category=CommunicationCategory.FEEDBACK_REQUEST,
            audience={"include": [stakeholder.pk]},
            project=project,
            context_provider=provider,
            context_object_id=object_id,
        )
    except ValidationError as exc:
        log.warning(
            "Survey %s to stakeholder %s not queued: %s", object_id, stakeholder.pk, "; ".join(exc.messages)
        )
        return False
    try:
        communications.communication_schedule(communication=communication, send_at=None, by=author)
    except ValidationError as exc:
        # Opted out (or bounced): the request stays recorded, the message is cancelled.
        communications.communication_cancel(
            communication=communication, by=author, reason="; ".join(exc.messages)
        )
        return False
    return True


def on_commit(function, *args, **kwargs) -> None:
    transaction.on_commit(lambda: function(*args, **kwargs))
