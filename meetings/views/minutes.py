"""Minutes: write the draft, approve it, read the approved record and its history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.forms import form_add_service_errors
from meetings.forms import MinutesForm
from meetings.models import Minutes
from meetings.rendering import render_markdown
from meetings.services.minutes import minutes_approve, minutes_save

from .common import flash_errors, managed_meeting


@login_required
def minutes_edit(request, pk):
    meeting = managed_meeting(request.user, pk)
    minutes = Minutes.objects.filter(meeting=meeting).select_related("approved_by").first()
    history = minutes.history.select_related("history_user").order_by("-history_date")[:20] if minutes else []
    if minutes is not None and minutes.is_approved:
        return render(
            request,
            "meetings/minutes_approved.html",
            {
                "meeting": meeting,
                "minutes": minutes,
                "html": render_markdown(minutes.text),
                "history": history,
            },
        )
    form = MinutesForm(request.POST or None, instance=minutes)
    preview = (
        render_markdown(request.POST.get("text", ""), heading_level=3) if "preview" in request.POST else None
    )
    if request.method == "POST" and preview is None and form.is_valid():
        try:
            minutes_save(meeting=meeting, editor=request.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, "The draft minutes are saved.")
            return redirect("meetings:minutes_edit", pk=meeting.pk)
    return render(
        request,
        "meetings/minutes_form.html",
        {
            "meeting": meeting,
            "minutes": minutes,
            "form": form,
            "preview": preview,
            "html": render_markdown(minutes.text) if minutes else "",
            "history": history,
        },
    )


@login_required
@require_POST
def minutes_approve_view(request, pk):
    meeting = managed_meeting(request.user, pk)
    minutes = get_object_or_404(Minutes, meeting=meeting)
    try:
        minutes_approve(minutes=minutes, by=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "The minutes are approved and now read-only.")
    return redirect("meetings:minutes_edit", pk=meeting.pk)
