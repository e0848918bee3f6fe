"""Recording a project's self-assessment against the five conditions of collective impact."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.history import history_by
from projects.models import Condition, ConditionAssessment, Project


@transaction.atomic
def assessment_record(
    *,
    assessor,
    project: Project,
    assessed_on: datetime.date,
    ratings: dict[int, tuple[int, str]],
) -> list[ConditionAssessment]:
    """Keep one dated rating per condition: `ratings` maps condition number to (stage, evidence).

    SEA staff of the project's state, facilitators and administrators may record; others get
    PermissionDenied. Earlier submissions are never changed, so the project's change over time
    stays visible. Bad input raises ValidationError keyed `assessed_on`, `stage_<n>` and
    `evidence_<n>`, and nothing is saved.
    """
    if not Project.objects.visible_to(assessor).filter(pk=project.pk).exists():
        raise PermissionDenied("You cannot assess this project.")
    conditions = {condition.number: condition for condition in Condition.objects.all()}
    errors: dict[str, list[str]] = {}
    if not ratings:
        errors["__all__"] = ["Rate at least one condition."]
    unknown = sorted(set(ratings) - set(conditions))
    if unknown:
        errors["__all__"] = [f"There is no condition {', '.join(map(str, unknown))}."]
    assessments = []
    for number in sorted(set(ratings) & set(conditions)):
        stage, evidence = ratings[number]
        assessment = ConditionAssessment(
            project=project,
            condition=conditions[number],
            stage=stage,
            evidence=(evidence or "").strip(),
            assessed_on=assessed_on,
            assessor=assessor,
        )
        try:
            assessment.full_clean()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                key = field if field in ("assessed_on", "__all__") else f"{field}_{number}"
                errors.setdefault(key, [])
                errors[key].extend(m for m in messages if m not in errors[key])
        assessments.append(assessment)
    if errors:
        raise ValidationError(errors)
    for assessment in assessments:
        history_by(assessment, assessor)
        assessment.save()
    return assessments
