"""Facilitators create and edit projects, and move their status, in the portal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.forms import form_add_service_errors
from projects.forms.projects import ProjectForm, SeaChoiceForm, StatusMoveForm
from projects.models import Project
from projects.services.projects import project_create, project_editable_by, project_update
from projects.services.workflow import status_move


def _require_editor(user) -> None:
    # Not theirs to edit: SEA staff get the same 404 as for what they may not see.
    if not project_editable_by(user):
        raise Http404


@login_required
def project_create_view(request):
    _require_editor(request.user)
    chooser = SeaChoiceForm(request.GET or None)
    if not chooser.is_valid():
        return render(request, "projects/project_sea_choice.html", {"form": chooser})
    sea = chooser.cleaned_data["sea"]
    form = ProjectForm(request.POST or None, sea=sea, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project = project_create(by=request.user, sea=sea, **form.service_kwargs())
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"Project “{project.title}” created (proposed).")
            return redirect("projects:detail", project.pk)
    return render(request, "projects/project_form.html", {"form": form, "sea": sea, "project": None})


@login_required
def project_update_view(request, pk: int):
    project = get_object_or_404(Project.objects.visible_to(request.user).select_related("sea"), pk=pk)
    _require_editor(request.user)
    form = ProjectForm(request.POST or None, instance=project, sea=project.sea, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project_update(project=project, by=request.user, **form.service_kwargs())
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, "Project saved.")
            return redirect("projects:detail", project.pk)
    return render(
        request, "projects/project_form.html", {"form": form, "sea": project.sea, "project": project}
    )


def move_view(request, obj, *, redirect_to, note_required: bool, before_save=None, label: str):
    """Shared POST handler of the status buttons: a refused move comes back as a message."""
    form = StatusMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "This move could not be read; nothing was changed.")
        return redirect_to
    try:
        status_move(
            obj=obj,
            transition=form.cleaned_data["transition"],
            by=request.user,
            note=form.cleaned_data["note"],
            expected_status=form.cleaned_data["expected_status"],
            note_required=note_required,
            before_save=before_save,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{label} moved.")
    return redirect_to


@login_required
@require_POST
def project_status_move(request, pk: int):
    project = get_object_or_404(Project.objects.visible_to(request.user), pk=pk)
    _require_editor(request.user)
    return move_view(
        request, project, redirect_to=redirect("projects:detail", pk), note_required=True, label="Project"
    )
