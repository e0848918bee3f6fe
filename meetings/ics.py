"""iCalendar files for meetings: one event per meeting, UID stable, SEQUENCE growing with changes.

Every file carries a VTIMEZONE for the center's zone in the conventional form (one STANDARD and
one DAYLIGHT rule with a yearly RRULE, as Google Calendar and Outlook write it), derived from
the zone's own transitions: readers that use the file's VTIMEZONE rather than a zone database of
their own (ical.js in Thunderbird and Nextcloud, for one) then agree with those that look the
TZID up. Mailed invitations are iMIP (RFC 6047): METHOD:REQUEST or CANCEL, the invitee as an
ATTENDEE asked to reply, an ORGANIZER that can receive the replies.
"""

import calendar as month_calendar
import datetime
import functools
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress, vText

PRODID = "-//Region 2 Comprehensive Center//R2CC Portal//EN"

# How answers reach the portal: the signed links, not the calendar's buttons (an iMIP REPLY
# mailed to the organizer is not read by the portal).
ANSWER_NOTE = (
    "Answer yes, no or maybe with the links in your invitation e-mail: the Accept and Decline "
    "buttons of your calendar do not record your answer with the center."
)


def center_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def meeting_uid(meeting) -> str:
    return f"meeting-{meeting.uid}@r2cc-portal"


def organizer_address() -> tuple[str, str]:
    """(name, address) of the meetings' ORGANIZER: `MEETINGS_ORGANIZER_EMAIL`, else the sender."""
    value = getattr(settings, "MEETINGS_ORGANIZER_EMAIL", "") or settings.DEFAULT_FROM_EMAIL
    name, address = parseaddr(value)
    return name or "R2CC Portal", address


# --- VTIMEZONE -------------------------------------------------------------------------------

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# Zone transitions are found by sampling the offset daily, then bisecting to the second (no zone
# changes its offset and back within a day).
_SAMPLE = datetime.timedelta(days=1)
# Years scanned after the calendar's last event, so that each yearly rule is seen often enough
# (every weekday position of its date) to tell "second Sunday" from "Sunday on or after the 9th".
_YEARS_AFTER = 8


@dataclass(frozen=True)
class Transition:
    """One change of a zone's UTC offset (or name), at `at` (UTC)."""

    at: datetime.datetime
    offset_from: datetime.timedelta
    offset_to: datetime.timedelta
    is_dst: bool
    name: str

    @property
    def onset(self) -> datetime.datetime:
        """The local wall time of the change, in the offset before it (RFC 5545's DTSTART)."""
        return (self.at + self.offset_from).replace(tzinfo=None)


@dataclass(frozen=True)
class Observance:
    """A STANDARD or DAYLIGHT sub-component: from `start` (local wall time), yearly if `rule`."""

    is_dst: bool
    start: datetime.datetime
    offset_from: datetime.timedelta
    offset_to: datetime.timedelta
    name: str
    rule: tuple = ()  # ((key, value), ...) of the RRULE, empty for a single onset


def _state(zone: zoneinfo.ZoneInfo, instant: datetime.datetime) -> tuple:
    local = instant.astimezone(zone)
    return local.utcoffset(), bool(local.dst()), local.tzname()


