"""Feedback of the bodies' members on the center's resources and services."""

from django.core.exceptions import ValidationError

from meetings.models import Feedback


def feedback_record(
    *,
    body,
    resource: str,
    quality: int,
    relevance: int,
    usefulness: int,
    comment: str = "",
    stakeholder=None,
    meeting=None,
    product=None,
    channel: str = Feedback.Channel.MEETING,
) -> Feedback:
    """Record one rating (1–5 for quality, relevance and usefulness) of a resource or service."""
    if meeting is not None and meeting.body_id != body.pk:
        raise ValidationError("This meeting belongs to another body.")
    if product is not None and not resource:
        resource = product.title
    feedback = Feedback(
        body=body,
        meeting=meeting,
        stakeholder=stakeholder,
        product=product,
        resource=(resource or "").strip(),
        quality=quality,
        relevance=relevance,
        usefulness=usefulness,
        comment=comment,
        channel=channel,
    )
    feedback.full_clean()
    feedback.save()
    return feedback
