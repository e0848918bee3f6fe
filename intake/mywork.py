"""The requests section of "my work": requests awaiting triage (center staff) or an answer (the state)."""

from django.db import models
from django.db.models import Value
from django.db.models.functions import Concat
from django.urls import reverse

from projects.mywork import WorkItem, WorkQuery, WorkRow, register_work_section, work_columns

from .models import TARequest


@register_work_section("requests", order=40)
def requests_section(*, user, today):  # noqa: ARG001 - the registry passes both
    if user.sees_whole_portfolio:
        wanted = [TARequest.Status.NEW, TARequest.Status.IN_CONVERSATION]
        title, empty = "Requests awaiting triage", "No request awaits triage."
    elif user.scoped_sea_id:
        wanted = list(TARequest.OPEN_STATUSES)
        title, empty = (
            "Your state's requests awaiting an answer",
            "None of your state's requests awaits an answer.",
        )
    else:
        return None
    rows = work_columns(
        TARequest.objects.visible_to(user).filter(status__in=wanted).order_by("submitted_at", "pk"),
        key="requests",
        label="title",
        when="submitted_at",
        detail=Concat(
            "sea__state_code", Value("|"), "status", Value("|"), "urgency", output_field=models.TextField()
        ),
    )
    statuses, urgencies = dict(TARequest.Status.choices), dict(TARequest.Urgency.choices)

    def item(row: WorkRow) -> WorkItem:
        state, status, urgency = (row.detail.split("|") + ["", "", ""])[:3]
        return WorkItem(
            label=row.label,
            url=reverse("intake:detail", args=[row.pk]),
            detail=f"{state} · {statuses.get(status, status)} · {urgencies.get(urgency, urgency)}",
            when=row.when,
        )

    return WorkQuery(
        rows=rows,
        item=item,
        title=title,
        empty=empty,
        more_url=reverse("intake:list") + "?status=open",
        more_label="All open requests",
    )
