"""One rule for who sees which body, services that check their actor, one CSV writer."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from communications.digests import digest_body
from meetings.models import ActionItem, Minutes
from meetings.services import actions, agenda, meetings, minutes, notices
from stakeholders.models import AdvisoryBody
from tests.communications.factories import compose
from tests.meetings.factories import ActionItemFactory, AgendaItemFactory, MeetingFactory, eastern
from tests.stakeholders.factories import AdvisoryBodyFactory, MembershipFactory, StakeholderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ct_body(ct):
    """A body on which only Connecticut is represented."""
    body = AdvisoryBodyFactory(short_name="CTB", name="Connecticut board")
    MembershipFactory(body=body, stakeholder=StakeholderFactory(sea=ct))
    return body


def test_one_answer_for_which_bodies_a_user_sees(
    client, ct_body, rab, ct_member, ct_staff, ny_staff, facilitator
):
    assert set(AdvisoryBody.objects.visible_to(ct_staff)) == {ct_body, rab}
    assert set(AdvisoryBody.objects.visible_to(ny_staff)) == set()
    assert set(AdvisoryBody.objects.visible_to(facilitator)) == {ct_body, rab}
    client.force_login(ny_staff)
    assert "Connecticut board" not in client.get("/api/v1/advisory-bodies/").content.decode()
    assert client.get(reverse("meetings:body_detail", args=[ct_body.pk])).status_code == 404


def test_a_body_of_another_state_cannot_be_named_in_a_communication(ct_body, ny_staff, ct_staff):
    with pytest.raises(ValidationError):
        compose(ny_staff, advisory_body=ct_body)
    with pytest.raises(ValidationError):
        compose(ny_staff, audience={"bodies": [ct_body.pk]})
    assert compose(ct_staff, advisory_body=ct_body, audience={"bodies": [ct_body.pk]}).pk


def test_digest_lists_meetings_of_the_bodies_the_state_sees(ct_body, ct, ny, frozen):
    now = datetime.datetime.now(datetime.UTC)
    MeetingFactory(body=ct_body, title="Connecticut only", starts_at=now + datetime.timedelta(days=3))
    assert "Connecticut only" in digest_body(sea=ct, week_start=now.date())
    assert "Connecticut only" not in digest_body(sea=ny, week_start=now.date())


@pytest.fixture
def meeting(rab, members, frozen):
    return MeetingFactory(body=rab, starts_at=eastern(2026, 3, 1, 8, 0))


def _refused(call):
    with pytest.raises(PermissionDenied):
        call()


def test_meeting_services_refuse_an_actor_who_may_not_manage(meeting, rab, ct_staff, ny_staff, facilitator):
    item = AgendaItemFactory(meeting=meeting, position=1)
    for actor in (ct_staff, ny_staff, None):
        _refused(
            lambda actor=actor: meetings.meeting_create(
                author=actor,
                body=rab,
                title="Rogue",
                starts_at=eastern(2026, 4, 1, 10, 0),
                ends_at=eastern(2026, 4, 1, 11, 0),
                mode="virtual",
                link="https://meet.example.org/x",
            )
        )
        _refused(lambda actor=actor: meetings.meeting_update(meeting=meeting, editor=actor, title="Changed"))
        _refused(lambda actor=actor: meetings.meeting_cancel(meeting=meeting, by=actor, reason="No"))
        _refused(lambda actor=actor: meetings.meeting_invite(meeting=meeting, by=actor))
        _refused(lambda actor=actor: meetings.attendance_record(meeting=meeting, by=actor, rows=[]))
        _refused(
            lambda actor=actor: meetings.membership_add(
                body=rab, by=actor, stakeholder=StakeholderFactory(), term_start=datetime.date(2026, 1, 1)
            )
        )
        _refused(
            lambda actor=actor: agenda.agenda_item_create(meeting=meeting, by=actor, title="X", minutes=5)
        )
        _refused(lambda actor=actor: agenda.agenda_item_update(item=item, by=actor, title="Y"))
        _refused(lambda actor=actor: agenda.agenda_item_move(item=item, by=actor, direction="down"))
        _refused(lambda actor=actor: agenda.agenda_item_delete(item=item, by=actor))
        _refused(lambda actor=actor: minutes.minutes_save(meeting=meeting, editor=actor, text="Notes"))
        _refused(lambda actor=actor: minutes.decision_record(meeting=meeting, by=actor, text="Agreed"))
        _refused(
            lambda actor=actor: actions.action_item_create(
                meeting=meeting, by=actor, description="Do it", due_date=datetime.date(2026, 4, 1)
            )
        )
        _refused(lambda actor=actor: notices.feedback_request_send(body=rab, by=actor))
        _refused(lambda actor=actor: notices.reminders_withdraw(meeting=meeting, by=actor, reason="x"))
    saved = minutes.minutes_save(meeting=meeting, editor=facilitator, text="Notes")
    for actor in (ct_staff, ny_staff):
        _refused(lambda actor=actor: minutes.minutes_approve(minutes=saved, by=actor))
    assert Minutes.objects.get(pk=saved.pk).status == Minutes.Status.DRAFT
    assert agenda.agenda_item_create(meeting=meeting, by=facilitator, title="Fine", minutes=5).pk
    assert meeting.agenda_items.count() == 2


def test_action_item_update_checks_the_editor(meeting, ct_member, ct_staff, ny_staff, facilitator):
    item = ActionItemFactory(meeting=meeting, owner_stakeholder=ct_member)
    _refused(lambda: actions.action_item_update(item=item, editor=ny_staff, status="done"))
    _refused(lambda: actions.action_item_update(item=item, editor=ct_staff, status="done"))
    ct_member.user = ct_staff
    ct_member.save(update_fields=["user"])
    updated = actions.action_item_update(item=item, editor=ct_staff, status="done")
    assert updated.status == "done"
    assert item.history.latest().history_user == ct_staff
    assert ActionItem.objects.get(pk=item.pk).closed_on is not None


def test_services_record_their_actor_in_history(meeting, facilitator):
    meetings.meeting_update(meeting=meeting, editor=facilitator, title="Renamed")
    assert meeting.history.latest().history_user == facilitator
    saved = minutes.minutes_save(meeting=meeting, editor=facilitator, text="Notes")
    assert saved.history.latest().history_user == facilitator


def test_action_item_csv_defuses_every_text_cell(client, meeting, facilitator):
    meeting.title = "=cmd|' /C calc'!A0"
    meeting.save(update_fields=["title"])
    ActionItemFactory(meeting=meeting, description="Plain", status_note="")
    client.force_login(facilitator)
    response = client.get(reverse("meetings:action_item_list"), {"format": "csv", "status": "all"})
    text = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[1][2] == "'=cmd|' /C calc'!A0"
