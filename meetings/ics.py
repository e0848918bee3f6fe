"""iCalendar files for meetings: one event per meeting, UID stable, SEQUENCE growing with changes."""

import datetime
import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//Region 2 Comprehensive Center//R2CC Portal//EN"


def center_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def meeting_uid(meeting) -> str:
    return f"meeting-{meeting.uid}@r2cc-portal"


def _event(meeting, *, attendee=None) -> Event:
    zone = center_zone()
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    event.add("summary", f"{meeting.body.short_name}: {meeting.title}")
    where = [part for part in (meeting.location, meeting.link) if part]
    if where:
        event.add("location", " · ".join(where))
    if meeting.link:
        event.add("url", meeting.link)
    description = meeting.description or ""
    if meeting.is_cancelled:
        description = f"Cancelled: {meeting.cancel_reason}\n\n{description}".strip()
    description = (
        f"{description}\n\n{settings.PORTAL_BASE_URL}{reverse('meetings:meeting_detail', args=[meeting.pk])}"
    )
    event.add("description", description.strip())
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL.split('<')[-1].rstrip('>')}")
    organizer.params["cn"] = vText("R2CC Portal")
    event.add("organizer", organizer)
    if attendee is not None:
        address = vCalAddress(f"mailto:{attendee.email}")
        address.params["cn"] = vText(attendee.full_name)
        address.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", address)
    return event


def meetings_calendar(
    meetings: Iterable, *, name: str = "", method: str | None = None, attendee=None
) -> bytes:
    """An iCalendar document with the meetings, times in the center's zone with its VTIMEZONE."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for meeting in meetings:
        calendar.add_component(_event(meeting, attendee=attendee))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def meeting_ics(meeting, *, attendee=None) -> bytes:
    """The .ics of one meeting, as attached to invitations (REQUEST) or cancellations (CANCEL)."""
    method = "CANCEL" if meeting.is_cancelled else "REQUEST"
    return meetings_calendar([meeting], method=method, attendee=attendee)