def zone_transitions(
    zone: zoneinfo.ZoneInfo, start: datetime.datetime, end: datetime.datetime
) -> list[Transition]:
    """The zone's transitions between two UTC instants, as zoneinfo (tzdata) knows them."""
    found = []
    at, state = start, _state(zone, start)
    while at < end:
        step = min(at + _SAMPLE, end)
        if _state(zone, step) == state:
            at = step
            continue
        low, high = at, step
        while high - low > datetime.timedelta(seconds=1):
            middle = low + datetime.timedelta(seconds=(high - low).total_seconds() // 2)
            if _state(zone, middle) == state:
                low = middle
            else:
                high = middle
        new = _state(zone, high)
        found.append(Transition(at=high, offset_from=state[0], offset_to=new[0], is_dst=new[1], name=new[2]))
        at, state = high, new
    return found


def _date_rules(day: datetime.date) -> frozenset:
    """Yearly rules that put a change on `day`'s weekday: ("ge", n) 'on or after the nth', ("last",)."""
    rules = {("ge", first) for first in range(max(1, day.day - 6), day.day + 1)}
    if day.day + 7 > month_calendar.monthrange(day.year, day.month)[1]:
        rules.add(("last",))
    return frozenset(rules)


def _byday(rules: frozenset, weekday: int) -> tuple:
    code = _WEEKDAYS[weekday]
    for nth, first in enumerate((1, 8, 15, 22), start=1):
        if ("ge", first) in rules:
            return (("BYDAY", f"{nth}{code}"),)
    if ("last",) in rules:
        return (("BYDAY", f"-1{code}"),)
    # A rule such as Israel's "Friday before the last Sunday": the weekday within seven days.
    first = min(rule[1] for rule in rules if rule[0] == "ge")
    return (("BYDAY", code), ("BYMONTHDAY", tuple(range(first, min(first + 6, 31) + 1))))


def _observance(run: list[Transition], rules: frozenset, *, ongoing: bool) -> Observance:
    first = run[0]
    rule = ()
    if len(run) > 1:
        rule = (("FREQ", "YEARLY"), ("BYMONTH", first.onset.month), *_byday(rules, first.onset.weekday()))
        if not ongoing:
            # UNTIL is UTC (RFC 5545). Some readers compare it with the local onset as if both
            # were local (python-dateutil behind icalendar does): no earlier than either, it
            # keeps the last change for both, and the next one is a year later in any case.
            last = run[-1]
            rule += (("UNTIL", max(last.at, last.onset.replace(tzinfo=datetime.UTC))),)
    return Observance(
        is_dst=first.is_dst,
        start=first.onset,
        offset_from=first.offset_from,
        offset_to=first.offset_to,
        name=first.name,
        rule=rule,
    )


@functools.lru_cache(maxsize=128)
def zone_observances(tzid: str, first_year: int, last_year: int) -> tuple[Observance, ...]:
    """The observances that describe `tzid` for events from `first_year` to `last_year`.

    Changes that recur on the same month, weekday and local time in consecutive years become
    one yearly RRULE (open-ended when the zone still follows it, else with UNTIL); a change that
    does not recur is an observance of its own. A zone without changes gets one STANDARD.
    """
    zone = zoneinfo.ZoneInfo(tzid)
    start = datetime.datetime(first_year - 1, 1, 1, tzinfo=datetime.UTC)
    end_year = last_year + _YEARS_AFTER
    transitions = zone_transitions(zone, start, datetime.datetime(end_year + 1, 1, 1, tzinfo=datetime.UTC))
    streams: dict[tuple, list[Transition]] = defaultdict(list)
    for change in transitions:
        onset = change.onset
        key = (change.is_dst, change.offset_from, change.offset_to, change.name)
        streams[key + (onset.month, onset.weekday(), onset.time())].append(change)
    observances = []
    for changes in streams.values():
        run, rules = [changes[0]], _date_rules(changes[0].onset.date())
        for change in changes[1:]:
            common = rules & _date_rules(change.onset.date())
            if change.onset.year == run[-1].onset.year + 1 and common:
                run.append(change)
                rules = common
                continue
            observances.append(_observance(run, rules, ongoing=False))
            run, rules = [change], _date_rules(change.onset.date())
        observances.append(_observance(run, rules, ongoing=run[-1].onset.year == end_year))
    if not transitions or transitions[0].at > datetime.datetime(first_year - 1, 12, 1, tzinfo=datetime.UTC):
        # No change shortly before the first events: say what holds from the start of the scan.
        offset, is_dst, name = _state(zone, start)
        observances.append(
            Observance(
                is_dst=is_dst,
                start=(start + offset).replace(tzinfo=None),
                offset_from=offset,
                offset_to=offset,
                name=name,
            )
        )
    return tuple(sorted(observances, key=lambda o: (o.start, o.is_dst)))


def vtimezone(tzid: str, first: datetime.date, last: datetime.date) -> Timezone:
    """The VTIMEZONE of `tzid` for a calendar whose events fall between `first` and `last`."""
    component = Timezone()
    component.add("tzid", tzid)
    for observance in zone_observances(tzid, first.year, last.year):
        part = TimezoneDaylight() if observance.is_dst else TimezoneStandard()
        part.add("dtstart", observance.start)
        part.add("tzoffsetfrom", observance.offset_from)
        part.add("tzoffsetto", observance.offset_to)
        part.add("tzname", observance.name)
        if observance.rule:
            part.add("rrule", dict(observance.rule))
        component.add_component(part)
    return component


# --- Events ------------------------------------------------------------------------------------


def _zoned(instant: datetime.datetime, zone: zoneinfo.ZoneInfo) -> datetime.datetime:
    """`instant` in the zone, or in UTC when its local time is ambiguous (the repeated hour in
    autumn), which a TZID-qualified local time could not say."""
    local = instant.astimezone(zone)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return instant.astimezone(datetime.UTC)
    return local


def _event(meeting, *, attendee=None, rsvp_url: str = "") -> Event:
    zone = center_zone()
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    event.add("dtstart", _zoned(meeting.starts_at, zone))
    event.add("dtend", _zoned(meeting.ends_at, zone))
    event.add("summary", f"{meeting.body.short_name}: {meeting.title}")
    where = [part for part in (meeting.location, meeting.link) if part]
    if where:
        event.add("location", " · ".join(where))
    if meeting.link:
        event.add("url", meeting.link)
    description = meeting.description or ""
    if meeting.is_cancelled:
        description = f"Cancelled: {meeting.cancel_reason}\n\n{description}".strip()
    elif rsvp_url:
        description = f"{description}\n\n{ANSWER_NOTE}\nYour answer: {rsvp_url}".strip()
    description = (
        f"{description}\n\n{settings.PORTAL_BASE_URL}{reverse('meetings:meeting_detail', args=[meeting.pk])}"
    )
    event.add("description", description.strip())
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    name, address = organizer_address()
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText(name)
    event.add("organizer", organizer)
    if attendee is not None:
        invitee = vCalAddress(f"mailto:{attendee.email}")
        invitee.params["cn"] = vText(attendee.full_name)
        invitee.params["role"] = vText("REQ-PARTICIPANT")
        invitee.params["partstat"] = vText("NEEDS-ACTION")
        invitee.params["rsvp"] = vText("TRUE")
        event.add("attendee", invitee)
    return event


def meetings_calendar(
    meetings: Iterable, *, name: str = "", method: str | None = None, attendee=None, rsvp_url: str = ""
) -> bytes:
    """An iCalendar document with the meetings, times in the center's zone with its VTIMEZONE."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", settings.TIME_ZONE)
    meetings = list(meetings)
    if meetings:
        zone = center_zone()
        first = min(m.starts_at for m in meetings).astimezone(zone).date()
        last = max(m.ends_at for m in meetings).astimezone(zone).date()
        calendar.add_component(vtimezone(settings.TIME_ZONE, first, last))
    for meeting in meetings:
        calendar.add_component(_event(meeting, attendee=attendee, rsvp_url=rsvp_url))
    return calendar.to_ical()


def meeting_ics(meeting) -> bytes:
    """The .ics of one meeting to add to a calendar (a download: METHOD:PUBLISH)."""
    return meetings_calendar([meeting], method="PUBLISH")


def meeting_method(meeting) -> str:
    """The iMIP method of a notice about the meeting as it is now: REQUEST, or CANCEL."""
    return "CANCEL" if meeting.is_cancelled else "REQUEST"


def meeting_invitation_ics(meeting, *, attendee, rsvp_url: str = "") -> bytes:
    """The iMIP calendar mailed to one invitee: REQUEST (invitation, change) or CANCEL."""
    return meetings_calendar([meeting], method=meeting_method(meeting), attendee=attendee, rsvp_url=rsvp_url)
