"""The meetings' sections of "my work": the user's action items and their next meetings."""

import datetime

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from projects.mywork import WorkItem, WorkQuery, WorkRow, register_work_section, work_columns

from .models import ActionItem, Meeting


@register_work_section("action_items", order=10)
def action_items_section(*, user, today):
    horizon = today + datetime.timedelta(days=14)
    rows = work_columns(
        ActionItem.objects.open()
        .filter(Q(owner_user=user) | Q(owner_stakeholder__user=user), due_date__lte=horizon)
        .order_by("due_date", "pk"),
        key="action_items",
        label="description",
        when="due_date",
        detail="meeting__title",
        extra="meeting_id",
    )

    def item(row: WorkRow) -> WorkItem:
        return WorkItem(
            label=row.label[:120],
            url=reverse("meetings:meeting_detail", args=[int(row.extra)]),
            detail=row.detail,
            when=row.when,
            overdue=row.when is not None and row.when < today,
        )

    return WorkQuery(
        rows=rows,
        item=item,
        title="Your action items: overdue and due in the next two weeks",
        empty="No open action item of yours is due in the next two weeks.",
        more_url=reverse("meetings:action_item_list"),
        more_label="All action items",
    )


@register_work_section("next_meetings", order=30)
def next_meetings_section(*, user, today):  # noqa: ARG001 - the registry passes both
    now = timezone.now()
    mine = Meeting.objects.filter(Q(participants__stakeholder__user=user) | Q(created_by=user)).values("pk")
    local_start = models.functions.TruncDate("starts_at", tzinfo=timezone.get_current_timezone())
    rows = work_columns(
        Meeting.objects.visible_to(user)
        .upcoming(now)
        .filter(pk__in=mine, starts_at__lte=now + datetime.timedelta(days=30))
        .order_by("starts_at", "pk"),
        key="next_meetings",
        label="title",
        when=local_start,
        detail="body__short_name",
    )

    def item(row: WorkRow) -> WorkItem:
        return WorkItem(
            label=row.label,
            url=reverse("meetings:meeting_detail", args=[row.pk]),
            detail=row.detail,
            when=row.when,
        )

    return WorkQuery(
        rows=rows,
        item=item,
        title="Your meetings in the next 30 days",
        empty="No meeting of yours in the next 30 days.",
        more_url=reverse("meetings:body_list"),
        more_label="All meetings",
    )
