"""Action items across the bodies: the filterable list, CSV export and updates."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from core.forms import form_add_service_errors
from core.lists import stream_csv
from meetings.forms import ActionItemFilterForm, ActionItemOwnerForm, ActionItemStaffForm
from meetings.models import ActionItem
from meetings.services.actions import action_item_update as update_service
from stakeholders.models import AdvisoryBody

from .common import action_item_for

CSV_HEADER = [
    "id",
    "body",
    "meeting",
    "meeting date",
    "description",
    "owner",
    "due date",
    "status",
    "closed on",
    "note",
]


def _filtered(request):
    user = request.user
    form = ActionItemFilterForm(
        request.GET or None, bodies=AdvisoryBody.objects.visible_to(user).order_by("name")
    )
    items = ActionItem.objects.visible_to(user).select_related(
        "meeting__body", "owner_stakeholder", "owner_user", "agenda_item"
    )
    status = "open"
    if form.is_valid():
        data = form.cleaned_data
        status = data.get("status") or "open"
        if data.get("body"):
            items = items.filter(meeting__body=data["body"])
        if data.get("owner"):
            words = data["owner"].strip()
            items = items.filter(
                Q(owner_stakeholder__first_name__icontains=words)
                | Q(owner_stakeholder__last_name__icontains=words)
                | Q(owner_user__first_name__icontains=words)
                | Q(owner_user__last_name__icontains=words)
                | Q(owner_user__username__icontains=words)
            )
        if data.get("overdue"):
            items = items.filter(status=ActionItem.Status.OPEN, due_date__lt=timezone.localdate())
        if data.get("due_before"):
            items = items.filter(due_date__lte=data["due_before"])
    if status != "all":
        items = items.filter(status=status)
    return form, items.order_by("due_date", "pk")


@login_required
def action_item_list(request):
    form, items = _filtered(request)
    if request.GET.get("format") == "csv":
        return _csv(items)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    csv_query = query.copy()
    csv_query["format"] = "csv"
    return render(
        request,
        "meetings/action_item_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "csv_query": csv_query.urlencode(),
            "today": timezone.localdate(),
        },
    )


def _csv(items):
    rows = (
        [
            item.pk,
            item.meeting.body.short_name,
            item.meeting.title,
            timezone.localdate(item.meeting.starts_at),
            item.description,
            item.owner_display,
            item.due_date,
            item.get_status_display(),
            item.closed_on,
            item.status_note,
        ]
        for item in items.iterator(chunk_size=500)
    )
    return stream_csv(header=CSV_HEADER, rows=rows, filename="action-items.csv")


@login_required
def action_item_update(request, pk):
    user = request.user
    item = action_item_for(user, pk)
    if not ActionItem.objects.editable_by(user).filter(pk=item.pk).exists():
        raise Http404("No such page.")
    form_class = ActionItemStaffForm if user.sees_whole_portfolio else ActionItemOwnerForm
    form = form_class(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            update_service(item=ActionItem.objects.get(pk=item.pk), editor=user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, "The action item is updated.")
            return redirect("meetings:action_item_list")
    history = item.history.select_related("history_user").order_by("-history_date")[:20]
    return render(
        request,
        "meetings/action_item_form.html",
        {"item": item, "meeting": item.meeting, "form": form, "history": history},
    )
