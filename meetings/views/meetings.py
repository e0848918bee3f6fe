"""A meeting's pages: scheduling, invitations, agenda, attendance, decisions, feedback, packet."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.forms import form_add_service_errors
from meetings import selectors
from meetings.forms import (
    ActionItemForm,
    AgendaItemForm,
    AttendanceForm,
    CancelForm,
    DecisionForm,
    InviteForm,
    MeetingFeedbackForm,
    MeetingForm,
    RsvpForm,
    meeting_people,
)
from meetings.ics import meeting_ics
from meetings.models import ActionItem, AgendaItem, Decision, Meeting, Minutes, Participant
from meetings.rendering import render_markdown
from meetings.services import actions as action_services
from meetings.services import agenda as agenda_services
from meetings.services import meetings as meeting_services
from meetings.services.feedback import feedback_record
from meetings.services.minutes import decision_record
from projects.models import ConditionAssessment, Product, Project

from .common import flash_errors, managed_body, managed_meeting, meeting_for


def _warn_cadence(request, body, starts_at, exclude_pk=None):
    warning = selectors.cadence_warning_for(body, starts_at, exclude_pk=exclude_pk)
    if warning:
        messages.warning(request, warning)


@login_required
def meeting_create(request, pk):
    body = managed_body(request.user, pk)
    source = None
    copy = request.GET.get("copy") or request.POST.get("copy") or ""
    if copy:
        if not copy.isdigit():
            raise Http404("No such meeting to copy.")
        source = get_object_or_404(Meeting.objects.visible_to(request.user).filter(body=body), pk=copy)
    initial = meeting_services.meeting_copy_initial(source=source) if source else {}
    form = MeetingForm(request.POST or None, body=body, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = meeting_services.meeting_create(
                author=request.user, body=body, copied_from=source, **form.cleaned_data
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, f"The meeting “{meeting.title}” is scheduled.")
            _warn_cadence(request, body, meeting.starts_at, exclude_pk=meeting.pk)
            return redirect("meetings:meeting_detail", pk=meeting.pk)
    return render(request, "meetings/meeting_form.html", {"body": body, "form": form, "source": source})


@login_required
def meeting_update(request, pk):
    meeting = managed_meeting(request.user, pk)
    if meeting.is_cancelled:
        messages.error(request, "A cancelled meeting cannot be edited.")
        return redirect("meetings:meeting_detail", pk=meeting.pk)
    form = MeetingForm(request.POST or None, instance=meeting)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        # The form already applied the values to the instance; the service compares with the stored row.
        try:
            meeting = meeting_services.meeting_update(
                meeting=Meeting.objects.get(pk=meeting.pk), editor=request.user, **fields
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(
                request, "The meeting is updated; invitees were told of any change of time or place."
            )
            _warn_cadence(request, meeting.body, meeting.starts_at, exclude_pk=meeting.pk)
            return redirect("meetings:meeting_detail", pk=meeting.pk)
    return render(
        request, "meetings/meeting_form.html", {"body": meeting.body, "form": form, "meeting": meeting}
    )


@login_required
def meeting_cancel(request, pk):
    meeting = managed_meeting(request.user, pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting_services.meeting_cancel(
                meeting=meeting, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, "The meeting is cancelled; invitees were told and reminders withdrawn.")
            return redirect("meetings:meeting_detail", pk=meeting.pk)
    return render(request, "meetings/meeting_cancel.html", {"meeting": meeting, "form": form})


@login_required
def meeting_invite(request, pk):
    meeting = managed_meeting(request.user, pk)
    form = InviteForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            count = meeting_services.meeting_invite(
                meeting=meeting, by=request.user, guests=form.cleaned_data["guests"]
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            if count:
                messages.success(
                    request,
                    f"Invitations are on their way to {count} people, with a reminder before the meeting.",
                )
            elif meeting.participants.exists():
                messages.info(request, "Everyone has already been invited.")
            else:
                messages.warning(
                    request,
                    "Nobody was invited: no member is seated on the meeting day. Choose guests to invite them.",
                )
            return redirect("meetings:meeting_detail", pk=meeting.pk)
    participants = meeting.participants.select_related("stakeholder")
    return render(
        request,
        "meetings/meeting_invite.html",
        {"meeting": meeting, "form": form, "participants": participants},
    )


def _minutes_for(user, meeting):
    minutes = Minutes.objects.filter(meeting=meeting).select_related("approved_by").first()
    if minutes is not None and not minutes.is_approved and not user.sees_whole_portfolio:
        return None
    return minutes


@login_required
def meeting_detail(request, pk):
    user = request.user
    meeting = meeting_for(user, pk)
    can_manage = user.sees_whole_portfolio
    agenda = list(
        meeting.agenda_items.select_related("presenter", "project", "product", "purpose").order_by("position")
    )
    total = sum(item.minutes for item in agenda)
    participants = list(
        meeting.participants.select_related(
            "stakeholder",
            "membership__represents_sea",
            "membership__represents_district",
            "membership__represents_center",
            "membership__represents_organization",
        )
    )
    own = next((p for p in participants if p.stakeholder.user_id == user.pk), None)
    minutes = _minutes_for(user, meeting)
    action_items = ActionItem.objects.filter(meeting=meeting).select_related(
        "owner_stakeholder", "owner_user", "agenda_item"
    )
    context = {
        "meeting": meeting,
        "agenda": agenda,
        "agenda_total": total,
        "agenda_over": max(0, total - meeting.length_minutes),
        "carried_over": selectors.open_items_before(meeting),
        "participants": participants,
        "own_participant": own,
        "rsvp_form": RsvpForm(initial={"answer": own.rsvp}) if own else None,
        "quorum": meeting_services.quorum(meeting),
        "minutes": minutes,
        "minutes_html": render_markdown(minutes.text, heading_level=3) if minutes else "",
        "decisions": Decision.objects.filter(meeting=meeting).select_related("agenda_item"),
        "action_items": action_items,
        "feedback": meeting.feedback.select_related("stakeholder").order_by("-submitted_at"),
        "can_manage": can_manage,
        "now": timezone.now(),
    }
    return render(request, "meetings/meeting_detail.html", context)


@login_required
@require_POST
def meeting_rsvp(request, pk):
    """A signed-in invitee answers for themselves."""
    meeting = meeting_for(request.user, pk)
    participant = Participant.objects.filter(meeting=meeting, stakeholder__user=request.user).first()
    if participant is None:
        raise Http404("You are not invited to this meeting.")
    participant.meeting = meeting
    form = RsvpForm(request.POST)
    if form.is_valid():
        try:
            meeting_services.rsvp_record(participant=participant, answer=form.cleaned_data["answer"])
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, f"Your answer is recorded: {participant.get_rsvp_display()}.")
    else:
        messages.error(request, "Choose yes, no or maybe.")
    return redirect("meetings:meeting_detail", pk=meeting.pk)


@login_required
def attendance(request, pk):
    meeting = managed_meeting(request.user, pk)
    participants = meeting.participants.select_related("stakeholder", "membership")
    form = AttendanceForm(request.POST or None, participants=participants)
    if request.method == "POST" and form.is_valid():
        try:
            meeting_services.attendance_record(meeting=meeting, by=request.user, rows=form.cleaned_rows())
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            quorum = meeting_services.quorum(meeting)
            messages.success(
                request,
                f"Attendance is recorded. Quorum {'met' if quorum['met'] else 'not met'}: "
                f"{quorum['attending']} of {quorum['voting']} voting members, {quorum['needed']} needed.",
            )
            return redirect("meetings:meeting_detail", pk=meeting.pk)
    return render(request, "meetings/attendance_form.html", {"meeting": meeting, "form": form})


def _agenda_warning(request, meeting):
    over = agenda_services.agenda_overrun(meeting)
    if over:
        messages.warning(
            request,
            f"The agenda runs {over} minutes longer than the meeting ({meeting.length_minutes} minutes). "
            "It is saved; shorten items or lengthen the meeting.",
        )


@login_required
def agenda_item_create(request, pk):
    meeting = managed_meeting(request.user, pk)
    form = AgendaItemForm(request.POST or None, meeting=meeting, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            agenda_services.agenda_item_create(meeting=meeting, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, "The agenda item is added.")
            _agenda_warning(request, meeting)
            if "add_another" in request.POST:
                return redirect("meetings:agenda_item_create", pk=meeting.pk)
            return redirect("meetings:meeting_detail", pk=meeting.pk)
    total = meeting.agenda_items.aggregate(total=Sum("minutes"))["total"] or 0
    return render(
        request,
        "meetings/agenda_item_form.html",
        {"meeting": meeting, "form": form, "agenda_total": total},
    )


def _managed_agenda_item(user, pk):
    if not user.sees_whole_portfolio:
        raise Http404
    return get_object_or_404(AgendaItem.objects.visible_to(user).select_related("meeting__body"), pk=pk)


@login_required
def agenda_item_update(request, pk):
    item = _managed_agenda_item(request.user, pk)
    meeting = item.meeting
    form = AgendaItemForm(request.POST or None, instance=item, meeting=meeting, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            agenda_services.agenda_item_update(
                item=AgendaItem.objects.get(pk=item.pk), by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, "The agenda item is updated.")
            _agenda_warning(request, meeting)
            return redirect("meetings:meeting_detail", pk=meeting.pk)
    total = meeting.agenda_items.aggregate(total=Sum("minutes"))["total"] or 0
    return render(
        request,
        "meetings/agenda_item_form.html",
        {"meeting": meeting, "form": form, "item": item, "agenda_total": total},
    )


@login_required
@require_POST
def agenda_item_move(request, pk):
    item = _managed_agenda_item(request.user, pk)
    direction = "up" if request.POST.get("direction") == "up" else "down"
    try:
        agenda_services.agenda_item_move(item=item, by=request.user, direction=direction)
    except ValidationError as exc:
        flash_errors(request, exc)
    return redirect(f"{item.meeting.get_absolute_url()}#agenda")


@login_required
@require_POST
def agenda_item_delete(request, pk):
    item = _managed_agenda_item(request.user, pk)
    try:
        agenda_services.agenda_item_delete(item=item, by=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"“{item.title}” is removed from the agenda.")
    return redirect(f"{item.meeting.get_absolute_url()}#agenda")


@login_required
def decision_create(request, pk):
    meeting = managed_meeting(request.user, pk)
    form = DecisionForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            decision_record(meeting=meeting, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, "The decision is recorded.")
            return redirect(f"{meeting.get_absolute_url()}#decisions")
    return render(request, "meetings/decision_form.html", {"meeting": meeting, "form": form})


@login_required
def action_item_create(request, pk):
    meeting = managed_meeting(request.user, pk)
    initial = {}
    if request.GET.get("agenda_item", "").isdigit():
        initial["agenda_item"] = request.GET["agenda_item"]
    form = ActionItemForm(request.POST or None, meeting=meeting, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            action_services.action_item_create(meeting=meeting, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, "The action item is recorded.")
            if "add_another" in request.POST:
                return redirect("meetings:action_item_create", pk=meeting.pk)
            return redirect(f"{meeting.get_absolute_url()}#action-items")
    return render(request, "meetings/action_item_form.html", {"meeting": meeting, "form": form})


@login_required
def feedback_create(request, pk):
    """Feedback given in the meeting, entered by the facilitator for a member."""
    meeting = managed_meeting(request.user, pk)
    form = MeetingFeedbackForm(request.POST or None, user=request.user, stakeholders=meeting_people(meeting))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            feedback_record(
                body=meeting.body,
                meeting=meeting,
                stakeholder=data.get("stakeholder"),
                product=data.get("product"),
                resource=data.get("resource") or "",
                quality=data["quality"],
                relevance=data["relevance"],
                usefulness=data["usefulness"],
                comment=data.get("comment") or "",
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, "The feedback is recorded.")
            return redirect(f"{meeting.get_absolute_url()}#feedback")
    return render(request, "meetings/feedback_form.html", {"meeting": meeting, "form": form})


@login_required
def meeting_packet(request, pk):
    """One printable page for the meeting: agenda, last minutes, open action items, project progress."""
    user = request.user
    meeting = meeting_for(user, pk)
    agenda = list(
        meeting.agenda_items.select_related("presenter", "project", "product", "purpose").order_by("position")
    )
    previous = (
        Meeting.objects.filter(
            body=meeting.body, starts_at__lt=meeting.starts_at, status=Meeting.Status.SCHEDULED
        )
        .select_related("minutes")
        .order_by("-starts_at")
        .first()
    )
    last_minutes = getattr(previous, "minutes", None) if previous else None
    if last_minutes is not None and not last_minutes.is_approved and not user.sees_whole_portfolio:
        last_minutes = None
    project_ids = {item.project_id for item in agenda if item.project_id}
    projects = (
        Project.objects.visible_to(user)
        .filter(pk__in=project_ids)
        .select_related("sea")
        .prefetch_related(
            Prefetch(
                "assessments",
                queryset=ConditionAssessment.objects.latest_per_condition().select_related("condition"),
                to_attr="latest_assessments",
            ),
            Prefetch(
                "products", queryset=Product.objects.order_by("due_date", "title"), to_attr="product_list"
            ),
        )
    )
    context = {
        "meeting": meeting,
        "agenda": agenda,
        "agenda_total": sum(item.minutes for item in agenda),
        "previous": previous,
        "last_minutes": last_minutes,
        "last_minutes_html": render_markdown(last_minutes.text, heading_level=3) if last_minutes else "",
        "carried_over": selectors.open_items_before(meeting),
        "projects": projects,
        "generated_at": timezone.now(),
    }
    return render(request, "meetings/meeting_packet.html", context)


@login_required
def meeting_ics_download(request, pk):
    meeting = meeting_for(request.user, pk)
    response = HttpResponse(meeting_ics(meeting), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response
