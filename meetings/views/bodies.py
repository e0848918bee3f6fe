"""Advisory bodies: the list, a body's page and seating members."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.downloads import Download, download_response, slug_part
from core.forms import form_add_service_errors
from meetings import selectors
from meetings.forms import MembershipForm
from meetings.models import Meeting
from meetings.services.meetings import membership_add
from meetings.services.notices import feedback_request_send
from projects import charts
from stakeholders.models import AdvisoryBody

from .common import body_for, flash_errors, managed_body


@login_required
def body_list(request):
    user = request.user
    bodies = list(
        AdvisoryBody.objects.visible_to(user).annotate(meeting_count=Count("meetings")).order_by("name")
    )
    cadences = selectors.cadences(bodies)
    for body in bodies:
        body.cadence = cadences[body.pk]
    upcoming = (
        Meeting.objects.visible_to(user)
        .upcoming()
        .select_related("body")
        .annotate(agenda_count=Count("agenda_items"))
        .order_by("starts_at")[:20]
    )
    return render(
        request,
        "meetings/body_list.html",
        {"bodies": bodies, "upcoming": upcoming, "can_manage": user.sees_whole_portfolio},
    )


@login_required
def body_detail(request, pk):
    user = request.user
    body = body_for(user, pk)
    today = timezone.localdate()
    meetings = (
        Meeting.objects.visible_to(user)
        .filter(body=body)
        .annotate(
            invited=Count("participants", distinct=True),
            attended=Count(
                "participants",
                filter=Q(participants__attendance__in=["present", "delegate"]),
                distinct=True,
            ),
            open_items=Count("action_items", filter=Q(action_items__status="open"), distinct=True),
        )
        .select_related("minutes")
        .order_by("-starts_at")
    )
    feedback = selectors.feedback_for(body)
    over_time = selectors.feedback_over_time(feedback)
    chart = charts.rating_chart(
        over_time, label="Average rating per quarter, all resources (the table beside it has the figures)"
    )
    download = Download(
        f"feedback-{slug_part(body.short_name)}",
        header=["quarter", "responses", "quality", "relevance", "usefulness", "overall"],
        rows=lambda: (
            [
                row["label"],
                row["responses"],
                *(round(row[k], 2) for k in ("quality", "relevance", "usefulness", "overall")),
            ]
            for row in over_time
        ),
        svg=lambda: str(chart),
    )
    if (response := download_response(request, [download])) is not None:
        return response
    context = {
        "body": body,
        "purposes": body.purposes.all(),
        "members": selectors.memberships(body, today),
        "meetings": meetings,
        "cadence": selectors.cadence(body),
        "per_member": selectors.attendance_per_member(body),
        "per_organization": selectors.attendance_per_organization(body),
        "feedback_per_resource": selectors.feedback_per_resource(feedback),
        "feedback_over_time": over_time,
        "feedback_chart": chart,
        "download_name": download.name,
        "can_manage": user.sees_whole_portfolio,
    }
    return render(request, "meetings/body_detail.html", context)


@login_required
def membership_create(request, pk):
    body = managed_body(request.user, pk)
    form = MembershipForm(request.POST or None, body=body, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "stakeholder"}
        try:
            membership_add(body=body, by=request.user, stakeholder=form.cleaned_data["stakeholder"], **data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(
                request, f"{form.cleaned_data['stakeholder']} now has a seat on the {body.short_name}."
            )
            return redirect("meetings:body_detail", pk=body.pk)
    return render(request, "meetings/membership_form.html", {"body": body, "form": form})


@login_required
@require_POST
def feedback_request(request, pk):
    body = managed_body(request.user, pk)
    try:
        count = feedback_request_send(body=body, by=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"{count} members will receive a personal link to give feedback.")
    return redirect("meetings:body_detail", pk=body.pk)
