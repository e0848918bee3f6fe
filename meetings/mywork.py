"""The meetings' sections of "my work": the user's action items and their next meetings."""

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from projects.mywork import LIMIT, WorkItem, WorkSection, register_work_section

from .models import ActionItem, Meeting


@register_work_section("action_items", order=10)
def action_items_section(*, user, today):
    horizon = today + datetime.timedelta(days=14)
    rows = list(
        ActionItem.objects.open()
        .filter(Q(owner_user=user) | Q(owner_stakeholder__user=user), due_date__lte=horizon)
        .select_related("meeting")
        .order_by("due_date", "pk")[: LIMIT + 1]
    )
    items = [
        WorkItem(
            label=item.description[:120],
            url=reverse("meetings:meeting_detail", args=[item.meeting_id]) + f"#action-item-{item.pk}",
            detail=item.meeting.title,
            when=item.due_date,
            overdue=item.due_date < today,
        )
        for item in rows[:LIMIT]
    ]
    return WorkSection(
        key="action_items",
        title="Your action items: overdue and due in the next two weeks",
        items=items,
        empty="No open action item of yours is due in the next two weeks.",
        more_url=reverse("meetings:action_item_list") if len(rows) > LIMIT else "",
        more_label="All action items",
    )


@register_work_section("next_meetings", order=30)
def next_meetings_section(*, user, today):  # noqa: ARG001 - the registry passes both
    now = timezone.now()
    mine = Q(participants__stakeholder__user=user) | Q(created_by=user)
    rows = list(
        Meeting.objects.visible_to(user)
        .upcoming(now)
        .filter(mine, starts_at__lte=now + datetime.timedelta(days=30))
        .select_related("body")
        .distinct()
        .order_by("starts_at", "pk")[:LIMIT]
    )
    items = [
        WorkItem(
            label=m.title,
            url=reverse("meetings:meeting_detail", args=[m.pk]),
            detail=f"{m.body.short_name} · {timezone.localtime(m.starts_at):%a %b %-d, %-I:%M %p}",
            when=timezone.localdate(m.starts_at),
        )
        for m in rows
    ]
    return WorkSection(
        key="next_meetings",
        title="Your meetings in the next 30 days",
        items=items,
        empty="No meeting of yours in the next 30 days.",
    )
