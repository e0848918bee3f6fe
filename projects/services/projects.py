"""Creating and editing projects in the portal: the record, its team and its scope changes."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from projects.models import Project, ProjectMember, ScopeChange

SCALAR_FIELDS = ("title", "problem_statement", "sea", "lead_center", "start_date", "end_date")
M2M_FIELDS = ("offices", "districts", "partner_centers", "topics")
# A change of any of these is a pivot of the plan: it needs a scope change record.
SCOPE_FIELDS = ("problem_statement", "districts", "lead_center", "partner_centers", "end_date")
SCOPE_LABELS = {
    "problem_statement": "problem statement",
    "districts": "districts",
    "lead_center": "lead center",
    "partner_centers": "partner centers",
    "end_date": "end date",
}


def project_editable_by(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.sees_whole_portfolio)


def _check_editor(by) -> None:
    if not project_editable_by(by):
        raise ValidationError("Only facilitators and administrators create and edit projects.")


def _team_errors(*, sea, center_lead, center_staff, sea_contacts) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    center = [u for u in [center_lead, *center_staff] if u is not None]
    if any(not u.sees_whole_portfolio for u in center):
        errors["center_staff"] = ["Center roles are held by facilitators or administrators."]
    if sea is not None and any(u.sea_id != sea.pk for u in sea_contacts):
        errors["sea_contacts"] = ["SEA contacts work for the project's own SEA."]
    people = [u.pk for u in center] + [u.pk for u in sea_contacts]
    if len(people) != len(set(people)):
        errors["sea_contacts"] = errors.get("sea_contacts", []) + ["Name each person once on the team."]
    return errors


def _set_team(project: Project, *, center_lead, center_staff, sea_contacts) -> None:
    wanted = {}
    if center_lead is not None:
        wanted[center_lead.pk] = ProjectMember.Role.CENTER_LEAD
    for user in center_staff:
        wanted.setdefault(user.pk, ProjectMember.Role.CENTER_STAFF)
    for user in sea_contacts:
        wanted.setdefault(user.pk, ProjectMember.Role.SEA_CONTACT)
    existing = {m.user_id: m for m in project.team.all()}
    for user_id, member in existing.items():
        if user_id not in wanted:
            member.delete()
    # The lead last: the old lead must have stepped down first (one lead per project).
    for user_id, role in sorted(wanted.items(), key=lambda kv: kv[1] == ProjectMember.Role.CENTER_LEAD):
        current = existing.get(user_id)
        if current is None:
            ProjectMember.objects.create(project=project, user_id=user_id, role=role)
        elif current.role != role:
            current.role = role
            current.save(update_fields=["role"])


def _apply(project: Project, fields: dict) -> dict[str, list]:
    for name in SCALAR_FIELDS:
        if name in fields:
            setattr(project, name, fields[name])
    return {name: list(fields[name]) for name in M2M_FIELDS if name in fields}


def _validate(project: Project, related: dict, team: dict, *, extra_errors=None) -> None:
    errors = dict(extra_errors or {})
    sea = project.sea if project.sea_id else None
    for name in ("offices", "districts"):
        if sea is not None and any(obj.sea_id != sea.pk for obj in related.get(name, [])):
            errors[name] = [f"Choose {name} of the project's SEA."]
    errors.update(_team_errors(sea=sea, **team))
    try:
        project.full_clean(exclude=list(errors))
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def project_create(
    *,
    by,
    title: str,
    problem_statement: str,
    sea,
    lead_center,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
    offices: Iterable = (),
    districts: Iterable = (),
    partner_centers: Iterable = (),
    topics: Iterable = (),
    center_lead=None,
    center_staff: Iterable = (),
    sea_contacts: Iterable = (),
) -> Project:
    """A new project, proposed, with its team (facilitators and administrators only)."""
    _check_editor(by)
    project = Project()
    related = _apply(
        project,
        {
            "title": title.strip(),
            "problem_statement": problem_statement,
            "sea": sea,
            "lead_center": lead_center,
            "start_date": start_date,
            "end_date": end_date,
            "offices": offices,
            "districts": districts,
            "partner_centers": partner_centers,
            "topics": topics,
        },
    )
    team = {
        "center_lead": center_lead,
        "center_staff": list(center_staff),
        "sea_contacts": list(sea_contacts),
    }
    _validate(project, related, team)
    project.save()
    for name, objects in related.items():
        getattr(project, name).set(objects)
    _set_team(project, **team)
    return project


def scope_changes_in(project: Project, fields: dict) -> list[str]:
    """Which scope fields `fields` would change on `project` (their labels)."""
    changed = []
    for name in SCOPE_FIELDS:
        if name not in fields:
            continue
        new = fields[name]
        if name in M2M_FIELDS:
            old_ids = set(getattr(project, name).values_list("pk", flat=True))
            if old_ids != {obj.pk for obj in new}:
                changed.append(name)
        elif (getattr(project, name) or None) != (new or None):
            changed.append(name)
    return changed


@transaction.atomic
def project_update(
    *,
    project: Project,
    by,
    scope_reason: str = "",
    scope_details: str = "",
    changed_on: datetime.date | None = None,
    center_lead=None,
    center_staff: Iterable = (),
    sea_contacts: Iterable = (),
    **fields,
) -> Project:
    """Edit `project` and its team; a change of its scope needs `scope_reason` and is recorded as
    a ScopeChange in the same transaction."""
    _check_editor(by)
    unknown = set(fields) - set(SCALAR_FIELDS) - set(M2M_FIELDS)
    if unknown:
        raise TypeError(f"project_update got unknown fields: {sorted(unknown)}")
    project = Project.objects.select_for_update().get(pk=project.pk)
    changed = scope_changes_in(project, fields)
    before = {name: _describe(project, name) for name in changed}
    extra = {}
    if changed and not scope_reason.strip():
        extra["scope_reason"] = [
            "You changed the "
            + ", ".join(SCOPE_LABELS[n] for n in changed)
            + ": say why (a scope change is recorded)."
        ]
    related = _apply(project, fields)
    team = {
        "center_lead": center_lead,
        "center_staff": list(center_staff),
        "sea_contacts": list(sea_contacts),
    }
    _validate(project, related, team, extra_errors=extra)
    project.save()
    for name, objects in related.items():
        getattr(project, name).set(objects)
    _set_team(project, **team)
    if changed:
        after = {name: _describe(project, name) for name in changed}
        details = "\n".join(f"{SCOPE_LABELS[n].capitalize()}: {before[n]} → {after[n]}" for n in changed)
        if scope_details.strip():
            details = scope_details.strip() + "\n\n" + details
        change = ScopeChange(
            project=project,
            changed_on=changed_on or timezone.localdate(),
            summary=("Changed the " + ", ".join(SCOPE_LABELS[n] for n in changed))[:200],
            reason=scope_reason.strip(),
            details=details[:5000],
            recorded_by=by,
        )
        change.full_clean()
        change.save()
    return project


def _describe(project: Project, name: str) -> str:
    value = getattr(project, name)
    if name in M2M_FIELDS:
        return ", ".join(str(o) for o in value.all()) or "none"
    if name == "problem_statement":
        return (value[:200] + "…") if len(value) > 200 else value
    return str(value) if value else "none"
