"""The portal's calendars read the same way by every reader: ical.js (Thunderbird, Nextcloud),
which uses only the file's own VTIMEZONE, icalendar rebuilding a zone from that VTIMEZONE, and
icalendar/zoneinfo looking the TZID up."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from icalendar import Calendar

from meetings.ics import meetings_calendar, vtimezone, zone_transitions
from meetings.models import CalendarFeed
from meetings.services import meetings as services
from tests.meetings import icaljs
from tests.meetings.factories import eastern

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def _calendar_with(zone: str, first: datetime.date, last: datetime.date) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//tests//EN")
    calendar.add("version", "2.0")
    calendar.add_component(vtimezone(zone, first, last))
    return calendar.to_ical()


def _observances(ics: bytes) -> list:
    (component,) = Calendar.from_ical(ics).walk("VTIMEZONE")
    return component.subcomponents


def _rule(observance) -> dict:
    return dict(observance["RRULE"].items())


def test_new_york_is_the_conventional_yearly_form():
    ics = _calendar_with("America/New_York", datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    assert b"RDATE" not in ics
    assert b"only works" not in ics
    daylight, standard = sorted(_observances(ics), key=lambda o: o.name != "DAYLIGHT")
    assert daylight.name == "DAYLIGHT"
    assert standard.name == "STANDARD"
    assert _rule(daylight) == {"FREQ": ["YEARLY"], "BYMONTH": [3], "BYDAY": ["2SU"]}
    assert _rule(standard) == {"FREQ": ["YEARLY"], "BYMONTH": [11], "BYDAY": ["1SU"]}
    assert daylight.decoded("DTSTART").time() == datetime.time(2, 0)
    assert standard.decoded("DTSTART").time() == datetime.time(2, 0)
    assert daylight.decoded("TZOFFSETFROM") == standard.decoded("TZOFFSETTO") == datetime.timedelta(hours=-5)
    assert daylight.decoded("TZOFFSETTO") == standard.decoded("TZOFFSETFROM") == datetime.timedelta(hours=-4)
    assert (str(daylight["TZNAME"]), str(standard["TZNAME"])) == ("EDT", "EST")


def test_sydney_changes_in_october_and_april():
    ics = _calendar_with("Australia/Sydney", datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    rules = {o.name: _rule(o) for o in _observances(ics)}
    assert rules == {
        "DAYLIGHT": {"FREQ": ["YEARLY"], "BYMONTH": [10], "BYDAY": ["1SU"]},
        "STANDARD": {"FREQ": ["YEARLY"], "BYMONTH": [4], "BYDAY": ["1SU"]},
    }


def test_phoenix_has_one_standard_time_and_no_rule():
    ics = _calendar_with("America/Phoenix", datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    (standard,) = _observances(ics)
    assert standard.name == "STANDARD"
    assert "RRULE" not in standard
    assert standard.decoded("TZOFFSETFROM") == standard.decoded("TZOFFSETTO") == datetime.timedelta(hours=-7)


def test_a_rule_that_changed_within_the_span_ends_with_until():
    # The United States moved the changes in 2007 (first Sunday of April, last of October before).
    ics = _calendar_with("America/New_York", datetime.date(2005, 1, 1), datetime.date(2009, 12, 31))
    rules = sorted(
        (o.name, _rule(o)["BYMONTH"][0], _rule(o)["BYDAY"][0], "UNTIL" in o["RRULE"])
        for o in _observances(ics)
    )
    assert rules == [
        ("DAYLIGHT", 3, "2SU", False),
        ("DAYLIGHT", 4, "1SU", True),
        ("STANDARD", 10, "-1SU", True),
        ("STANDARD", 11, "1SU", False),
    ]
    until = {o["RRULE"]["UNTIL"][0].year for o in _observances(ics) if "UNTIL" in o["RRULE"]}
    assert until == {2006}


def _probe_times(zone: zoneinfo.ZoneInfo, first: int, last: int) -> list[datetime.datetime]:
    """Local times that exist once in the zone: noon of every tenth day, and around every change."""
    start = datetime.datetime(first, 1, 1, tzinfo=UTC)
    end = datetime.datetime(last + 1, 1, 1, tzinfo=UTC)
    instants = [start + datetime.timedelta(days=d, hours=12) for d in range(0, (end - start).days, 10)]
    for change in zone_transitions(zone, start, end):
        instants.extend(
            change.at + datetime.timedelta(minutes=minutes)
            for minutes in (-24 * 60, -61, -1, 0, 1, 61, 24 * 60)
        )
    times = []
    for instant in instants:
        local = instant.astimezone(zone)
        if local.replace(fold=1 - local.fold).utcoffset() == local.utcoffset():
            times.append(local.replace(tzinfo=None))
    return times


@pytest.mark.parametrize(
    "tzid",
    [
        "America/New_York",
        "Australia/Sydney",
        "America/Phoenix",
        "Europe/London",
        "America/Santiago",  # southern hemisphere, changes at 24:00 on Saturday
        "Asia/Jerusalem",  # the Friday before the last Sunday of March
        "Australia/Lord_Howe",  # a half-hour of daylight saving
        "Asia/Tehran",  # daylight saving ended in 2022: explicit changes, then none
        "America/Sao_Paulo",  # ended in 2019
        "Africa/Casablanca",  # paused each Ramadan
    ],
)
def test_every_reader_gives_the_same_utc_for_local_times_of_the_zone(tzid):
    zone = zoneinfo.ZoneInfo(tzid)
    ics = _calendar_with(tzid, datetime.date(2018, 1, 1), datetime.date(2027, 12, 31))
    times = _probe_times(zone, 2018, 2027)
    expected = [t.replace(tzinfo=zone).astimezone(UTC) for t in times]
    assert icaljs.local_to_utc(ics, tzid, times) == expected
    rebuilt = Calendar.from_ical(ics).walk("VTIMEZONE")[0].to_tz(lookup_tzid=False)
    assert [t.replace(tzinfo=rebuilt).astimezone(UTC) for t in times] == expected


# Meetings of the RAB at 10:00-12:00 New York time: winter, summer, and either side of each change
# (March 8 and November 1, 2026).
DATES = [
    (2026, 3, 7),
    (2026, 3, 9),
    (2026, 7, 4),
    (2026, 10, 31),
    (2026, 11, 2),
    (2026, 12, 10),
    (2027, 1, 14),
]


@pytest.fixture
def year_of_meetings(frozen, rab, members, facilitator):
    return [
        services.meeting_create(
            author=facilitator,
            body=rab,
            title=f"Meeting of {datetime.date(*day):%B %-d}",
            starts_at=eastern(*day, 10, 0),
            ends_at=eastern(*day, 12, 0),
            mode="virtual",
            link="https://meet.example.org/rab",
        )
        for day in DATES
    ]


def _assert_every_reader_agrees(*calendars: tuple[bytes, list]) -> None:
    """Each (ics, meetings): ical.js, icalendar and a zone rebuilt from the VTIMEZONE give the
    meetings' own UTC start and end."""
    for (ics, meetings), read in zip(calendars, icaljs.read(*(ics for ics, _ in calendars)), strict=True):
        _assert_agrees(ics, meetings, read)


