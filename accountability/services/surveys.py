"""Participants rate the services: invitations after a service or a delivered product, answers."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from statistics import mean

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from projects.models import Activity, Product, ProjectMember

from ..counterparts import counterparts
from ..models import Dimension, SurveyAnswer, SurveyInvitation, SurveyItem, SurveyResponse
from . import notices
from .attestations import AlreadyAnswered

# The services participants are asked about once they have taken place.
SURVEYED_TYPES = (Activity.Type.TRAINING, Activity.Type.COACHING, Activity.Type.CONSULTATION)


def _invite(*, author, stakeholders, project, activity=None, product=None) -> int:
    sent = 0
    for person in stakeholders:
        if not person.email or not person.is_active:
            continue
        try:
            with transaction.atomic():
                invitation = SurveyInvitation.objects.create(
                    stakeholder=person,
                    activity=activity,
                    product=product,
                    project=project,
                    activity_type=activity.type if activity else "",
                    sent_at=timezone.now(),
                )
        except IntegrityError:
            continue  # asked already
        what = f"{activity.get_type_display()} of {activity.date:%B %-d, %Y}" if activity else product.title
        sent += notices.notice_to_stakeholder(
            stakeholder=person,
            author=author,
            subject=notices.SURVEY_SUBJECT.format(what=what)[:200],
            body=notices.SURVEY_BODY,
            provider=notices.SURVEY_PROVIDER,
            object_id=invitation.pk,
            project=project,
        )
    return sent


def survey_invite_activity(*, activity: Activity) -> int:
    """Ask the participants of a completed training, coaching session or consultation."""
    if activity.type not in SURVEYED_TYPES or activity.author is None or activity.date > timezone.localdate():
        return 0
    return _invite(
        author=activity.author,
        stakeholders=activity.participants.all(),
        project=activity.project,
        activity=activity,
    )


def survey_invite_product(*, product: Product) -> int:
    """Ask the project's stakeholders about a delivered product (sent in the center lead's name)."""
    if product.status != Product.Status.DELIVERED:
        return 0
    lead = counterparts(project_id=product.project_id, role=ProjectMember.Role.CENTER_LEAD).first()
    if lead is None:
        return 0
    return _invite(
        author=lead, stakeholders=product.project.stakeholders.all(), project=product.project, product=product
    )


def surveys_for_delivered_products(*, within_days: int = 30) -> int:
    """The beat's sweep: invitations for products delivered lately that have none yet (safe to
    run twice: one invitation per product and person)."""
    since = timezone.localdate() - datetime.timedelta(days=within_days)
    products = Product.objects.filter(status=Product.Status.DELIVERED, delivered_on__gte=since).exclude(
        survey_invitations__isnull=False
    )
    return sum(survey_invite_product(product=product) for product in products.select_related("project"))


def survey_items() -> dict[str, list[SurveyItem]]:
    items: dict[str, list[SurveyItem]] = {value: [] for value in Dimension.values}
    for item in SurveyItem.objects.filter(is_active=True).order_by("dimension", "order", "pk"):
        items[item.dimension].append(item)
    return items


def _mean(scores: list[int]) -> Decimal | None:
    if not scores:
        return None
    return Decimal(str(mean(scores))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def survey_respond(
    *, invitation: SurveyInvitation, scores: dict[int, int], comment: str = ""
) -> SurveyResponse:
    """Record a participant's answers: a score of 1 to 5 for every active item, and a comment.

    Works once: a second answer (or two at once) gets AlreadyAnswered and changes nothing.
    """
    items = {item.pk: item for group in survey_items().values() for item in group}
    errors = {}
    for pk in items:
        score = scores.get(pk)
        if not isinstance(score, int) or not 1 <= score <= 5:
            errors[f"item_{pk}"] = ["Choose a rating from 1 to 5."]
    unknown = set(scores) - set(items)
    if unknown:
        errors["__all__"] = ["The survey changed since it was sent: reload the page."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.responded_at is not None:
            raise AlreadyAnswered("You have answered this survey already. Thank you!")
        by_dimension = {
            value: [scores[pk] for pk, item in items.items() if item.dimension == value]
            for value in Dimension.values
        }
        response = SurveyResponse(
            invitation=locked,
            comment=(comment or "").strip(),
            submitted_at=timezone.now(),
            **{dimension: _mean(values) for dimension, values in by_dimension.items()},
        )
        response.full_clean()
        response.save()
        SurveyAnswer.objects.bulk_create(
            SurveyAnswer(response=response, item=items[pk], score=scores[pk]) for pk in items
        )
        locked.responded_at = response.submitted_at
        locked.save(update_fields=["responded_at"])
    return response
