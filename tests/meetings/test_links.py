"""Signed RSVP and feedback links, and the secret calendar feeds: no login, nothing saved on bad input."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from meetings.models import CalendarFeed, Feedback
from meetings.services import meetings as services
from meetings.tokens import feedback_token, rsvp_token
from tests.meetings.factories import MeetingFactory, eastern
from tests.stakeholders.factories import (
    AdvisoryBodyFactory,
    MembershipFactory,
    PartnerCenterFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(frozen, rab, members, facilitator):
    return services.meeting_create(
        author=facilitator,
        body=rab,
        title="Spring meeting",
        starts_at=eastern(2026, 3, 10, 10, 0),
        ends_at=eastern(2026, 3, 10, 12, 0),
        mode="virtual",
        link="https://meet.example.org/rab",
    )


def test_rsvp_by_signed_link_without_login(client, meeting, ct_member):
    url = reverse("meetings:rsvp", args=[rsvp_token(meeting_id=meeting.pk, stakeholder_id=ct_member.pk)])
    page = client.get(url, {"answer": "yes"})
    assert page.status_code == 200
    assert "Will you attend, Dana?" in page.content.decode()
    participant = meeting.participants.get(stakeholder=ct_member)
    participant.refresh_from_db()
    assert participant.rsvp == "pending"  # a GET changes nothing
    response = client.post(url, {"answer": "maybe"})
    assert "Your answer is recorded: Maybe." in response.content.decode()
    participant.refresh_from_db()
    assert participant.rsvp == "maybe"
    assert participant.rsvp_at is not None


def test_tampered_rsvp_link_saves_nothing(client, meeting, ct_member, center_member):
    token = rsvp_token(meeting_id=meeting.pk, stakeholder_id=ct_member.pk)
    forged = token.replace(
        token.split(":")[0], rsvp_token(meeting_id=meeting.pk, stakeholder_id=center_member.pk).split(":")[0]
    )
    for bad in (token[:-2] + "xx", forged, "garbage"):
        response = client.post(reverse("meetings:rsvp", args=[bad]), {"answer": "yes"})
        assert response.status_code == 400
        assert "This link is not valid" in response.content.decode()
    assert not meeting.participants.exclude(rsvp="pending").exists()


def test_expired_rsvp_link_says_so(client, meeting, ct_member):
    url = reverse("meetings:rsvp", args=[rsvp_token(meeting_id=meeting.pk, stakeholder_id=ct_member.pk)])
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=91)):
        response = client.post(url, {"answer": "yes"})
    assert response.status_code == 400
    assert "This link has expired" in response.content.decode()
    assert not meeting.participants.exclude(rsvp="pending").exists()


def test_rsvp_for_a_cancelled_meeting_is_refused(client, meeting, ct_member, facilitator):
    services.meeting_cancel(meeting=meeting, by=facilitator, reason="Snow")
    url = reverse("meetings:rsvp", args=[rsvp_token(meeting_id=meeting.pk, stakeholder_id=ct_member.pk)])
    response = client.post(url, {"answer": "yes"})
    assert "This meeting has been cancelled" in response.content.decode()
    assert meeting.participants.get(stakeholder=ct_member).rsvp == "pending"


def test_signed_in_member_answers_on_the_meeting_page(client, meeting, ct_member, ct_staff):
    ct_member.user = ct_staff
    ct_member.save(update_fields=["user"])
    client.force_login(ct_staff)
    assert "Your answer" in client.get(meeting.get_absolute_url()).content.decode()
    client.post(reverse("meetings:meeting_rsvp", args=[meeting.pk]), {"answer": "no"})
    assert meeting.participants.get(stakeholder=ct_member).rsvp == "no"


def test_feedback_by_signed_link(client, rab, ct_member, frozen):
    url = reverse(
        "meetings:feedback_link", args=[feedback_token(body_id=rab.pk, stakeholder_id=ct_member.pk)]
    )
    assert client.get(url).status_code == 200
    bad = client.post(url, {"resource": "", "quality": 3, "relevance": 3, "usefulness": 3})
    assert "Choose a product or name the resource" in bad.content.decode()
    ok = client.post(
        url,
        {"resource": "Coaching sessions", "quality": 5, "relevance": 4, "usefulness": 5, "comment": "Useful"},
    )
    assert "your rating of “Coaching sessions” is recorded" in ok.content.decode()
    feedback = Feedback.objects.get()
    assert (feedback.stakeholder, feedback.channel, feedback.quality) == (ct_member, "link", 5)
    tampered = client.post(url[:-3] + "zz/", {"resource": "X", "quality": 1, "relevance": 1, "usefulness": 1})
    assert tampered.status_code == 400
    assert Feedback.objects.count() == 1


def test_calendar_feeds_are_secret_and_scoped(client, meeting, ct_staff, ny_staff):
    council = AdvisoryBodyFactory(short_name="RCC")
    center = PartnerCenterFactory()
    MembershipFactory(
        body=council, stakeholder=StakeholderFactory(sea=None), represents_sea=None, represents_center=center
    )
    MeetingFactory(body=council, title="Council only")
    client.force_login(ct_staff)
    assert "Create my calendar addresses" in client.get(reverse("meetings:feeds")).content.decode()
    assert not CalendarFeed.objects.exists()  # a GET creates nothing
    client.post(reverse("meetings:feeds_rotate"))
    key = CalendarFeed.objects.get(user=ct_staff).key
    assert key in client.get(reverse("meetings:feeds")).content.decode()
    client.logout()
    response = client.get(reverse("meetings:feed_all", args=[key]))
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    summaries = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
    assert summaries == ["RAB: Spring meeting"]
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "America/New_York"
    body_feed = client.get(reverse("meetings:feed_body", args=[key, meeting.body_id]))
    assert body_feed.status_code == 200
    assert client.get(reverse("meetings:feed_body", args=[key, council.pk])).status_code == 404
    assert client.get(reverse("meetings:feed_all", args=["not-a-key"])).status_code == 404
    client.force_login(ct_staff)
    client.post(reverse("meetings:feeds_rotate"))
    client.logout()
    assert client.get(reverse("meetings:feed_all", args=[key])).status_code == 404
    new_key = CalendarFeed.objects.get(user=ct_staff).key
    assert new_key != key
    assert client.get(reverse("meetings:feed_all", args=[new_key])).status_code == 200


def test_ics_uid_stays_and_sequence_grows_across_updates(client, meeting, facilitator):
    client.force_login(facilitator)
    url = reverse("meetings:meeting_ics", args=[meeting.pk])
    first = Calendar.from_ical(client.get(url).content).walk("VEVENT")[0]
    services.meeting_update(meeting=meeting, editor=facilitator, location="", title="Spring meeting (moved)")
    second = Calendar.from_ical(client.get(url).content).walk("VEVENT")[0]
    services.meeting_update(meeting=meeting, editor=facilitator, starts_at=eastern(2026, 3, 10, 9, 0))
    third = Calendar.from_ical(client.get(url).content).walk("VEVENT")[0]
    assert first["UID"] == second["UID"] == third["UID"]
    assert first["SEQUENCE"] < second["SEQUENCE"] < third["SEQUENCE"]
    assert third["DTSTART"].params["TZID"] == "America/New_York"
    assert third.decoded("DTSTART") == eastern(2026, 3, 10, 9, 0)


def test_feedback_request_mails_each_member_a_personal_link(client, rab, members, facilitator, frozen):
    from tests.meetings.helpers import recipient, send_due

    client.force_login(facilitator)
    response = client.post(reverse("meetings:feedback_request", args=[rab.pk]))
    assert response.status_code == 302
    messages = send_due()
    assert sorted(recipient(m) for m in messages) == sorted(m.email for m in members)
    link = next(line for line in messages[0].body.splitlines() if "/meetings/feedback/" in line)
    path = link[link.index("/meetings/feedback/") :].split()[0]
    client.logout()
    assert "Feedback for the Regional Advisory Board" in client.get(path).content.decode()


def test_invite_page_sends_invitations_to_members_and_guests(client, meeting, facilitator, ny):
    from tests.meetings.helpers import send_due

    guest = StakeholderFactory(sea=ny, first_name="Gail", last_name="Guest")
    client.force_login(facilitator)
    response = client.post(reverse("meetings:meeting_invite", args=[meeting.pk]), {"guests": [guest.pk]})
    assert response.status_code == 302
    assert meeting.participants.filter(invited_at__isnull=False).count() == 3
    assert len(send_due()) == 3
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Gail Guest" in page
    assert "Guest" in page


@pytest.mark.usefixtures("frozen")
def test_invite_page_says_when_nobody_is_seated_to_invite(client, rab, facilitator):
    meeting = services.meeting_create(
        author=facilitator,
        body=rab,
        title="Meeting without seated members",
        starts_at=eastern(2026, 3, 10, 10, 0),
        ends_at=eastern(2026, 3, 10, 12, 0),
        mode="virtual",
        link="https://meet.example.org/rab",
    )
    client.force_login(facilitator)
    response = client.post(reverse("meetings:meeting_invite", args=[meeting.pk]), follow=True)
    page = response.content.decode()
    assert "Nobody was invited: no member is seated on the meeting day." in page
    assert "Everyone has already been invited" not in page
    assert not meeting.participants.exists()
