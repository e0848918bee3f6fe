"""Writes of requests for technical assistance: submit, triage moves, and turning one into a project."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from communications.services import communication_send_to_user
from meetings.models import Meeting
from projects.models import Project, Topic
from projects.services.projects import project_create
from projects.services.workflow import status_move
from stakeholders.models import SEA, CommunicationCategory, CommunicationPreference, District, Office

from .models import TARequest

logger = logging.getLogger(__name__)


def request_submittable_by(user, sea: SEA | None) -> bool:
    """SEA staff submit for their own state; facilitators and administrators for any state."""
    if user is None or not user.is_authenticated or not user.is_active or sea is None:
        return False
    if user.sees_whole_portfolio:
        return True
    return bool(user.is_sea_staff and user.sea_id == sea.pk)


def _scope_errors(*, user, sea, offices, districts, meeting) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not request_submittable_by(user, sea):
        errors["sea"] = ["You can submit requests for your own state only."]
        return errors
    if any(o.sea_id != sea.pk for o in offices):
        errors["offices"] = ["Choose offices of the state you submit for."]
    if any(d.sea_id != sea.pk for d in districts):
        errors["districts"] = ["Choose districts of the state you submit for."]
    if meeting is not None:
        if not user.sees_whole_portfolio:
            errors["meeting"] = ["Only facilitators link a request to a meeting."]
        elif not Meeting.objects.visible_to(user).filter(pk=meeting.pk).exists():
            errors["meeting"] = ["Choose a meeting you can see."]
    return errors


@transaction.atomic
def request_submit(
    *,
    by,
    sea: SEA,
    title: str,
    problem: str,
    desired_outcome: str,
    urgency: str,
    topics: Iterable[Topic],
    contact_name: str,
    contact_email: str,
    contact_phone: str = "",
    offices: Iterable[Office] = (),
    districts: Iterable[District] = (),
    meeting: Meeting | None = None,
) -> TARequest:
    """Record a request for help from `sea`, submitted by its staff or entered for it by a facilitator."""
    offices, districts, topics = list(offices), list(districts), list(topics)
    errors = _scope_errors(user=by, sea=sea, offices=offices, districts=districts, meeting=meeting)
    if not topics:
        errors["topics"] = ["Choose at least one topic."]
    request = TARequest(
        sea=sea,
        title=title.strip(),
        problem=problem,
        desired_outcome=desired_outcome,
        urgency=urgency,
        contact_name=contact_name.strip(),
        contact_email=contact_email.strip(),
        contact_phone=contact_phone.strip(),
        meeting=meeting,
        submitted_by=by,
    )
    try:
        request.full_clean(exclude=list(errors))
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    request.save()
    request.offices.set(offices)
    request.districts.set(districts)
    request.topics.set(topics)
    return request


def overlapping_work(request: TARequest) -> dict:
    """Active projects and open requests of any partner center for the same state on an
    overlapping topic, so that a state is not served twice on one topic (two queries)."""
    topic_ids = [t.pk for t in request.topics.all()]
    projects = (
        Project.objects.filter(sea_id=request.sea_id, topics__in=topic_ids)
        .filter(status__in=[Project.Status.PROPOSED, Project.Status.ACTIVE, Project.Status.PAUSED])
        .exclude(pk=request.project_id or 0)
        .select_related("lead_center")
        .distinct()
        .order_by("title")
    )
    requests = (
        TARequest.objects.open()
        .filter(sea_id=request.sea_id, topics__in=topic_ids)
        .exclude(pk=request.pk)
        .distinct()
        .order_by("-submitted_at")
    )
    return {"projects": list(projects[:50]), "requests": list(requests[:50])}


def _wants_mail(user) -> bool:
    """A user with a directory entry who turned project updates off hears nothing by mail."""
    return (
        bool(user.email)
        and not CommunicationPreference.objects.filter(
            stakeholder__user=user,
            category=CommunicationCategory.PROJECT_UPDATE,
            delivery=CommunicationPreference.Delivery.NONE,
        ).exists()
    )


def _notify_state(request: TARequest, *, by, note: str) -> None:
    """Tell the state's people who submitted or follow the request that it moved (after commit)."""
    from accounts.models import Role, User

    recipients = User.objects.filter(
        is_active=True, groups__name=Role.SEA_STAFF, sea_id=request.sea_id
    ).filter(Q(pk=request.submitted_by_id) | Q(project_roles__project_id=request.project_id))
    status = request.get_status_display()
    body = (
        f"Your state's request “{request.title}” is now: {status}.\n\n"
        + (f"{note}\n\n" if note else "")
        + f"Read it in the portal: {settings.PORTAL_BASE_URL}{reverse('intake:detail', args=[request.pk])}"
    )
    for user in recipients.distinct():
        if user.pk == getattr(by, "pk", None) or not _wants_mail(user):
            continue
        try:
            communication_send_to_user(
                user=user,
                subject=f"Your request “{request.title[:120]}”: {status}",
                body=body,
                category=CommunicationCategory.PROJECT_UPDATE,
                author=by,
            )
        except ValidationError:
            logger.warning("Request %s: could not notify user %s", request.pk, user.pk)


def request_move(
    *,
    request: TARequest,
    transition: str,
    by,
    note: str = "",
    expected_status: str | None = None,
    referred_to=None,
) -> TARequest:
    """Triage move of a request (start conversation, accept, decline, refer); the state is told."""

    def prepare(locked: TARequest) -> None:
        if transition == "refer":
            if referred_to is None:
                raise ValidationError({"referred_to": "Choose the partner center the request goes to."})
            locked.referred_to = referred_to
        if transition in ("decline", "refer"):
            locked.decision_reason = (note or "").strip()

    with transaction.atomic():
        moved = status_move(
            obj=request,
            transition=transition,
            by=by,
            note=note,
            expected_status=expected_status,
            note_required=transition in ("decline", "refer"),
            before_save=prepare,
        )
        transaction.on_commit(lambda: _notify_state(moved, by=by, note=note))
    return moved


def request_accept_as_project(
    *, request: TARequest, by, expected_status: str | None = None, **project_fields
) -> Project:
    """Create the project from `request` (pre-filled by the form) and mark the request as become a project."""
    with transaction.atomic():
        locked = TARequest.objects.select_for_update().get(pk=request.pk)
        if expected_status is not None and locked.status != expected_status:
            raise ValidationError("Someone else moved this request in the meantime; nothing was changed.")
        if not locked.is_open:
            raise ValidationError("Only an open request can become a project.")
        project = project_create(by=by, **project_fields)
        TARequest.objects.filter(pk=locked.pk).update(project=project)
        locked.project = project
        moved = status_move(
            obj=locked,
            transition="make_project",
            by=by,
            note=f"Project “{project.title}” started from this request.",
        )
        transaction.on_commit(lambda: _notify_state(moved, by=by, note=f"The project is “{project.title}”."))
    return project
