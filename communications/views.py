from csp.decorators import csp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, FormView, ListView

from core.forms import form_add_service_errors
from core.lists import stream_csv
from stakeholders.models import CommunicationCategory, Stakeholder

from . import recurrence, services
from .audience import audience_preview, audience_queryset
from .bounces import stakeholder_record_bounce
from .forms import CadenceForm, CommunicationForm, PreferencesForm, ScheduleForm
from .models import Communication, Delivery, Occurrence, Schedule
from .rendering import (
    message_prepare,
    preferences_token,
    read_preferences_token,
    read_unsubscribe_token,
    recipient_message,
)
from .selectors import (
    communications_progress,
    delivery_deadline_text,
    projects_last_heard,
    status_counts,
    waiting_on_mail_server,
)
from .services import may_compose


class ComposerRequiredMixin(LoginRequiredMixin):
    """Facilitators, administrators and SEA staff; anyone else signed in gets a 404."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_compose(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


def _composer_or_404(request):
    if not may_compose(request.user):
        raise Http404


def _visible_communication(request, pk) -> Communication:
    return get_object_or_404(
        Communication.objects.visible_to(request.user).select_related("author", "project", "advisory_body"),
        pk=pk,
    )


def _validation_messages(request, exc: ValidationError, form=None) -> None:
    if form is not None and hasattr(exc, "error_dict"):
        form_add_service_errors(form, exc)
        return
    for message in exc.messages:
        messages.error(request, message)


class CommunicationListView(ComposerRequiredMixin, ListView):
    template_name = "communications/communication_list.html"
    paginate_by = 50
    KIND_LABELS = {
        "campaigns": "Campaigns",
        "notices": "Meeting notices",
        "digests": "Weekly digests",
    }

    def kind(self) -> str:
        kind = self.request.GET.get("kind", "campaigns")
        return kind if kind in self.KIND_LABELS else "campaigns"

    def get_queryset(self):
        return (
            Communication.objects.visible_to(self.request.user)
            .of_kind(self.kind())
            .with_progress()
            .select_related("author", "project", "scope_sea", "advisory_body")
            .order_by("-created_at", "-pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object_list"] = context["communication_list"] = communications_progress(
            context["object_list"]
        )
        context.update(kind=self.kind(), kinds=self.KIND_LABELS)
        return context


class CommunicationCreateView(ComposerRequiredMixin, FormView):
    template_name = "communications/communication_form.html"
    form_class = CommunicationForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        try:
            communication = services.communication_compose(author=self.request.user, **form.service_kwargs())
        except ValidationError as exc:
            _validation_messages(self.request, exc, form)
            return self.form_invalid(form)
        messages.success(self.request, "Draft saved. Check the audience and the preview, then schedule it.")
        return redirect("communications:detail", communication.pk)


class CommunicationUpdateView(ComposerRequiredMixin, FormView):
    template_name = "communications/communication_form.html"
    form_class = CommunicationForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and may_compose(request.user):
            self.communication = _visible_communication(request, kwargs["pk"])
            if self.communication.is_cancelled:
                raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return CommunicationForm.initial_for(self.communication)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(communication=self.communication, **kwargs)

    def form_valid(self, form):
        try:
            services.communication_update(
                communication=self.communication, editor=self.request.user, **form.service_kwargs()
            )
        except ValidationError as exc:
            _validation_messages(self.request, exc, form)
            return self.form_invalid(form)
        messages.success(self.request, "Saved. The changes apply to occurrences that have not been sent yet.")
        return redirect("communications:detail", self.communication.pk)


def _render_for(communication, stakeholder):
    """(subject, text, html, skipped_reason) of `communication` for one recipient, as sent now."""
    recipient = recipient_message(
        communication=communication,
        prepared=message_prepare(communication=communication),
        stakeholder=stakeholder,
        strict=False,
    )
    if recipient.skipped:
        return None, None, None, recipient.skip_reason or "Skipped by its context provider"
    return (*recipient.parts(), "")


class CommunicationDetailView(ComposerRequiredMixin, DetailView):
    template_name = "communications/communication_detail.html"
    context_object_name = "communication"

    def get_queryset(self):
        return (
            Communication.objects.visible_to(self.request.user)
            .with_progress()
            .select_related("author", "project", "advisory_body", "scope_sea")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        communication = self.object
        preview = audience_preview(communication)
        recipient = None
        if self.request.GET.get("recipient", "").isdigit():
            recipient = get_object_or_404(
                audience_queryset(communication).select_related(
                    "sea", "office__sea", "district", "partner_center", "organization"
                ),
                pk=self.request.GET["recipient"],
            )
        elif preview.sample:
            recipient = preview.sample[0]
        rendered = _render_for(communication, recipient) if recipient is not None else None
        schedules = list(communication.schedules.order_by("created_at"))
        for schedule in schedules:
            schedule.upcoming = (
                recurrence.upcoming(schedule, limit=3, after=schedule.next_run_at)
                if schedule.status == Schedule.Status.ACTIVE and schedule.next_run_at
                else []
            )
        occurrences = (
            communication.occurrences.of_campaign()
            .annotate(
                sent=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.SENT)),
                failed=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.FAILED)),
                total=Count("deliveries"),
            )
            .order_by("-scheduled_for")[:20]
        )
        context.update(
            progress=communications_progress([communication])[0].progress,
            preview=preview,
            recipient=recipient,
            rendered=rendered,
            schedules=schedules,
            occurrences=occurrences,
            test_sends=Delivery.objects.filter(
                communication=communication, occurrence__is_test=True, user=self.request.user
            )
            .select_related("stakeholder")
            .order_by("-pk")[:5],
            schedule_form=kwargs.get("schedule_form")
            or ScheduleForm(initial={"mode": "now", "expected_count": preview.total, "interval": 1}),
        )
        return context


# The message's own HTML, shown in a sandboxed iframe of the detail page: no script at all, the
# inline styles mail uses, images from anywhere (as a mail client would), framed only by us.
PREVIEW_CSP = {
    "default-src": ["'none'"],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["data:", "https:"],
    "frame-ancestors": ["'self'"],
    "base-uri": ["'none'"],
    "form-action": ["'none'"],
    "sandbox": [""],
}


@csp(PREVIEW_CSP)
@xframe_options_sameorigin
def communication_preview(request, pk):
    """The HTML part of `pk` as one recipient (?recipient=) would receive it."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    _composer_or_404(request)
    communication = _visible_communication(request, pk)
    recipients = audience_queryset(communication).select_related(
        "sea", "office__sea", "district", "partner_center", "organization"
    )
    chosen = request.GET.get("recipient", "")
    recipient = get_object_or_404(recipients, pk=chosen) if chosen.isdigit() else recipients.first()
    if recipient is None:
        html = "<p>Nobody would receive this message: its audience is empty.</p>"
    else:
        _subject, _text, html, skipped = _render_for(communication, recipient)
        if skipped:
            html = f"<p>{escape(skipped)}</p>"
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


