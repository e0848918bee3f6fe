"""The facilitator's workflows through the pages, with the bad input the issue names."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from meetings.models import ActionItem, AgendaItem, Decision, Feedback, Meeting, Minutes, Participant
from meetings.services import meetings as meeting_services
from stakeholders.models import Membership
from tests.meetings.factories import ActionItemFactory, AgendaItemFactory, MeetingFactory, eastern
from tests.stakeholders.factories import AdvisoryBodyFactory, StakeholderFactory

pytestmark = pytest.mark.django_db


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def fac(client, facilitator, frozen):
    client.force_login(facilitator)
    return client


@pytest.fixture
def meeting(rab, members, facilitator, frozen):
    return meeting_services.meeting_create(
        author=facilitator,
        body=rab,
        title="Spring meeting",
        starts_at=eastern(2026, 3, 10, 10, 0),
        ends_at=eastern(2026, 3, 10, 11, 0),
        mode="virtual",
        link="https://meet.example.org/rab",
    )


MEETING_POST = {
    "title": "Spring meeting",
    "starts_at": "2026-04-14T10:00",
    "ends_at": "2026-04-14T12:00",
    "mode": "virtual",
    "link": "https://meet.example.org/rab",
}


def test_schedule_a_meeting_in_the_center_time_zone(fac, rab, members):
    response = fac.post(reverse("meetings:meeting_create", args=[rab.pk]), MEETING_POST)
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == meeting.get_absolute_url()
    assert meeting.starts_at == eastern(2026, 4, 14, 10, 0)
    assert meeting.starts_at.astimezone(datetime.UTC).hour == 14  # EDT
    assert set(meeting.participants.values_list("stakeholder_id", flat=True)) == {m.pk for m in members}


def test_end_before_start_is_refused_and_nothing_saved(fac, rab):
    data = dict(MEETING_POST, ends_at="2026-04-14T09:00")
    response = fac.post(reverse("meetings:meeting_create", args=[rab.pk]), data)
    assert response.status_code == 200
    assert "The meeting must end after it starts." in response.content.decode()
    assert not Meeting.objects.exists()


def test_in_person_meeting_needs_a_location(fac, rab):
    data = dict(MEETING_POST, mode="in_person", link="")
    response = fac.post(reverse("meetings:meeting_create", args=[rab.pk]), data)
    assert "Give the location of an in-person or hybrid meeting." in response.content.decode()
    assert not Meeting.objects.exists()


def test_cadence_warning_when_the_next_meeting_comes_too_late(fac, rab, facilitator):
    MeetingFactory(body=rab, starts_at=eastern(2025, 5, 1, 10, 0))
    response = fac.post(
        reverse("meetings:meeting_create", args=[rab.pk]), dict(MEETING_POST, starts_at="2026-04-14T10:00")
    )
    assert response.status_code == 302
    assert any("expected to meet 2 times a year" in t for t in texts(response))
    page = fac.get(reverse("meetings:body_detail", args=[rab.pk])).content.decode()
    assert "later than the expected cadence" in page


def test_no_cadence_warning_when_on_time(fac, rab):
    MeetingFactory(body=rab, starts_at=eastern(2025, 12, 1, 10, 0))
    response = fac.post(reverse("meetings:meeting_create", args=[rab.pk]), MEETING_POST)
    assert not any("times a year" in t for t in texts(response))


def test_copy_a_past_meeting_as_a_template(fac, rab, meeting, facilitator):
    AgendaItemFactory(meeting=meeting, position=1, title="Welcome", minutes=10)
    AgendaItemFactory(meeting=meeting, position=2, title="Needs assessment", minutes=40)
    url = reverse("meetings:meeting_create", args=[rab.pk])
    form = fac.get(url, {"copy": meeting.pk})
    assert 'value="Spring meeting"' in form.content.decode()
    response = fac.post(url, dict(MEETING_POST, copy=meeting.pk, title="Fall meeting"))
    copy = Meeting.objects.get(title="Fall meeting")
    assert response.status_code == 302
    assert copy.copied_from == meeting
    assert list(copy.agenda_items.values_list("position", "title")) == [
        (1, "Welcome"),
        (2, "Needs assessment"),
    ]


def test_edit_moves_the_meeting_and_bumps_the_calendar_sequence(fac, meeting):
    url = reverse("meetings:meeting_update", args=[meeting.pk])
    data = dict(MEETING_POST, starts_at="2026-03-11T10:00", ends_at="2026-03-11T11:00")
    assert fac.post(url, data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    assert meeting.starts_at == eastern(2026, 3, 11, 10, 0)
    bad = fac.post(url, dict(data, ends_at="2026-03-11T08:00"))
    assert bad.status_code == 200
    meeting.refresh_from_db()
    assert meeting.ends_at == eastern(2026, 3, 11, 11, 0)


def test_cancel_needs_a_reason_and_cancelled_meetings_cannot_be_edited(fac, meeting):
    url = reverse("meetings:meeting_cancel", args=[meeting.pk])
    assert fac.post(url, {"reason": "  "}).status_code == 200
    meeting.refresh_from_db()
    assert not meeting.is_cancelled
    assert fac.post(url, {"reason": "Snowstorm"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.is_cancelled
    assert meeting.cancel_reason == "Snowstorm"
    again = fac.post(url, {"reason": "Again"})
    assert "already cancelled" in again.content.decode()
    edit = fac.get(reverse("meetings:meeting_update", args=[meeting.pk]))
    assert edit.status_code == 302
    assert "cannot be edited" in " ".join(texts(edit))


def test_agenda_longer_than_the_meeting_is_a_warning_not_a_block(fac, meeting, rab, members):
    url = reverse("meetings:agenda_item_create", args=[meeting.pk])
    purpose = rab.purposes.get(number=1)
    first = fac.post(
        url,
        {"title": "Needs of the region", "minutes": 40, "purpose": purpose.pk, "presenter": members[0].pk},
    )
    assert first.status_code == 302
    assert not any("longer" in t for t in texts(first))
    second = fac.post(
        url, {"title": "Services of the center", "minutes": 30, "presenter_name": "Center director"}
    )
    assert second.status_code == 302
    assert any("runs 10 minutes longer than the meeting (60 minutes)" in t for t in texts(second))
    assert list(meeting.agenda_items.values_list("position", "minutes")) == [(1, 40), (2, 30)]
    page = fac.get(meeting.get_absolute_url()).content.decode()
    assert "70 of 60 minutes planned" in page
    assert "(1) Assess needs and high-leverage problems." in page


def test_agenda_purpose_of_another_body_is_refused(fac, meeting):
    other = AdvisoryBodyFactory()
    foreign = other.purposes.create(number=1, text="Something else")
    response = fac.post(
        reverse("meetings:agenda_item_create", args=[meeting.pk]),
        {"title": "X", "minutes": 5, "purpose": foreign.pk},
    )
    assert response.status_code == 200
    assert not AgendaItem.objects.exists()


def test_agenda_items_move_and_renumber(fac, meeting):
    a = AgendaItemFactory(meeting=meeting, position=1, title="A")
    b = AgendaItemFactory(meeting=meeting, position=2, title="B")
    c = AgendaItemFactory(meeting=meeting, position=3, title="C")
    fac.post(reverse("meetings:agenda_item_move", args=[c.pk]), {"direction": "up"})
    assert list(meeting.agenda_items.order_by("position").values_list("title", flat=True)) == ["A", "C", "B"]
    fac.post(reverse("meetings:agenda_item_delete", args=[a.pk]))
    assert list(meeting.agenda_items.order_by("position").values_list("position", "title")) == [
        (1, "C"),
        (2, "B"),
    ]
    assert b.pk in meeting.agenda_items.values_list("pk", flat=True)
    assert fac.get(reverse("meetings:agenda_item_move", args=[b.pk])).status_code == 405  # no change on GET


def test_attendance_is_taken_on_the_day(fac, meeting, ct_member):
    ct = meeting.participants.get(stakeholder=ct_member)
    response = fac.post(reverse("meetings:attendance", args=[meeting.pk]), {f"attendance_{ct.pk}": "present"})
    assert "Attendance is taken on the day of the meeting" in response.content.decode()
    ct.refresh_from_db()
    assert ct.attendance == ""


def test_attendance_delegate_must_be_named_and_quorum_is_shown(
    fac, meeting, ct_member, center_member, frozen, facilitator
):
    frozen.move_to(eastern(2026, 3, 10, 11, 0))
    fac.force_login(facilitator)  # a new day, a new session
    ct = meeting.participants.get(stakeholder=ct_member)
    center = meeting.participants.get(stakeholder=center_member)
    url = reverse("meetings:attendance", args=[meeting.pk])
    bad = fac.post(
        url,
        {f"attendance_{ct.pk}": "delegate", f"delegate_{ct.pk}": "", f"attendance_{center.pk}": "present"},
    )
    assert bad.status_code == 200
    assert "Say who attended in place of Dana Todd." in bad.content.decode()
    assert not Participant.objects.exclude(attendance="").exists()
    # Two voting members: a majority is 2. One present is not a quorum.
    fac.post(url, {f"attendance_{ct.pk}": "absent", f"attendance_{center.pk}": "present"})
    assert "Quorum not met" in fac.get(meeting.get_absolute_url()).content.decode()
    ok = fac.post(
        url,
        {
            f"attendance_{ct.pk}": "delegate",
            f"delegate_{ct.pk}": "Pat Lee",
            f"attendance_{center.pk}": "present",
        },
    )
    assert any("Quorum met" in t for t in texts(ok))
    ct.refresh_from_db()
    assert ct.attendance == "delegate"
    assert ct.delegate_name == "Pat Lee"
    page = fac.get(meeting.get_absolute_url()).content.decode()
    assert "Quorum met" in page
    assert "Sent a delegate: Pat Lee" in page


def test_minutes_wait_for_the_day_of_the_meeting_like_attendance(fac, meeting, frozen, facilitator):
    url = reverse("meetings:minutes_edit", args=[meeting.pk])
    page = fac.get(meeting.get_absolute_url()).content.decode()
    assert "Attendance and minutes open on the day of the meeting" in page
    assert url not in page
    response = fac.post(url, {"text": "Drafted too early"})
    assert response.status_code == 200
    assert "Minutes are written from the day of the meeting, not before." in response.content.decode()
    assert not Minutes.objects.filter(meeting=meeting).exists()
    frozen.move_to(eastern(2026, 3, 10, 8, 0))
    fac.force_login(facilitator)  # the idle session ended while the clock moved on
    assert url in fac.get(meeting.get_absolute_url()).content.decode()
    assert fac.post(url, {"text": "Draft"}).status_code == 302


def test_minutes_markdown_is_rendered_inert_and_approval_locks_them(fac, meeting, frozen, facilitator):
    frozen.move_to(eastern(2026, 3, 10, 11, 0))
    fac.force_login(facilitator)
    url = reverse("meetings:minutes_edit", args=[meeting.pk])
    text = (
        "## Needs\n\n- CT asked for **data** support\n\n"
        '<script>alert("x")</script>\n\n<img src=x onerror="alert(1)">\n\n[click](javascript:alert(1))\n\n'
        '<a href="https://r2cc.example.org" onclick="alert(2)">site</a>'
    )
    assert fac.post(url, {"text": text}).status_code == 302
    page = fac.get(meeting.get_absolute_url()).content.decode()
    minutes_html = page[page.index('id="minutes"') :]
    assert "<strong>data</strong>" in minutes_html
    assert "<h3>Needs</h3>" in minutes_html
    assert "<script>alert" not in minutes_html
    assert "onerror" not in minutes_html
    assert "onclick" not in minutes_html
    assert "javascript:" not in minutes_html
    approve = reverse("meetings:minutes_approve", args=[meeting.pk])
    assert fac.post(approve).status_code == 302
    minutes = Minutes.objects.get()
    assert minutes.is_approved
    assert minutes.approved_at is not None
    twice = fac.post(approve, follow=True)
    assert "These minutes were approved on" in twice.content.decode()
    assert Minutes.history.filter(status="approved").count() == 1
    change = fac.post(url, {"text": "Rewritten"}, follow=True)
    assert "read-only" in change.content.decode()
    minutes.refresh_from_db()
    assert minutes.text == text
    assert (
        fac.post(reverse("meetings:decision_create", args=[meeting.pk]), {"text": "Late"}).status_code == 200
    )
    assert not Decision.objects.exists()


def test_decisions_are_recorded_as_their_own_items(fac, meeting):
    item = AgendaItemFactory(meeting=meeting, position=1)
    response = fac.post(
        reverse("meetings:decision_create", args=[meeting.pk]),
        {"text": "Adopt the needs-assessment protocol.", "agenda_item": item.pk},
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert decision.agenda_item == item
    assert "Adopt the needs-assessment protocol." in fac.get(meeting.get_absolute_url()).content.decode()


def test_action_item_due_before_the_meeting_is_refused(fac, meeting, ct_member):
    url = reverse("meetings:action_item_create", args=[meeting.pk])
    response = fac.post(
        url, {"description": "Send data", "owner_stakeholder": ct_member.pk, "due_date": "2026-03-09"}
    )
    assert response.status_code == 200
    assert "The due date cannot be before the meeting (March 10, 2026)." in response.content.decode()
    assert not ActionItem.objects.exists()
    no_owner = fac.post(url, {"description": "Send data", "due_date": "2026-04-01"})
    assert "Choose an owner" in no_owner.content.decode()
    assert (
        fac.post(
            url, {"description": "Send data", "owner_stakeholder": ct_member.pk, "due_date": "2026-04-01"}
        ).status_code
        == 302
    )
    assert ActionItem.objects.get().owner_stakeholder == ct_member


def test_open_action_items_appear_on_the_next_agenda(fac, meeting, rab, facilitator, ct_member):
    done = ActionItemFactory(
        meeting=meeting, description="Already done", status="done", owner_stakeholder=ct_member
    )
    ActionItemFactory(meeting=meeting, description="Draft the survey", owner_stakeholder=ct_member)
    next_meeting = meeting_services.meeting_create(
        author=facilitator,
        body=rab,
        title="Fall meeting",
        starts_at=eastern(2026, 9, 10, 10, 0),
        ends_at=eastern(2026, 9, 10, 12, 0),
        mode="virtual",
        link="https://meet.example.org/rab",
    )
    page = fac.get(next_meeting.get_absolute_url()).content.decode()
    carried = page[page.index('id="carried-over"') : page.index('id="participants"')]
    assert "Draft the survey" in carried
    assert done.description not in carried
    packet = fac.get(reverse("meetings:meeting_packet", args=[next_meeting.pk])).content.decode()
    assert "Draft the survey" in packet


def test_overlapping_membership_is_refused(fac, rab, ct_member, ct):
    url = reverse("meetings:membership_create", args=[rab.pk])
    data = {
        "stakeholder": ct_member.pk,
        "role": "member",
        "is_voting": "on",
        "represents_sea": ct.pk,
        "term_start": "2025-01-01",
    }
    response = fac.post(url, data)
    assert response.status_code == 200
    assert "overlapping term" in response.content.decode()
    assert Membership.objects.filter(stakeholder=ct_member).count() == 1
    newcomer = StakeholderFactory(sea=ct)
    ok = fac.post(url, dict(data, stakeholder=newcomer.pk, term_end="2026-05-01"))
    assert ok.status_code == 302
    page = fac.get(reverse("meetings:body_detail", args=[rab.pk])).content.decode()
    assert "Terms ending in the next 90 days" in page
    assert newcomer.full_name in page


def test_feedback_in_the_meeting_and_its_summary_on_the_body_page(fac, meeting, rab, ct_member):
    url = reverse("meetings:feedback_create", args=[meeting.pk])
    bad = fac.post(url, {"resource": "Guidebook", "quality": 6, "relevance": 4, "usefulness": 4})
    assert bad.status_code == 200
    assert not Feedback.objects.exists()
    for q in (4, 2):
        fac.post(
            url,
            {
                "stakeholder": ct_member.pk,
                "resource": "Guidebook",
                "quality": q,
                "relevance": 5,
                "usefulness": 3,
            },
        )
    assert Feedback.objects.count() == 2
    page = fac.get(reverse("meetings:body_detail", args=[rab.pk])).content.decode()
    assert "Average ratings per resource or service" in page
    assert '<th scope="row">Guidebook</th><td>2</td><td>3.0</td><td>5.0</td><td>3.0</td>' in page
    assert "2026 Q1" in page
    assert "<svg" in page


def test_meeting_packet_and_ics_download(fac, meeting):
    AgendaItemFactory(meeting=meeting, position=1, title="Welcome")
    packet = fac.get(reverse("meetings:meeting_packet", args=[meeting.pk])).content.decode()
    for heading in (
        "Agenda",
        "Open action items",
        "Minutes of the last meeting",
        "Progress of the projects on the agenda",
    ):
        assert heading in packet
    response = fac.get(reverse("meetings:meeting_ics", args=[meeting.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    assert f"meeting-{meeting.uid}@r2cc-portal" in response.content.decode()


def test_facilitator_journey_pages_render(fac, meeting, rab):
    for url in (
        reverse("meetings:body_list"),
        reverse("meetings:body_detail", args=[rab.pk]),
        meeting.get_absolute_url(),
        reverse("meetings:meeting_invite", args=[meeting.pk]),
        reverse("meetings:attendance", args=[meeting.pk]),
        reverse("meetings:minutes_edit", args=[meeting.pk]),
        reverse("meetings:action_item_list"),
        reverse("meetings:feeds"),
    ):
        assert fac.get(url).status_code == 200, url


def test_malformed_parameters_are_404_not_500(fac, rab, meeting):
    assert fac.get(reverse("meetings:meeting_create", args=[rab.pk]), {"copy": "abc"}).status_code == 404
    assert (
        fac.get(reverse("meetings:action_item_create", args=[meeting.pk]), {"agenda_item": "x"}).status_code
        == 200
    )
    assert fac.get(reverse("meetings:action_item_list"), {"page": "zz", "body": "nope"}).status_code == 200


def test_an_invalid_attendance_choice_is_shown_next_to_its_field_and_nothing_is_saved(
    fac, meeting, ct_member, center_member, frozen, facilitator
):
    frozen.move_to(eastern(2026, 3, 10, 11, 0))
    fac.force_login(facilitator)
    ct = meeting.participants.get(stakeholder=ct_member)
    center = meeting.participants.get(stakeholder=center_member)
    response = fac.post(
        reverse("meetings:attendance", args=[meeting.pk]),
        {
            f"attendance_{ct.pk}": "sleeping",
            f"attendance_{center.pk}": "delegate",
            f"delegate_{center.pk}": "Pat Lee",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    field = f'id="id_attendance_{ct.pk}"'
    assert field in page
    select = page[page.index(f'<select name="attendance_{ct.pk}"') :]
    select = select[: select.index("</td>")]
    assert "is-invalid" in select
    assert 'aria-invalid="true"' in select
    assert f'aria-describedby="id_attendance_{ct.pk}_error"' in select
    assert f'id="id_attendance_{ct.pk}_error"' in select
    assert "Select a valid choice. sleeping is not one of the available choices." in select
    # The other row keeps what was entered.
    other = page[page.index(f'<select name="attendance_{center.pk}"') :]
    assert '<option value="delegate" selected>' in other[: other.index("</select>")]
    assert 'value="Pat Lee"' in page
    assert not Participant.objects.exclude(attendance="").exists()
