"""Requests for technical assistance: submit, list, read with the overlap check, triage, accept as project."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.forms import form_add_service_errors
from projects.services.projects import project_editable_by
from projects.services.workflow import moves_for, status_history

from .forms import AcceptAsProjectForm, RequestMoveForm, SeaChoiceForm, TARequestForm
from .models import TARequest
from .services import overlapping_work, request_accept_as_project, request_move, request_submit

LIST_LIMIT = 200


def _visible(request):
    return TARequest.objects.visible_to(request.user)


@login_required
def request_list(request):
    status = request.GET.get("status", "")
    requests = (
        _visible(request).select_related("sea", "project", "referred_to").order_by("-submitted_at", "-pk")
    )
    if status == "open":
        requests = requests.open()
    elif status in TARequest.Status.values:
        requests = requests.filter(status=status)
    else:
        status = ""
    can_submit = request.user.sees_whole_portfolio or (request.user.is_sea_staff and request.user.sea_id)
    context = {
        "requests": list(requests[:LIST_LIMIT]),
        "limit": LIST_LIMIT,
        "status": status,
        "statuses": TARequest.Status.choices,
        "can_submit": can_submit,
    }
    return render(request, "intake/request_list.html", context)


@login_required
def request_create(request):
    user = request.user
    if user.sees_whole_portfolio:
        chooser = SeaChoiceForm(request.GET or None)
        if not chooser.is_valid():
            return render(request, "intake/request_sea_choice.html", {"form": chooser})
        sea = chooser.cleaned_data["sea"]
    elif user.is_sea_staff and user.sea_id:
        sea = user.sea
    else:
        raise Http404
    initial = {}
    if not user.sees_whole_portfolio:
        initial = {"contact_name": user.get_full_name(), "contact_email": user.email}
    form = TARequestForm(request.POST or None, sea=sea, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ta_request = request_submit(by=user, sea=sea, **{k: v for k, v in data.items() if v is not None})
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, "Request submitted. The center will be in touch.")
            return redirect("intake:detail", ta_request.pk)
    return render(request, "intake/request_form.html", {"form": form, "sea": sea})


@login_required
def request_detail(request, pk: int):
    ta_request = get_object_or_404(
        _visible(request).select_related("sea", "project", "referred_to", "meeting", "submitted_by"), pk=pk
    )
    staff = project_editable_by(request.user)
    context = {
        "req": ta_request,
        "topics": list(ta_request.topics.all()),
        "offices": list(ta_request.offices.all()),
        "districts": list(ta_request.districts.all()),
        "history": list(status_history(ta_request)),
        "overlap": overlapping_work(ta_request) if staff else None,
        "moves": [m for m in moves_for(ta_request, request.user) if m.name != "make_project"],
        "can_accept_as_project": staff and ta_request.is_open,
        "move_form": RequestMoveForm(),
    }
    return render(request, "intake/request_detail.html", context)


@login_required
@require_POST
def request_move_view(request, pk: int):
    ta_request = get_object_or_404(_visible(request), pk=pk)
    if not project_editable_by(request.user):
        raise Http404
    form = RequestMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "This move could not be read; nothing was changed.")
        return redirect("intake:detail", pk)
    data = form.cleaned_data
    try:
        request_move(
            request=ta_request,
            transition=data["transition"],
            by=request.user,
            note=data["note"],
            expected_status=data["expected_status"],
            referred_to=data["referred_to"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Request moved; the state is told.")
    return redirect("intake:detail", pk)


@login_required
def request_accept_as_project_view(request, pk: int):
    ta_request = get_object_or_404(_visible(request).select_related("sea"), pk=pk)
    if not project_editable_by(request.user):
        raise Http404
    if not ta_request.is_open:
        messages.error(request, "Only an open request can become a project.")
        return redirect("intake:detail", pk)
    initial = {
        "title": ta_request.title,
        "problem_statement": f"{ta_request.problem}\n\nDesired outcome: {ta_request.desired_outcome}",
        "offices": list(ta_request.offices.all()),
        "districts": list(ta_request.districts.all()),
        "topics": list(ta_request.topics.all()),
        "start_date": timezone.localdate(),
        "center_lead": request.user if request.user.sees_whole_portfolio else None,
        "expected_status": ta_request.status,
    }
    form = AcceptAsProjectForm(request.POST or None, sea=ta_request.sea, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            project = request_accept_as_project(
                request=ta_request,
                by=request.user,
                expected_status=form.cleaned_data["expected_status"],
                sea=ta_request.sea,
                **form.service_kwargs(),
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"Project “{project.title}” created from the request.")
            return redirect("projects:detail", project.pk)
    return render(
        request, "intake/accept_as_project.html", {"form": form, "req": ta_request, "sea": ta_request.sea}
    )
