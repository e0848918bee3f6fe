"""The weekly project-progress digest of each state.

Every Monday from 07:00 (the center's time) beat composes, for each SEA, a digest of the past
week: activities logged, indicator values recorded, meetings of the state's advisory bodies in
the next two weeks, and what is overdue (open action items of those bodies or owned by the
state's people, and open products of the state's projects past their due date). It goes to the
state's active stakeholders who have not opted out of digests. Each recipient's digest also
lists the messages they chose to receive weekly instead of one by one ("held"); those count as
delivered once the digest is sent. One digest per state and week (`digest_key`), so reruns and
a second beat change nothing.
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from stakeholders.models import SEA, AdvisoryBody, CommunicationCategory

from .audience import audience_preview
from .models import Communication, Delivery
from .providers import ProviderResult, register_context_provider

logger = logging.getLogger(__name__)
PROVIDER = "communications.digest"
UPCOMING_DAYS = 14


def _text(value: str, limit: int = 160) -> str:
    """User-written text made safe for a Markdown line: one line, no merge-field braces."""
    value = " ".join(str(value).split()).replace("{{", "{ {").replace("}}", "} }")
    return value if len(value) <= limit else value[: limit - 1] + "…"


def week_of(day: datetime.date) -> datetime.date:
    """The Monday of `day`'s week."""
    return day - datetime.timedelta(days=day.weekday())


def digest_body(*, sea: SEA, week_start: datetime.date) -> str:
    """Markdown of the state's week before `week_start` (a Monday)."""
    from projects.models import Activity, IndicatorValue, Product

    start, end = week_start - datetime.timedelta(days=7), week_start - datetime.timedelta(days=1)
    lines = [
        "Dear {{ first_name }},",
        "",
        f"Here is what moved in {_text(sea.name)}'s projects from {start:%B %-d} to {end:%B %-d, %Y}.",
        "",
    ]
    activities = list(
        Activity.objects.filter(project__sea=sea, date__range=(start, end))
        .select_related("project")
        .order_by("date", "pk")[:50]
    )
    lines.append(f"## Activities ({len(activities)})")
    lines += [
        f"- {a.date:%a %b %-d} · {_text(a.project.title, 80)}: {a.get_type_display()} — {_text(a.summary)}"
        for a in activities
    ] or ["- No activities were logged."]
    values = list(
        IndicatorValue.objects.filter(indicator__project__sea=sea, measured_on__range=(start, end))
        .select_related("indicator__project")
        .order_by("measured_on", "pk")[:50]
    )
    lines += ["", "## Indicator changes"]
    lines += [
        f"- {_text(v.indicator.name, 80)} ({_text(v.indicator.project.title, 60)}): {v.value} {v.indicator.unit} "
        f"on {v.measured_on:%b %-d} (target {v.indicator.target})"
        for v in values
    ] or ["- No new indicator values."]
    meetings, action_items = _meetings_and_action_items(sea, week_start)
    lines += ["", "## Upcoming meetings"]
    lines += [
        f"- {timezone.localtime(m.starts_at):%a %b %-d, %-I:%M %p} · {m.body.short_name}: {_text(m.title, 100)}"
        for m in meetings
    ] or ["- No meetings in the next two weeks."]
    today = week_start
    overdue_products = list(
        Product.objects.filter(project__sea=sea, status__in=Product.OPEN_STATUSES, due_date__lt=today)
        .select_related("project")
        .order_by("due_date", "pk")[:50]
    )
    lines += ["", "## Overdue"]
    overdue = [
        f"- Action item: {_text(item.description, 120)} (due {item.due_date:%b %-d}, {_text(item.owner_display, 60)})"
        for item in action_items
    ] + [
        f"- Product: {_text(p.title, 100)} ({_text(p.project.title, 60)}), due {p.due_date:%b %-d}"
        for p in overdue_products
    ]
    lines += overdue or ["- Nothing is overdue."]
    lines += ["", "{{ held_messages }}"]
    return "\n".join(lines)


def _meetings_and_action_items(sea: SEA, week_start: datetime.date):
    """Meetings of the next two weeks and open overdue action items of the bodies that concern
    the state (a member represents it or one of its districts, or is one of its people)."""
    try:
        from meetings.models import ActionItem, Meeting
    except ImportError:  # the meetings feature is optional
        return [], []
    bodies = AdvisoryBody.objects.concerning(sea).values("pk")
    now = timezone.now()
    meetings = list(
        Meeting.objects.filter(
            body_id__in=bodies,
            status=Meeting.Status.SCHEDULED,
            starts_at__gte=now,
            starts_at__lt=now + datetime.timedelta(days=UPCOMING_DAYS),
        )
        .select_related("body")
        .order_by("starts_at")[:20]
    )
    items = list(
        ActionItem.objects.filter(status=ActionItem.Status.OPEN, due_date__lt=week_start)
        .filter(Q(meeting__body_id__in=bodies) | Q(owner_stakeholder__sea=sea))
        .select_related("owner_stakeholder", "owner_user")
        .order_by("due_date", "pk")[:50]
    )
    return meetings, items


def digest_compose(*, sea: SEA, week_start: datetime.date) -> Communication | None:
    """Compose and schedule `sea`'s digest for the week starting `week_start`, once.

    Returns None when it already exists or nobody would receive it.
    """
    key = f"digest:{sea.state_code}:{week_start.isoformat()}"
    if Communication.objects.filter(digest_key=key).exists():
        return None
    communication = Communication(
        subject=f"{sea.short_name} weekly progress digest, week of {week_start - datetime.timedelta(days=7):%B %-d}",
        body=digest_body(sea=sea, week_start=week_start),
        category=CommunicationCategory.DIGEST,
        audience={"seas": [sea.pk]},
        scope_sea=sea,
        context_provider=PROVIDER,
        digest_key=key,
    )
    communication.full_clean()
    if audience_preview(communication, limit=0).total == 0:
        return None
    from .services import communication_schedule

    try:
        with transaction.atomic():
            communication.save()
            communication_schedule(communication=communication)
    except IntegrityError:  # composed at the same moment by another beat
        return None
    except ValidationError as exc:
        logger.info("Digest of %s not scheduled: %s", sea, exc.messages)
        return None
    return communication


def digests_compose_weekly(*, now=None) -> list[Communication]:
    """Compose this week's digests once the send time (Monday 07:00 local) has passed."""
    now = timezone.localtime(now or timezone.now())
    week_start = week_of(now.date())
    send_hour = int(getattr(settings, "COMMUNICATIONS_DIGEST_HOUR", 7))
    if now.date() == week_start and now.hour < send_hour:
        return []
    composed = []
    for sea in SEA.objects.order_by("state_code"):
        communication = digest_compose(sea=sea, week_start=week_start)
        if communication is not None:
            composed.append(communication)
    return composed


@register_context_provider(PROVIDER)
def held_messages(*, communication, stakeholder) -> ProviderResult:
    """The messages this person chose to receive weekly, listed in their digest."""
    cutoff = timezone.now()
    held = list(
        Delivery.objects.filter(
            stakeholder=stakeholder, status=Delivery.Status.DEFERRED, created_at__lte=cutoff
        )
        .select_related("communication", "occurrence")
        .order_by("created_at")[:50]
    )
    if held:
        text = "Messages you chose to receive weekly: " + "; ".join(
            f"“{_text(d.occurrence.subject or d.communication.subject, 120)}” "
            f"({timezone.localtime(d.occurrence.scheduled_for):%b %-d})"
            for d in held
        )
    else:
        text = ""
    return ProviderResult(context={"held_messages": text, "digest_held_ids": [d.pk for d in held]})
