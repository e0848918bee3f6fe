"""Goals and objectives: add, edit and move them (facilitators); SEA staff propose edits."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.forms import form_add_service_errors
from projects.forms.work import GoalForm, GoalProposalForm, ObjectiveForm, ProposalDecisionForm
from projects.models import Goal, GoalProposal, Objective, Project
from projects.services.goals import (
    goal_proposable_by,
    goal_proposal_decide,
    goal_propose,
    goal_save,
    objective_add,
)
from projects.services.projects import project_editable_by
from projects.services.workflow import moves_for, status_history
from projects.views.editing import move_view


def project_url(project) -> str:
    return reverse("projects:detail", args=[project.pk])


def _editor_only(user):
    if not project_editable_by(user):
        raise Http404


def _goal(request, pk):
    return get_object_or_404(Goal.objects.visible_to(request.user).select_related("project__sea"), pk=pk)


@login_required
def goal_detail(request, pk: int):
    goal = _goal(request, pk)
    user = request.user
    objectives = list(goal.objectives.order_by("number"))
    for objective in objectives:
        objective.moves = moves_for(objective, user)
    context = {
        "goal": goal,
        "project": goal.project,
        "objectives": objectives,
        "moves": moves_for(goal, user),
        "history": list(status_history(goal)),
        "indicators": list(goal.indicators.all()),
        "products": list(goal.products.all()),
        "activities": list(goal.activities.order_by("-date")[:20]),
        "proposals": list(goal.proposals.select_related("proposed_by", "decided_by")),
        "can_edit": project_editable_by(user),
        "can_propose": goal_proposable_by(user, goal),
        "objective_form": ObjectiveForm() if project_editable_by(user) else None,
        "proposal_form": GoalProposalForm(
            initial={"statement": goal.statement, "target_date": goal.target_date}
        )
        if goal_proposable_by(user, goal)
        else None,
    }
    return render(request, "projects/goal_detail.html", context)


@login_required
def goal_create(request, pk: int):
    project = get_object_or_404(Project.objects.visible_to(request.user), pk=pk)
    _editor_only(request.user)
    form = GoalForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            goal = goal_save(by=request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"Goal {goal.number} added.")
            return redirect("projects:goal_detail", goal.pk)
    context = {
        "form": form,
        "project": project,
        "goal": None,
        "heading": "Add a goal",
        "back": project_url(project),
    }
    return render(request, "projects/goal_form.html", context)


@login_required
def goal_update(request, pk: int):
    goal = _goal(request, pk)
    _editor_only(request.user)
    form = GoalForm(request.POST or None, instance=goal, project=goal.project)
    if request.method == "POST" and form.is_valid():
        try:
            goal_save(by=request.user, project=goal.project, goal=goal, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, "Goal saved.")
            return redirect("projects:goal_detail", goal.pk)
    context = {
        "form": form,
        "project": goal.project,
        "goal": goal,
        "heading": f"Edit goal {goal.number}",
        "back": reverse("projects:goal_detail", args=[goal.pk]),
    }
    return render(request, "projects/goal_form.html", context)


@login_required
@require_POST
def goal_status_move(request, pk: int):
    goal = _goal(request, pk)
    _editor_only(request.user)
    return move_view(
        request, goal, redirect_to=redirect("projects:goal_detail", pk), note_required=False, label="Goal"
    )


@login_required
@require_POST
def objective_create(request, pk: int):
    goal = _goal(request, pk)
    _editor_only(request.user)
    form = ObjectiveForm(request.POST)
    if form.is_valid():
        try:
            objective_add(by=request.user, goal=goal, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
    if form.errors:
        return render(
            request,
            "projects/objective_form.html",
            {
                "form": form,
                "goal": goal,
                "project": goal.project,
                "heading": "Add an objective",
                "back": reverse("projects:goal_detail", args=[goal.pk]),
            },
            status=400,
        )
    messages.success(request, "Objective added.")
    return redirect("projects:goal_detail", goal.pk)


@login_required
@require_POST
def objective_status_move(request, pk: int):
    objective = get_object_or_404(Objective.objects.visible_to(request.user), pk=pk)
    _editor_only(request.user)
    return move_view(
        request,
        objective,
        redirect_to=redirect("projects:goal_detail", objective.goal_id),
        note_required=False,
        label="Objective",
    )


@login_required
def goal_propose_view(request, pk: int):
    goal = _goal(request, pk)
    if not goal_proposable_by(request.user, goal):
        raise Http404
    form = GoalProposalForm(
        request.POST or None, initial={"statement": goal.statement, "target_date": goal.target_date}
    )
    if request.method == "POST" and form.is_valid():
        try:
            goal_propose(by=request.user, goal=goal, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, "Your proposed edit is sent to the center for a decision.")
            return redirect("projects:goal_detail", goal.pk)
    context = {
        "form": form,
        "goal": goal,
        "project": goal.project,
        "heading": f"Propose an edit of goal {goal.number}",
        "back": reverse("projects:goal_detail", args=[goal.pk]),
    }
    return render(request, "projects/goal_proposal_form.html", context)


@login_required
@require_POST
def goal_proposal_decide_view(request, pk: int):
    proposal = get_object_or_404(GoalProposal.objects.visible_to(request.user), pk=pk)
    _editor_only(request.user)
    form = ProposalDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose approve or decline; nothing was changed.")
    else:
        try:
            goal_proposal_decide(
                by=request.user,
                proposal=proposal,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Decision recorded.")
    return redirect("projects:goal_detail", proposal.goal_id)
