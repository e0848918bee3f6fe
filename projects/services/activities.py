"""Logging, editing and deleting project activities."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from core.history import history_by
from projects import hooks
from projects.models import ACTIVITY_HISTORY, Activity, Condition, Project
from stakeholders.models import District, PartnerCenter, Stakeholder

from .rollups import activity_contribution, activity_month_change

# Fields of an activity that activity_update may change (the author and project history stay).
# What a person writes about an activity: the form, the edit page and these services read the
# field names from here.
EDITABLE_FIELDS = ("project", "date", "type", "summary", "hours", "mode", "next_steps")
RELATED_FIELDS = ("participants", "districts", "partner_centers", "conditions")


def _ids(objects: Iterable) -> set[int]:
    return {obj.pk if hasattr(obj, "pk") else int(obj) for obj in objects}


def _scope_errors(*, user, project: Project | None, participants, districts) -> dict[str, list[str]]:
    """Field errors for a project, participants or districts the user may not use together.

    Participants and districts must be visible to the user and belong to the project's state
    (people without a state, such as partner-center staff, may join any project).
    """
    errors: dict[str, list[str]] = {}
    if project is None:
        return errors
    if not Project.objects.visible_to(user).filter(pk=project.pk).exists():
        errors["project"] = ["Choose one of your projects."]
        return errors
    wanted = _ids(participants)
    allowed = set(
        Stakeholder.objects.visible_to(user)
        .filter(pk__in=wanted)
        .filter(Q(sea__isnull=True) | Q(sea_id=project.sea_id))
        .values_list("pk", flat=True)
    )
    if wanted - allowed:
        errors["participants"] = ["Choose participants from the project's state."]
    wanted = _ids(districts)
    allowed = set(
        District.objects.visible_to(user)
        .filter(pk__in=wanted, sea_id=project.sea_id)
        .values_list("pk", flat=True)
    )
    if wanted - allowed:
        errors["districts"] = ["Choose districts in the project's state."]
    return errors


def _clean(activity: Activity, *, user, participants, districts) -> None:
    errors = _scope_errors(
        user=user, project=activity.project, participants=participants, districts=districts
    )
    try:
        activity.full_clean(exclude=list(errors))
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _save_with_relations(activity: Activity, related: Mapping[str, Iterable], *, history_type: str) -> None:
    """Save the activity and its relations as one version in its history (not one per relation)."""
    activity.skip_history_when_saving = True  # type: ignore[attr-defined]  # read by simple-history
    try:
        activity.save()
        for name, objects in related.items():
            getattr(activity, name).set(list(objects))
    finally:
        del activity.skip_history_when_saving  # type: ignore[attr-defined]
    ACTIVITY_HISTORY.create_historical_record(activity, history_type)


def _lock(activity: Activity) -> None:
    # Two edits of one activity take turns, so each moves the rollup from what the other left.
    list(Activity.objects.select_for_update().filter(pk=activity.pk).values_list("pk", flat=True))


@transaction.atomic
def activity_log(
    *,
    author,
    project: Project,
    date: datetime.date,
    type: str,
    summary: str,
    hours: Decimal,
    mode: str,
    next_steps: str = "",
    participants: Iterable[Stakeholder] = (),
    districts: Iterable[District] = (),
    partner_centers: Iterable[PartnerCenter] = (),
    conditions: Iterable[Condition] = (),
) -> Activity:
    """Record a piece of work on a project, with who took part and which conditions it advanced.

    The project, participants and districts must be visible to `author` (their own state for SEA
    staff); raises ValidationError with field keys otherwise, and nothing is saved.
    """
    participants, districts = list(participants), list(districts)
    activity = Activity(
        project=project,
        date=date,
        type=type,
        summary=summary,
        hours=hours,
        mode=mode,
        next_steps=next_steps,
        author=author,
    )
    _clean(activity, user=author, participants=participants, districts=districts)
    history_by(activity, author)
    _save_with_relations(
        activity,
        {
            "participants": participants,
            "districts": districts,
            "partner_centers": partner_centers,
            "conditions": conditions,
        },
        history_type="+",
    )
    activity_month_change(before={}, after=activity_contribution(activity.pk))
    hooks.activity_saved(activity=activity, created=True, by=author)
    return activity


@transaction.atomic
def activity_update(*, activity: Activity, editor, **fields) -> Activity:
    """Change an activity `editor` may edit (see `Activity.objects.editable_by`).

    Accepts the fields of activity_log except the author; related fields replace the current
    sets. Raises PermissionDenied for an activity the editor may not edit and ValidationError
    with field keys on bad input, in which case nothing is saved.
    """
    if not Activity.objects.editable_by(editor).filter(pk=activity.pk).exists():
        raise PermissionDenied("You cannot edit this activity.")
    _lock(activity)
    before = activity_contribution(activity.pk)
    unknown = set(fields) - set(EDITABLE_FIELDS) - set(RELATED_FIELDS)
    if unknown:
        raise TypeError(f"activity_update() got unexpected fields: {', '.join(sorted(unknown))}")
    for name in EDITABLE_FIELDS:
        if name in fields:
            setattr(activity, name, fields[name])
    related = {name: list(fields[name]) for name in RELATED_FIELDS if name in fields}
    participants = related.get("participants", activity.participants.all())
    districts = related.get("districts", activity.districts.all())
    _clean(activity, user=editor, participants=participants, districts=districts)
    history_by(activity, editor)
    _save_with_relations(activity, related, history_type="~")
    activity_month_change(before=before, after=activity_contribution(activity.pk))
    hooks.activity_saved(activity=activity, created=False, by=editor)
    return activity


@transaction.atomic
def activity_delete(*, activity: Activity, editor) -> None:
    """Delete an activity `editor` may edit; its history keeps a record of the deletion."""
    if not Activity.objects.editable_by(editor).filter(pk=activity.pk).exists():
        raise PermissionDenied("You cannot delete this activity.")
    _lock(activity)
    before = activity_contribution(activity.pk)
    history_by(activity, editor)
    activity.delete()
    activity_month_change(before=before, after={})
