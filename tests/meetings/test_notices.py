"""Invitations, reminders, change and cancellation notices through the communications feature."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail

from communications.models import Communication, Delivery
from meetings.models import MeetingNotice
from meetings.providers import reminder as reminder_provider
from meetings.services import meetings as services
from tests.meetings.factories import eastern
from tests.meetings.helpers import event_of, ics_of, recipient, send_due, skipped_reasons

pytestmark = pytest.mark.django_db
EASTERN = zoneinfo.ZoneInfo("America/New_York")


@pytest.fixture
def meeting(frozen, rab, members, facilitator):
    return services.meeting_create(
        author=facilitator,
        body=rab,
        title="Spring meeting",
        starts_at=eastern(2026, 3, 10, 10, 0),
        ends_at=eastern(2026, 3, 10, 12, 0),
        mode="hybrid",
        location="R2CC office, 300 Capitol Ave, Hartford",
        link="https://meet.example.org/rab",
    )


def test_invitation_reaches_every_member_with_an_ics_in_the_center_time_zone(meeting, facilitator, members):
    assert services.meeting_invite(meeting=meeting, by=facilitator) == 2
    messages = send_due()
    assert sorted(recipient(m) for m in messages) == sorted(p.email for p in members)
    message = next(m for m in messages if recipient(m) == "dana.todd@example.org")
    assert message.subject.startswith("Invitation: RAB meeting")
    assert "/meetings/rsvp/" in message.body
    calendar = ics_of(message)
    assert calendar["METHOD"] == "REQUEST"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    event = event_of(calendar)
    start = event.decoded("DTSTART")
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert start == eastern(2026, 3, 10, 10, 0)
    assert event["UID"] == f"meeting-{meeting.uid}@r2cc-portal"
    assert event["SEQUENCE"] == 0


def test_inviting_again_sends_nothing_new(meeting, facilitator):
    services.meeting_invite(meeting=meeting, by=facilitator)
    assert services.meeting_invite(meeting=meeting, by=facilitator) == 0
    assert MeetingNotice.objects.filter(kind="invitation").count() == 1


def test_reminder_goes_out_the_day_before_and_not_earlier(meeting, facilitator):
    services.meeting_invite(meeting=meeting, by=facilitator)
    send_due()
    with time_machine.travel(eastern(2026, 3, 9, 9, 0), tick=False):
        assert send_due() == []
    with time_machine.travel(eastern(2026, 3, 9, 10, 1), tick=False):
        reminders = send_due()
    assert len(reminders) == 2
    assert all(m.subject.startswith("Reminder: RAB meeting") for m in reminders)
    with time_machine.travel(eastern(2026, 3, 9, 11, 0), tick=False):
        assert send_due() == []  # sent once


def test_moving_a_meeting_tells_invitees_and_sends_no_stale_reminder(meeting, facilitator):
    services.meeting_invite(meeting=meeting, by=facilitator)
    first = ics_of(send_due()[0])
    services.meeting_update(
        meeting=meeting,
        editor=facilitator,
        starts_at=eastern(2026, 3, 12, 14, 0),
        ends_at=eastern(2026, 3, 12, 16, 0),
    )
    changes = send_due()
    assert len(changes) == 2
    assert all(m.subject.startswith("Changed: RAB meeting") for m in changes)
    moved = event_of(ics_of(changes[0]))
    assert moved["UID"] == event_of(first)["UID"]
    assert moved["SEQUENCE"] > event_of(first)["SEQUENCE"]
    assert moved.decoded("DTSTART") == eastern(2026, 3, 12, 14, 0)
    # The reminder for the old time was withdrawn; none goes out on the old day.
    stale = MeetingNotice.objects.get(kind="reminder", sequence=0)
    assert stale.is_withdrawn
    assert Communication.objects.get(pk=stale.communication_pk).status == Communication.Status.CANCELLED
    with time_machine.travel(eastern(2026, 3, 9, 10, 1), tick=False):
        assert send_due() == []
    with time_machine.travel(eastern(2026, 3, 11, 14, 1), tick=False):
        reminders = send_due()
    assert len(reminders) == 2
    assert event_of(ics_of(reminders[0]))["SEQUENCE"] == moved["SEQUENCE"]


def test_a_reminder_made_for_an_earlier_version_is_skipped_at_send_time(meeting, facilitator, ct_member):
    services.meeting_invite(meeting=meeting, by=facilitator)
    notice = MeetingNotice.objects.get(kind="reminder")
    communication = Communication.objects.get(pk=notice.communication_pk)
    assert reminder_provider(communication=communication, stakeholder=ct_member).skip is False
    meeting.sequence += 1  # changed without going through the service, e.g. by an admin
    meeting.save(update_fields=["sequence"])
    result = reminder_provider(communication=communication, stakeholder=ct_member)
    assert result.skip is True
    assert "changed" in result.reason


def test_cancelling_tells_invitees_with_a_cancel_ics_and_withdraws_the_reminder(meeting, facilitator):
    services.meeting_invite(meeting=meeting, by=facilitator)
    send_due()
    services.meeting_cancel(meeting=meeting, by=facilitator, reason="The Board chair is unavailable.")
    notices = send_due()
    assert len(notices) == 2
    assert "The Board chair is unavailable." in notices[0].body
    calendar = ics_of(notices[0])
    assert calendar["METHOD"] == "CANCEL"
    assert event_of(calendar)["STATUS"] == "CANCELLED"
    assert event_of(calendar)["SEQUENCE"] == 1
    with time_machine.travel(eastern(2026, 3, 9, 10, 1), tick=False):
        assert send_due() == []
    assert not Delivery.objects.filter(
        status=Delivery.Status.SENT, communication__subject__startswith="Reminder"
    ).exists()


def test_invitee_who_declined_gets_no_reminder(meeting, facilitator, ct_member, center_member):
    services.meeting_invite(meeting=meeting, by=facilitator)
    send_due()
    participant = meeting.participants.get(stakeholder=ct_member)
    services.rsvp_record(participant=participant, answer="no")
    with time_machine.travel(eastern(2026, 3, 9, 10, 1), tick=False):
        reminders = send_due()
    assert [recipient(m) for m in reminders] == [center_member.email]
    assert any("will not attend" in reason for reason in skipped_reasons())


def test_cancelling_twice_is_refused(meeting, facilitator):
    services.meeting_cancel(meeting=meeting, by=facilitator, reason="Snow")
    with pytest.raises(Exception, match="already cancelled"):
        services.meeting_cancel(meeting=meeting, by=facilitator, reason="Snow")
    assert mail.outbox == []
    assert meeting.__class__.objects.get(pk=meeting.pk).sequence == 1


def test_ics_times_survive_the_daylight_saving_change(frozen, rab, members, facilitator):
    # March 8, 2026 is the spring change in the United States: 10:00 EDT is 14:00 UTC.
    meeting = services.meeting_create(
        author=facilitator,
        body=rab,
        title="After the clocks change",
        starts_at=eastern(2026, 3, 9, 10, 0),
        ends_at=eastern(2026, 3, 9, 11, 0),
        mode="virtual",
        link="https://meet.example.org/rab",
    )
    from icalendar import Calendar

    from meetings.ics import meeting_ics

    event = event_of(Calendar.from_ical(meeting_ics(meeting)))
    assert event.decoded("DTSTART").astimezone(datetime.UTC).hour == 14