def schedule_dates(request, pk):
    """The next dates the schedule form's answers (GET) would send on: a fragment under the form."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    _composer_or_404(request)
    _visible_communication(request, pk)
    form = ScheduleForm(
        {**request.GET.dict(), "weekdays": request.GET.getlist("weekdays"), "expected_count": 0}
    )
    dates, problem = [], ""
    if not form.is_valid():
        problem = "Complete the fields above to see the dates."
    elif form.cleaned_data["mode"] == "now":
        dates = [timezone.now()]
    else:
        kwargs = form.service_kwargs()
        rule = kwargs.get("recurrence", {})
        schedule = Schedule(
            frequency=rule.get("frequency", Schedule.Frequency.ONCE),
            timezone=settings.TIME_ZONE,
            interval=rule.get("interval") or 1,
            weekdays=sorted(rule.get("weekdays") or []),
            month_day=rule.get("month_day"),
            until=rule.get("until"),
            count=rule.get("count"),
        )
        schedule.starts_local = kwargs["send_at"]
        dates = recurrence.upcoming(schedule, limit=5)
    return render(
        request, "communications/_partials/schedule_dates.html", {"dates": dates, "problem": problem}
    )


@require_POST
def schedule_create(request, pk):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    _composer_or_404(request)
    communication = _visible_communication(request, pk)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        try:
            services.communication_schedule(
                communication=communication, by=request.user, **form.service_kwargs()
            )
        except ValidationError as exc:
            _validation_messages(request, exc, form if hasattr(exc, "error_dict") else None)
        else:
            messages.success(request, "Scheduled.")
            return redirect("communications:detail", communication.pk)
    view = CommunicationDetailView()
    view.setup(request, pk=pk)
    view.object = communication = view.get_object()  # with the counts its status is read from
    context = view.get_context_data(object=communication, schedule_form=form)
    return render(request, view.template_name, context, status=400)


def _post_action(request):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    _composer_or_404(request)
    return None


@require_POST
def communication_cancel(request, pk):
    if (response := _post_action(request)) is not None:
        return response
    communication = _visible_communication(request, pk)
    services.communication_cancel(
        communication=communication, by=request.user, reason=request.POST.get("reason", "")
    )
    messages.success(request, "Cancelled: nothing more of it will be sent.")
    return redirect("communications:detail", communication.pk)


@require_POST
def schedule_pause(request, pk):
    if (response := _post_action(request)) is not None:
        return response
    schedule = get_object_or_404(Schedule.objects.visible_to(request.user), pk=pk)
    try:
        if request.POST.get("action") == "resume":
            services.schedule_resume(schedule=schedule, by=request.user)
            messages.success(request, "Resumed from the next occurrence.")
        else:
            services.schedule_pause(schedule=schedule, by=request.user)
            messages.success(request, "Paused.")
    except ValidationError as exc:
        _validation_messages(request, exc)
    return redirect("communications:detail", schedule.communication_id)


@require_POST
def send_test(request, pk):
    """Queue the message, as the chosen recipient would get it, for the signed-in user only."""
    if (response := _post_action(request)) is not None:
        return response
    communication = _visible_communication(request, pk)
    people = audience_queryset(communication)
    recipient_id = request.POST.get("recipient", "")
    recipient = people.filter(pk=recipient_id).first() if recipient_id.isdigit() else people.first()
    if recipient is None:
        messages.error(request, "Nothing to test: the audience is empty.")
        return redirect("communications:detail", communication.pk)
    try:
        services.communication_send_test(communication=communication, recipient=recipient, by=request.user)
    except ValidationError as exc:
        _validation_messages(request, exc)
    else:
        messages.success(
            request,
            f"Test queued for {request.user.email} as {recipient.first_name} would see it; "
            "its progress is under Test sends.",
        )
    return redirect("communications:detail", communication.pk)


class DeliveryReportView(ComposerRequiredMixin, ListView):
    template_name = "communications/delivery_report.html"
    paginate_by = 100

    def get_queryset(self):
        self.communication = _visible_communication(self.request, self.kwargs["pk"])
        deliveries = (
            Delivery.objects.of_campaign()
            .filter(communication=self.communication)
            .select_related("stakeholder", "user", "occurrence")
        )
        self.occurrence = None
        if self.request.GET.get("occurrence", "").isdigit():
            self.occurrence = get_object_or_404(
                Occurrence.objects.of_campaign().filter(communication=self.communication),
                pk=self.request.GET["occurrence"],
            )
            deliveries = deliveries.filter(occurrence=self.occurrence)
        self.status = self.request.GET.get("status", "")
        self.all_deliveries = deliveries
        if self.status in Delivery.Status.values:
            deliveries = deliveries.filter(status=self.status)
        return deliveries.order_by("occurrence__scheduled_for", "stakeholder__last_name", "pk")

    def render_to_response(self, context, **kwargs):
        if self.request.GET.get("format") == "csv":
            return self.csv_response()
        return super().render_to_response(context, **kwargs)

    def csv_response(self):
        rows = self.get_queryset().values_list(
            "occurrence__scheduled_for",
            "stakeholder__first_name",
            "stakeholder__last_name",
            "email",
            "status",
            "attempts",
            "sent_at",
            "last_error",
        )
        return stream_csv(
            header=[
                "occurrence",
                "first name",
                "last name",
                "e-mail",
                "status",
                "attempts",
                "sent at",
                "reason",
            ],
            rows=rows.iterator(chunk_size=2000),
            filename=f"communication-{self.communication.pk}-deliveries.csv",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        counts = status_counts(self.all_deliveries)
        context.update(
            communication=self.communication,
            occurrence=self.occurrence,
            status=self.status,
            counts=counts,
            count_rows=[(value, label, counts[value]) for value, label in Delivery.Status.choices],
            occurrences=self.communication.occurrences.of_campaign().order_by("-scheduled_for")[:50],
            mail_server=waiting_on_mail_server(counts),
            delivery_deadline=delivery_deadline_text(),
            statuses=Delivery.Status.choices,
            page_query=query.urlencode(),
        )
        return context


@require_POST
def retry_failed(request, pk):
    if (response := _post_action(request)) is not None:
        return response
    communication = _visible_communication(request, pk)
    occurrence = None
    if request.POST.get("occurrence", "").isdigit():
        occurrence = get_object_or_404(communication.occurrences.of_campaign(), pk=request.POST["occurrence"])
    try:
        count = services.deliveries_retry_failed(
            communication=communication, occurrence=occurrence, by=request.user
        )
    except ValidationError as exc:
        _validation_messages(request, exc)
    else:
        messages.success(request, f"{count} failed deliveries are queued again.")
    return redirect("communications:report", communication.pk)


@require_POST
def delivery_bounce(request, pk):
    """Record a hard bounce reported for one delivery's address."""
    if (response := _post_action(request)) is not None:
        return response
    delivery = get_object_or_404(
        Delivery.objects.visible_to(request.user).to_stakeholders().select_related("stakeholder"), pk=pk
    )
    stakeholder_record_bounce(stakeholder=delivery.stakeholder, reason=f"Reported on delivery {delivery.pk}")
    messages.success(
        request, f"Hard bounce recorded for {delivery.email}; no more mail goes to this address."
    )
    return redirect("communications:report", delivery.communication_id)


