"""Writing the report's explanations of progress (kept per measure and period)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied

from core.history import history_by

from ..models import PerformanceMeasure, ProgressExplanation


def may_edit_report(user) -> bool:
    """Center staff write the report; the states read it."""
    return bool(user and user.is_authenticated and user.sees_whole_portfolio)


def progress_explanation_save(
    *, measure: PerformanceMeasure, period_start: datetime.date, period_end: datetime.date, text: str, by
) -> ProgressExplanation:
    if not may_edit_report(by):
        raise PermissionDenied("Only center staff write the explanations of progress.")
    explanation = ProgressExplanation.objects.filter(
        measure=measure, period_start=period_start, period_end=period_end
    ).first() or ProgressExplanation(measure=measure, period_start=period_start, period_end=period_end)
    explanation.text = text.strip()
    explanation.updated_by = by
    explanation.full_clean()
    history_by(explanation, by)
    explanation.save()
    return explanation