def _assert_agrees(ics: bytes, meetings, read: dict) -> None:
    wanted = {f"meeting-{m.uid}@r2cc-portal": (m.starts_at, m.ends_at) for m in meetings}
    assert read["timezones"] == ["America/New_York"]
    by_js = {e["uid"]: (icaljs.utc(e["start"]), icaljs.utc(e["end"])) for e in read["events"]}
    assert by_js == wanted
    calendar = Calendar.from_ical(ics)
    by_icalendar = {
        str(e["UID"]): (e.decoded("DTSTART").astimezone(UTC), e.decoded("DTEND").astimezone(UTC))
        for e in calendar.walk("VEVENT")
    }
    assert by_icalendar == wanted
    rebuilt = calendar.walk("VTIMEZONE")[0].to_tz(lookup_tzid=False)
    for event in calendar.walk("VEVENT"):
        if "TZID" not in event["DTSTART"].params:
            continue  # written in UTC
        naive = event.decoded("DTSTART").replace(tzinfo=None)
        assert naive.replace(tzinfo=rebuilt).astimezone(UTC) == wanted[str(event["UID"])][0]


def test_july_meeting_is_at_14_utc_for_ical_js(client, year_of_meetings, facilitator):
    july = next(m for m in year_of_meetings if m.starts_at.month == 7)
    client.force_login(facilitator)
    response = client.get(reverse("meetings:meeting_ics", args=[july.pk]))
    (read,) = icaljs.read(response.content)
    assert read["method"] == "PUBLISH"
    (event,) = read["events"]
    assert (event["start"], event["end"]) == ("2026-07-04T14:00:00Z", "2026-07-04T16:00:00Z")
    assert (event["start_local"], event["tzid"]) == ("2026-07-04T10:00:00", "America/New_York")


def test_downloads_read_the_same_in_every_reader(client, year_of_meetings, facilitator):
    client.force_login(facilitator)
    downloads = [
        (client.get(reverse("meetings:meeting_ics", args=[meeting.pk])).content, [meeting])
        for meeting in year_of_meetings
    ]
    _assert_every_reader_agrees(*downloads)


def test_body_and_personal_feeds_read_the_same_in_every_reader(client, year_of_meetings, rab, facilitator):
    client.force_login(facilitator)
    client.post(reverse("meetings:feeds_rotate"))
    key = CalendarFeed.objects.get(user=facilitator).key
    client.logout()
    feeds = []
    for url in (reverse("meetings:feed_all", args=[key]), reverse("meetings:feed_body", args=[key, rab.pk])):
        response = client.get(url)
        assert response.status_code == 200
        feeds.append((response.content, year_of_meetings))
    _assert_every_reader_agrees(*feeds)


def test_the_repeated_autumn_hour_is_written_in_utc(frozen, rab, members, facilitator):
    # 01:30 happens twice in New York on November 1, 2026: first EDT (05:30 UTC), then EST.
    first = datetime.datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    second = datetime.datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    meetings = [
        services.meeting_create(
            author=facilitator,
            body=rab,
            title=f"Night meeting {n}",
            starts_at=start,
            ends_at=start + datetime.timedelta(minutes=20),
            mode="virtual",
            link="https://meet.example.org/rab",
        )
        for n, start in enumerate((first, second))
    ]
    ics = meetings_calendar(meetings)
    assert b"DTSTART:20261101T053000Z" in ics
    assert b"DTSTART:20261101T063000Z" in ics
    _assert_every_reader_agrees((ics, meetings))