class CadenceView(ComposerRequiredMixin, ListView):
    """Per project: when each stakeholder group last heard from us, against the expected cadence."""

    template_name = "communications/cadence.html"
    paginate_by = 50

    def get_queryset(self):
        from projects.models import Project

        return (
            Project.objects.visible_to(self.request.user)
            .select_related("sea")
            .order_by("sea__state_code", "title")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = projects_last_heard(context["object_list"])
        context["cadence_form"] = CadenceForm()
        return context


@require_POST
def cadence_set(request, project_pk):
    if (response := _post_action(request)) is not None:
        return response
    from projects.models import Project

    project = get_object_or_404(Project.objects.visible_to(request.user), pk=project_pk)
    form = CadenceForm(request.POST)
    if form.is_valid():
        services.project_cadence_set(
            project=project, expected_days=form.cleaned_data["expected_days"], by=request.user
        )
        messages.success(request, f"Cadence of {project} saved.")
    else:
        messages.error(request, "Choose a cadence.")
    return redirect("communications:cadence")


# --- Pages for stakeholders: no login, reached through signed links in every message ----------


@csrf_exempt  # RFC 8058: mail providers POST "List-Unsubscribe=One-Click" without a session
def unsubscribe(request, token):
    try:
        stakeholder_id, category = read_unsubscribe_token(token)
    except signing.BadSignature as exc:
        raise Http404 from exc
    stakeholder = get_object_or_404(Stakeholder, pk=stakeholder_id)
    if category not in CommunicationCategory.values:
        raise Http404
    label = CommunicationCategory(category).label
    context = {
        "stakeholder": stakeholder,
        "category": label,
        "token": token,
        "preferences_token": preferences_token(stakeholder.pk),
    }
    if request.method == "POST":
        services.stakeholder_unsubscribe(stakeholder=stakeholder, category=category)
        return render(request, "communications/unsubscribe_done.html", context)
    return render(request, "communications/unsubscribe.html", context)


def preferences(request, token):
    try:
        stakeholder_id = read_preferences_token(token)
    except signing.BadSignature as exc:
        raise Http404 from exc
    stakeholder = get_object_or_404(Stakeholder, pk=stakeholder_id)
    form = PreferencesForm(request.POST or None, stakeholder=stakeholder)
    if request.method == "POST" and form.is_valid():
        for category, delivery in form.cleaned_data.items():
            services.stakeholder_set_preference(stakeholder=stakeholder, category=category, delivery=delivery)
        messages.success(request, "Your choices are saved.")
        return redirect("communications:preferences", token)
    return render(request, "communications/preferences.html", {"form": form, "stakeholder": stakeholder})
