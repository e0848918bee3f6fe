"""Pages reached by a signed link (RSVP, feedback) or a secret feed URL: no login needed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from meetings.forms import FeedbackForm, RsvpForm
from meetings.ics import meetings_calendar
from meetings.models import AgendaItem, CalendarFeed, Meeting, Participant
from meetings.services.feedback import feedback_record
from meetings.services.meetings import rsvp_record
from meetings.tokens import BadLink, feedback_claim, rsvp_claim
from projects.models import Product
from stakeholders.models import AdvisoryBody, Stakeholder

from .common import error_messages


def _bad_link(request, message, status=400):
    return render(request, "meetings/bad_link.html", {"message": message}, status=status)


def rsvp(request, token):
    """An invitee answers yes / no / maybe from the link in their invitation."""
    try:
        claim = rsvp_claim(token)
    except BadLink as exc:
        return _bad_link(request, exc.message)
    participant = (
        Participant.objects.select_related("meeting__body", "stakeholder")
        .filter(meeting_id=claim.meeting_id, stakeholder_id=claim.stakeholder_id)
        .first()
    )
    if participant is None:
        return _bad_link(
            request, "This invitation is no longer valid: the invitee was removed from the meeting.", 404
        )
    answer = request.GET.get("answer")
    form = RsvpForm(
        request.POST or None,
        initial={"answer": answer if answer in ("yes", "no", "maybe") else participant.rsvp},
    )
    saved = False
    if request.method == "POST" and form.is_valid():
        try:
            rsvp_record(participant=participant, answer=form.cleaned_data["answer"])
        except ValidationError as exc:
            for message in error_messages(exc):
                form.add_error(None, message)
        else:
            saved = True
    return render(
        request,
        "meetings/rsvp.html",
        {"participant": participant, "meeting": participant.meeting, "form": form, "saved": saved},
    )


def feedback_link(request, token):
    """A member rates one of the center's resources or services from a signed link."""
    try:
        claim = feedback_claim(token)
    except BadLink as exc:
        return _bad_link(request, exc.message)
    body = AdvisoryBody.objects.filter(pk=claim.body_id).first()
    stakeholder = Stakeholder.objects.filter(pk=claim.stakeholder_id, is_active=True).first()
    if body is None or stakeholder is None:
        return _bad_link(request, "This feedback link is no longer valid.", 404)
    meeting = Meeting.objects.filter(pk=claim.meeting_id, body=body).first() if claim.meeting_id else None
    # Only resources presented to the body are offered: a public page lists no other state's work.
    presented = AgendaItem.objects.filter(meeting__body=body, product__isnull=False).values("product_id")
    products = Product.objects.filter(pk__in=presented).order_by("title")
    form = FeedbackForm(request.POST or None, products=products)
    saved = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = feedback_record(
                body=body,
                meeting=meeting,
                stakeholder=stakeholder,
                product=data.get("product"),
                resource=data.get("resource") or "",
                quality=data["quality"],
                relevance=data["relevance"],
                usefulness=data["usefulness"],
                comment=data.get("comment") or "",
                channel="link",
            )
        except ValidationError as exc:
            for message in error_messages(exc):
                form.add_error(None, message)
        else:
            form = FeedbackForm(products=products)
    return render(
        request,
        "meetings/feedback_link.html",
        {"body": body, "stakeholder": stakeholder, "meeting": meeting, "form": form, "saved": saved},
    )


def _feed_user(key):
    feed = CalendarFeed.objects.select_related("user").filter(key=key).first()
    if feed is None or not feed.user.is_active:
        raise Http404("No such calendar.")
    return feed.user


def _calendar_response(meetings, name):
    response = HttpResponse(
        meetings_calendar(meetings, name=name), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="meetings.ics"'
    return response


def feed_all(request, key):  # noqa: ARG001 - a view takes the request
    user = _feed_user(key)
    meetings = Meeting.objects.visible_to(user).select_related("body").order_by("starts_at")
    return _calendar_response(meetings, "R2CC advisory body meetings")


def feed_body(request, key, pk):  # noqa: ARG001 - a view takes the request
    user = _feed_user(key)
    body = get_object_or_404(AdvisoryBody.objects.visible_to(user), pk=pk)
    meetings = Meeting.objects.visible_to(user).filter(body=body).select_related("body").order_by("starts_at")
    return _calendar_response(meetings, f"{body.name} meetings")


@login_required
def feeds(request):
    feed = CalendarFeed.objects.filter(user=request.user).first()
    context = {"feed": feed}
    if feed is not None:
        base = request.build_absolute_uri("/")[:-1]
        context["all_url"] = base + reverse("meetings:feed_all", args=[feed.key])
        context["bodies"] = [
            (body, base + reverse("meetings:feed_body", args=[feed.key, body.pk]))
            for body in AdvisoryBody.objects.visible_to(request.user).order_by("name")
        ]
    return render(request, "meetings/feeds.html", context)


@login_required
@require_POST
def feeds_rotate(request):
    replaced = CalendarFeed.objects.filter(user=request.user).delete()[0]
    CalendarFeed.objects.create(user=request.user)
    if replaced:
        messages.success(request, "New calendar addresses are made; the old ones no longer work.")
    else:
        messages.success(request, "Your calendar addresses are ready.")
    return redirect("meetings:feeds")
