"""Reads for the meetings pages: every aggregate is computed in SQL, a fixed number of queries."""

import datetime
from dataclasses import dataclass

from django.db.models import Avg, Count, F, Q, Value
from django.db.models.functions import Coalesce, TruncQuarter
from django.utils import timezone

from stakeholders.models import AdvisoryBody, Membership

from .models import ActionItem, Feedback, Meeting, Participant

ATTENDED = Q(attendance__in=[Participant.Attendance.PRESENT, Participant.Attendance.DELEGATE])
RECORDED = ~Q(attendance="")


def _rate(row):
    row["rate"] = round(100 * row["attended"] / row["recorded"]) if row["recorded"] else None
    return row


def attendance_per_member(body: AdvisoryBody) -> list[dict]:
    rows = (
        Participant.objects.filter(meeting__body=body, meeting__status=Meeting.Status.SCHEDULED)
        .filter(RECORDED)
        .values("stakeholder_id", "stakeholder__first_name", "stakeholder__last_name")
        .annotate(recorded=Count("pk"), attended=Count("pk", filter=ATTENDED))
        .order_by("stakeholder__last_name", "stakeholder__first_name")
    )
    return [_rate(row) for row in rows]


def attendance_per_organization(body: AdvisoryBody) -> list[dict]:
    rows = (
        Participant.objects.filter(meeting__body=body, meeting__status=Meeting.Status.SCHEDULED)
        .filter(RECORDED)
        .annotate(
            organization=Coalesce(
                F("membership__represents_sea__short_name"),
                F("membership__represents_district__name"),
                F("membership__represents_center__short_name"),
                F("membership__represents_organization__name"),
                Value("Guests"),
            )
        )
        .values("organization")
        .annotate(recorded=Count("pk"), attended=Count("pk", filter=ATTENDED))
        .order_by("organization")
    )
    return [_rate(row) for row in rows]


MEMBERSHIP_RELATED = (
    "stakeholder",
    "represents_sea",
    "represents_district",
    "represents_center",
    "represents_organization",
)


def memberships(body: AdvisoryBody, today: datetime.date) -> dict:
    rows = list(Membership.objects.filter(body=body).select_related(*MEMBERSHIP_RELATED))
    current = [m for m in rows if m.term_start <= today and (m.term_end is None or m.term_end >= today)]
    past = [m for m in rows if m.term_end is not None and m.term_end < today]
    future = [m for m in rows if m.term_start > today]
    horizon = today + datetime.timedelta(days=90)
    expiring = sorted(
        (m for m in current if m.term_end and m.term_end <= horizon), key=lambda m: m.term_end or horizon
    )
    return {"current": current, "past": past, "future": future, "expiring": expiring}


@dataclass
class Cadence:
    expected_per_year: int | None
    last: Meeting | None
    next: Meeting | None
    due_by: datetime.date | None
    warning: str = ""


def cadence(body: AdvisoryBody, now: datetime.datetime | None = None) -> Cadence:
    """Whether the body's next meeting is scheduled in time for its expected cadence."""
    return cadences([body], now)[body.pk]


def cadences(bodies, now: datetime.datetime | None = None) -> dict[int, Cadence]:
    """The cadence of each body, by id: two queries whatever the number of bodies (the list)."""
    now = now or timezone.now()
    ids = [body.pk for body in bodies]
    scheduled = Meeting.objects.filter(body_id__in=ids, status=Meeting.Status.SCHEDULED)
    # DISTINCT ON (body_id): each body's latest past and earliest coming meeting.
    last = {
        m.body_id: m
        for m in scheduled.filter(starts_at__lt=now)
        .order_by("body_id", "-starts_at", "-pk")
        .distinct("body_id")
    }
    upcoming = {
        m.body_id: m
        for m in scheduled.filter(starts_at__gte=now)
        .order_by("body_id", "starts_at", "pk")
        .distinct("body_id")
    }
    return {body.pk: _cadence(body, last.get(body.pk), upcoming.get(body.pk)) for body in bodies}


def _cadence(body: AdvisoryBody, last: Meeting | None, upcoming: Meeting | None) -> Cadence:
    result = Cadence(body.meetings_per_year, last, upcoming, None)
    if not body.meetings_per_year:
        return result
    interval = datetime.timedelta(days=365 / body.meetings_per_year)
    if last is None:
        if upcoming is None:
            result.warning = f"No meeting is scheduled; the {body.short_name} is expected to meet {body.meetings_per_year} times a year."
        return result
    due = timezone.localdate(last.starts_at + interval)
    result.due_by = due
    if upcoming is None:
        result.warning = f"No next meeting is scheduled; one is due by {due:%B %-d, %Y}."
    elif timezone.localdate(upcoming.starts_at) > due:
        result.warning = (
            f"The next meeting ({timezone.localtime(upcoming.starts_at):%B %-d, %Y}) is later than the "
            f"expected cadence ({body.meetings_per_year} a year) allows: one is due by {due:%B %-d, %Y}."
        )
    return result


def cadence_warning_for(body: AdvisoryBody, starts_at: datetime.datetime, exclude_pk=None) -> str:
    """A warning when a meeting planned for `starts_at` would come later than the cadence allows."""
    if not body.meetings_per_year or not starts_at:
        return ""
    previous = (
        Meeting.objects.filter(body=body, status=Meeting.Status.SCHEDULED, starts_at__lt=starts_at)
        .exclude(pk=exclude_pk)
        .order_by("-starts_at")
        .first()
    )
    if previous is None:
        return ""
    due = timezone.localdate(previous.starts_at + datetime.timedelta(days=365 / body.meetings_per_year))
    if timezone.localdate(starts_at) > due:
        return (
            f"The {body.short_name} is expected to meet {body.meetings_per_year} times a year: after the "
            f"meeting of {timezone.localtime(previous.starts_at):%B %-d, %Y}, the next one is due by {due:%B %-d, %Y}."
        )
    return ""


def open_items_before(meeting: Meeting):
    """Open action items from the body's earlier meetings: they go on this meeting's agenda."""
    return (
        ActionItem.objects.open()
        .filter(meeting__body_id=meeting.body_id, meeting__starts_at__lt=meeting.starts_at)
        .select_related("meeting", "owner_stakeholder", "owner_user", "agenda_item")
        .order_by("due_date", "pk")
    )


def feedback_per_resource(feedback) -> list[dict]:
    return list(
        feedback.values("resource")
        .annotate(
            responses=Count("pk"),
            quality=Avg("quality"),
            relevance=Avg("relevance"),
            usefulness=Avg("usefulness"),
        )
        .order_by("resource")
    )


def feedback_over_time(feedback) -> list[dict]:
    rows = list(
        feedback.annotate(quarter=TruncQuarter("submitted_at"))
        .values("quarter")
        .annotate(
            responses=Count("pk"),
            quality=Avg("quality"),
            relevance=Avg("relevance"),
            usefulness=Avg("usefulness"),
        )
        .order_by("quarter")
    )
    for row in rows:
        quarter = row["quarter"]
        row["label"] = f"{quarter.year} Q{(quarter.month - 1) // 3 + 1}"
        row["overall"] = (row["quality"] + row["relevance"] + row["usefulness"]) / 3
    return rows


def feedback_for(body: AdvisoryBody):
    return Feedback.objects.filter(body=body)
