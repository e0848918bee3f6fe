"""The condition self-assessment of a project, with its earlier ratings for reference."""

from __future__ import annotations

from collections import OrderedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render

from core.forms import service_errors

from ..forms.assessments import AssessmentForm
from ..models import Condition, ConditionAssessment, Project
from ..services.assessments import assessment_record


def earlier_ratings(project: Project, conditions) -> list[dict]:
    """The project's ratings by date, newest first: one row per date, one cell per condition."""
    rows: OrderedDict = OrderedDict()
    assessments = (
        ConditionAssessment.objects.filter(project=project)
        .select_related("assessor", "condition")
        .order_by("-assessed_on", "-created_at", "-pk")
    )
    for assessment in assessments:
        row = rows.setdefault(assessment.assessed_on, {})
        # The newest submission of a date wins; older ones of the same date stay in history.
        row.setdefault(assessment.condition_id, assessment)
    return [
        {"date": date, "cells": [cells.get(condition.pk) for condition in conditions]}
        for date, cells in rows.items()
    ]


@login_required
def assessment_create(request, pk):
    project = get_object_or_404(Project.objects.visible_to(request.user).select_related("sea"), pk=pk)
    conditions = list(Condition.objects.all())
    history = earlier_ratings(project, conditions)
    latest = {}
    if history:
        for row in history:
            for condition, cell in zip(conditions, row["cells"], strict=True):
                if cell is not None:
                    latest.setdefault(condition.number, cell.stage)
    form = AssessmentForm(request.POST or None, conditions=conditions, latest=latest)
    if request.method == "POST" and form.is_valid():
        with service_errors(form):
            assessment_record(
                assessor=request.user,
                project=project,
                assessed_on=form.cleaned_data["assessed_on"],
                ratings=form.ratings(),
            )
            messages.success(request, f"The assessment of {project} is recorded.")
            return redirect("projects:detail", pk=project.pk)
    context = {"project": project, "form": form, "conditions": conditions, "history": history}
    return render(request, "projects/assessment_form.html", context)
