"""Goals and objectives of a project's common agenda, and the edits SEA staff propose."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.history import history_reason
from projects.models import Goal, GoalProposal, Objective, Project
from projects.services.projects import project_editable_by


def _check_editor(by) -> None:
    if not project_editable_by(by):
        raise ValidationError("Only facilitators and administrators edit goals; SEA staff propose edits.")


def _links_errors(project: Project, *, indicators, products, activities=()) -> dict:
    errors = {}
    for name, objects in (("indicators", indicators), ("products", products), ("activities", activities)):
        if any(obj.project_id != project.pk for obj in objects):
            errors[name] = [f"Choose {name} of this project."]
    return errors


def _save(obj, errors: dict) -> None:
    try:
        obj.full_clean(exclude=list(errors))
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    obj.save()


@transaction.atomic
def goal_save(
    *,
    by,
    project: Project,
    statement: str,
    target_date: datetime.date | None = None,
    indicators: Iterable = (),
    products: Iterable = (),
    activities: Iterable = (),
    goal: Goal | None = None,
) -> Goal:
    """Add a goal to `project` (numbered next) or edit `goal`, with the work that serves it."""
    _check_editor(by)
    indicators, products, activities = list(indicators), list(products), list(activities)
    if goal is None:
        Project.objects.select_for_update().filter(pk=project.pk).first()  # numbers one at a time
        number = (Goal.objects.filter(project=project).aggregate(n=Max("number"))["n"] or 0) + 1
        goal = Goal(project=project, number=number)
    goal.statement = statement
    goal.target_date = target_date
    _save(goal, _links_errors(project, indicators=indicators, products=products, activities=activities))
    goal.indicators.set(indicators)
    goal.products.set(products)
    goal.activities.set(activities)
    return goal


@transaction.atomic
def objective_add(*, by, goal: Goal, statement: str, target_date: datetime.date | None = None) -> Objective:
    _check_editor(by)
    Goal.objects.select_for_update().filter(pk=goal.pk).first()
    number = (Objective.objects.filter(goal=goal).aggregate(n=Max("number"))["n"] or 0) + 1
    objective = Objective(goal=goal, number=number, statement=statement, target_date=target_date)
    _save(objective, {})
    return objective


def goal_proposable_by(user, goal: Goal) -> bool:
    """SEA staff of the goal's state propose edits (facilitators edit directly)."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_sea_staff
        and user.sea_id == goal.project.sea_id
    )


def goal_propose(
    *, by, goal: Goal, statement: str, reason: str, target_date: datetime.date | None = None
) -> GoalProposal:
    if not goal_proposable_by(by, goal):
        raise ValidationError("Only the staff of the project's state propose edits to its goals.")
    proposal = GoalProposal(
        goal=goal, statement=statement, target_date=target_date, reason=reason, proposed_by=by
    )
    _save(proposal, {})
    return proposal


@transaction.atomic
def goal_proposal_decide(*, by, proposal: GoalProposal, approve: bool, note: str = "") -> GoalProposal:
    """Approve (the goal takes the proposed statement and target date) or decline a proposal."""
    _check_editor(by)
    proposal = GoalProposal.objects.select_for_update().select_related("goal").get(pk=proposal.pk)
    if proposal.status != GoalProposal.Status.PENDING:
        raise ValidationError("This proposal was decided already.")
    proposal.status = GoalProposal.Status.APPROVED if approve else GoalProposal.Status.DECLINED
    proposal.decided_by = by
    proposal.decided_at = timezone.now()
    proposal.decision_note = note[:300]
    proposal.full_clean()
    proposal.save()
    if approve:
        goal = proposal.goal
        goal.statement = proposal.statement
        goal.target_date = proposal.target_date
        history_reason(goal, f"Approved proposal {proposal.pk}")
        goal.full_clean()
        goal.save(update_fields=["statement", "target_date"])
    return proposal
