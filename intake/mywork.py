"""The requests section of "my work": requests awaiting triage (center staff) or an answer (the state)."""

from django.urls import reverse

from projects.mywork import LIMIT, WorkItem, WorkSection, register_work_section

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
    rows = list(
        TARequest.objects.visible_to(user)
        .filter(status__in=wanted)
        .select_related("sea")
        .order_by("submitted_at", "pk")[: LIMIT + 1]
    )
    items = [
        WorkItem(
            label=r.title,
            url=reverse("intake:detail", args=[r.pk]),
            detail=f"{r.sea.state_code} · {r.get_status_display()} · {r.get_urgency_display()}",
            when=r.submitted_at.date(),
        )
        for r in rows[:LIMIT]
    ]
    return WorkSection(
        key="requests",
        title=title,
        items=items,
        empty=empty,
        more_url=reverse("intake:list") + "?status=open" if len(rows) > LIMIT else "",
        more_label="All open requests",
    )
