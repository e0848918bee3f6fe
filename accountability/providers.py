"""Per-recipient context of this app's notices, computed by communications at send time.

Each link is signed for its recipient just before the mail goes out, and a notice whose record
was answered or edited in the meantime is skipped rather than sent with a dead link.
"""

from django.conf import settings
from django.urls import reverse

from communications.providers import ProviderResult, register_context_provider

from .models import Attestation, Decision, ServiceStatement, SurveyInvitation
from .services import notices
from .tokens import attestation_token, statement_token, survey_token


def _url(name: str, *args) -> str:
    return settings.PORTAL_BASE_URL + reverse(name, args=args)


def _activity_line(activity) -> str:
    return (
        f"{activity.get_type_display()} on {activity.date:%B %-d, %Y}, {activity.hours.normalize():f} hours "
        f"({activity.get_mode_display().lower()})"
    )


@register_context_provider(notices.ATTESTATION_PROVIDER)
def attestation(*, communication, stakeholder, user=None) -> ProviderResult:
    user = user or getattr(stakeholder, "user", None)
    item = (
        Attestation.objects.select_related("activity__author", "activity__project")
        .filter(pk=communication.context_object_id)
        .first()
    )
    if item is None or user is None:
        return ProviderResult(skip=True, reason="The activity no longer exists.")
    if not item.is_current or item.status != Decision.PENDING:
        return ProviderResult(skip=True, reason="The activity was answered or edited since.")
    activity = item.activity
    token = attestation_token(attestation_id=item.pk, user_id=user.pk, version=item.version)
    return ProviderResult(
        context={
            "author_name": str(activity.author) if activity.author else "The center",
            "activity_line": _activity_line(activity),
            "activity_summary": activity.summary[:1000],
            "attest_url": _url("accountability:attest_link", token),
            "portal_url": _url("projects:activity_detail", activity.pk),
        }
    )


@register_context_provider(notices.ATTESTATION_ANSWER_PROVIDER)
def attestation_answer(*, communication, stakeholder, user=None) -> ProviderResult:  # noqa: ARG001 - providers' signature
    item = (
        Attestation.objects.select_related("activity__project", "decided_by")
        .filter(pk=communication.context_object_id)
        .first()
    )
    if item is None:
        return ProviderResult(skip=True, reason="The activity no longer exists.")
    disputed = item.status == Decision.DISPUTED
    return ProviderResult(
        context={
            "decided_by": str(item.decided_by or "The counterpart"),
            "decision_verb": "disputed" if disputed else "commented on",
            "activity_line": _activity_line(item.activity),
            "comment_label": "Reason" if disputed else "Comment",
            "comment": item.comment,
            "portal_url": _url("projects:activity_detail", item.activity_id),
        }
    )


@register_context_provider(notices.STATEMENT_PROVIDER)
def statement(*, communication, stakeholder, user=None) -> ProviderResult:
    user = user or getattr(stakeholder, "user", None)
    item = (
        ServiceStatement.objects.select_related("project__sea")
        .filter(pk=communication.context_object_id)
        .first()
    )
    if item is None or user is None:
        return ProviderResult(skip=True, reason="The statement no longer exists.")
    if item.status != Decision.PENDING:
        return ProviderResult(skip=True, reason="The statement was answered since.")
    token = statement_token(statement_id=item.pk, user_id=user.pk)
    return ProviderResult(
        context={
            "month": f"{item.month:%B %Y}",
            "statement_line": (
                f"{item.activities} activities, {item.hours.normalize():f} hours, "
                f"{item.products} products delivered"
            ),
            "statement_url": _url("accountability:statement_link", token),
        }
    )


@register_context_provider(notices.SURVEY_PROVIDER)
def survey(*, communication, stakeholder, user=None) -> ProviderResult:  # noqa: ARG001 - providers' signature
    item = (
        SurveyInvitation.objects.select_related("activity", "product")
        .filter(pk=communication.context_object_id)
        .first()
    )
    if item is None or stakeholder is None or item.stakeholder_id != stakeholder.pk:
        return ProviderResult(skip=True, reason="The survey no longer exists.")
    if item.responded_at is not None:
        return ProviderResult(skip=True, reason="The participant has answered already.")
    token = survey_token(invitation_id=item.pk, stakeholder_id=stakeholder.pk)
    return ProviderResult(
        context={
            "survey_subject": survey_subject(item),
            "survey_url": _url("accountability:survey_link", token),
        }
    )


def survey_subject(invitation) -> str:
    if invitation.activity_id:
        activity = invitation.activity
        return f"the {activity.get_type_display().lower()} of {activity.date:%B %-d, %Y}"
    return f"“{invitation.product.title}”"
