"""Mailed invitations, change and cancel notices are iMIP (RFC 6047), as a mail client reads them:
the calendar inside multipart/alternative with its METHOD in the Content-Type, the same file
attached, and the event read by ical.js at the right time."""

import datetime
import email
import email.policy
import subprocess
import sys
from email.message import EmailMessage
from email.utils import parseaddr

import pytest
from django.core import mail

from communications.devtools import SmtpSink
from meetings.ics import ANSWER_NOTE
from meetings.models import Participant
from meetings.services import meetings as services
from tests.meetings import icaljs
from tests.meetings.factories import eastern
from tests.meetings.helpers import recipient, send_due

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def _meeting(rab, facilitator, *day, title="RAB meeting"):
    return services.meeting_create(
        author=facilitator,
        body=rab,
        title=title,
        starts_at=eastern(*day, 10, 0),
        ends_at=eastern(*day, 12, 0),
        mode="virtual",
        link="https://meet.example.org/rab",
    )


def parsed(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def imip_parts(message: EmailMessage) -> tuple[EmailMessage, EmailMessage, EmailMessage, EmailMessage]:
    """(text, html, calendar, attachment) of an invitation, asserting the iMIP structure."""
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    text, html, calendar = alternative.get_payload()
    assert [p.get_content_type() for p in (text, html, calendar)] == [
        "text/plain",
        "text/html",
        "text/calendar",
    ]
    assert calendar.get_content_disposition() is None  # shown as the invitation, not a file
    assert calendar.get_content_charset() == "utf-8"
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_content_disposition() == "attachment"
    # The same calendar (line breaks are the message's own in a text part).
    assert attachment.get_content().decode("utf-8").splitlines() == calendar.get_content().splitlines()
    return text, html, calendar, attachment


def _raw(message) -> bytes:
    return message.message().as_bytes()


def test_invitation_is_an_imip_request_inside_multipart_alternative(
    client, settings, frozen, rab, ct_member, center_member, facilitator
):
    settings.MEETINGS_ORGANIZER_EMAIL = "RAB Secretariat <rab@r2cc.example.org>"
    meeting = _meeting(rab, facilitator, 2026, 7, 9)
    services.meeting_invite(meeting=meeting, by=facilitator)
    message = next(m for m in send_due() if recipient(m) == ct_member.email)
    text, html, calendar, attachment = imip_parts(parsed(_raw(message)))
    assert calendar.get_param("method") == "REQUEST"
    assert attachment.get_filename() == "invite.ics"
    (read,) = icaljs.read(calendar.get_content())
    assert read["method"] == "REQUEST"
    (event,) = read["events"]
    assert (event["start"], event["end"]) == ("2026-07-09T14:00:00Z", "2026-07-09T16:00:00Z")
    assert event["organizer"] == {
        "address": "rab@r2cc.example.org",
        "cn": "RAB Secretariat",
        "partstat": None,
        "rsvp": None,
        "role": None,
    }
    assert event["attendees"] == [
        {
            "address": "dana.todd@example.org",
            "cn": "Dana Todd",
            "partstat": "NEEDS-ACTION",
            "rsvp": "TRUE",
            "role": "REQ-PARTICIPANT",
        }
    ]
    # How to answer, in the text, the HTML and the event itself; the event's link works.
    assert "do not record your answer" in text.get_content()
    assert "do not record your answer" in html.get_content()
    assert ANSWER_NOTE in event["description"]
    rsvp_url = next(line for line in event["description"].splitlines() if "/meetings/rsvp/" in line)
    path = rsvp_url.split(settings.PORTAL_BASE_URL, 1)[1]
    page = client.get(path)
    assert page.status_code == 200
    assert page.context["participant"] == Participant.objects.get(meeting=meeting, stakeholder=ct_member)


def test_invitations_read_at_the_right_time_in_winter_summer_and_across_each_change(
    frozen, rab, members, facilitator
):
    days = [
        (2026, 3, 7),
        (2026, 3, 9),
        (2026, 7, 4),
        (2026, 10, 31),
        (2026, 11, 2),
        (2026, 12, 10),
        (2027, 1, 14),
    ]
    meetings = [_meeting(rab, facilitator, *day, title=f"Meeting {n}") for n, day in enumerate(days)]
    for meeting in meetings:
        services.meeting_invite(meeting=meeting, by=facilitator)
    messages = send_due()
    assert len(messages) == len(meetings) * len(members)
    calendars = [imip_parts(parsed(_raw(m)))[2].get_content() for m in messages]
    wanted = {f"meeting-{m.uid}@r2cc-portal": (m.starts_at, m.ends_at) for m in meetings}
    for read in icaljs.read(*calendars):
        (event,) = read["events"]
        assert (icaljs.utc(event["start"]), icaljs.utc(event["end"])) == wanted[event["uid"]]
        assert event["start_local"].endswith("T10:00:00")
        assert event["end_local"].endswith("T12:00:00")
    assert {e["uid"] for r in icaljs.read(*calendars) for e in r["events"]} == set(wanted)


def test_change_and_cancel_keep_the_uid_raise_the_sequence_and_cancel_says_so_twice(
    frozen, rab, ct_member, center_member, facilitator
):
    meeting = _meeting(rab, facilitator, 2026, 6, 11)
    services.meeting_invite(meeting=meeting, by=facilitator)
    mine = [m for m in send_due() if recipient(m) == ct_member.email]
    services.meeting_update(
        meeting=meeting,
        editor=facilitator,
        starts_at=eastern(2026, 7, 16, 13, 0),
        ends_at=eastern(2026, 7, 16, 15, 0),
    )
    mine += [m for m in send_due() if recipient(m) == ct_member.email]
    services.meeting_cancel(meeting=meeting, by=facilitator, reason="The Board chair is unavailable.")
    mine += [m for m in send_due() if recipient(m) == ct_member.email]
    assert [m.subject.split(":")[0] for m in mine] == ["Invitation", "Changed", "Cancelled"]
    parts = [imip_parts(parsed(_raw(m))) for m in mine]
    methods = [calendar.get_param("method") for _, _, calendar, _ in parts]
    assert methods == ["REQUEST", "REQUEST", "CANCEL"]
    assert [a.get_filename() for *_, a in parts] == ["invite.ics", "invite.ics", "cancel.ics"]
    read = icaljs.read(*(calendar.get_content() for _, _, calendar, _ in parts))
    assert [r["method"] for r in read] == methods  # the file agrees with its MIME type
    events = [r["events"][0] for r in read]
    assert len({e["uid"] for e in events}) == 1
    assert [e["sequence"] for e in events] == [0, 1, 2]
    assert [e["status"] for e in events] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    assert [e["start"] for e in events] == [
        "2026-06-11T14:00:00Z",
        "2026-07-16T17:00:00Z",
        "2026-07-16T17:00:00Z",
    ]
    assert "The Board chair is unavailable." in events[2]["description"]


def test_invitations_over_smtp_keep_the_imip_structure(settings, frozen, rab, members, facilitator):
    with SmtpSink(keep=True) as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        meeting = _meeting(rab, facilitator, 2026, 12, 10)
        services.meeting_invite(meeting=meeting, by=facilitator)
        send_due()
        assert mail.outbox == []
        raws = list(sink.handler.messages)
    assert len(raws) == len(members)
    for raw in raws:
        message = parsed(raw)
        _, _, calendar, _ = imip_parts(message)
        assert calendar.get_param("method") == "REQUEST"
        (read,) = icaljs.read(calendar.get_content())
        (event,) = read["events"]
        assert event["start"] == "2026-12-10T15:00:00Z"
        assert [a["address"] for a in event["attendees"]] == [parseaddr(message["To"])[1]]


def test_read_invitation_opens_the_mail_files_as_a_mail_client(
    settings, tmp_path, frozen, rab, ct_member, facilitator
):
    # Django's file backend, as `./scripts/run` writes var/mail/.
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    for day in ((2026, 7, 9), (2026, 12, 10)):
        services.meeting_invite(meeting=_meeting(rab, facilitator, *day), by=facilitator)
    send_due()
    icaljs._node()  # skipped without Node.js, outside CI
    done = subprocess.run(
        [sys.executable, str(icaljs.ROOT / "scripts" / "read_invitation.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (
        done.stdout.count("Content-Type: text/calendar; method=REQUEST (inside multipart/alternative)") == 2
    )
    assert "Starts: 2026-07-09 10:00 America/New_York = 2026-07-09 14:00 UTC" in done.stdout
    assert "Starts: 2026-12-10 10:00 America/New_York = 2026-12-10 15:00 UTC" in done.stdout
    assert "Attendee: Dana Todd <dana.todd@example.org> PARTSTAT=NEEDS-ACTION RSVP=TRUE" in done.stdout
