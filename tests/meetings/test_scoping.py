"""Who sees what: role × state × page."""

import pytest
from django.urls import reverse

from meetings.models import Minutes
from tests.meetings.factories import ActionItemFactory, AgendaItemFactory, MeetingFactory
from tests.stakeholders.factories import (
    AdvisoryBodyFactory,
    MembershipFactory,
    PartnerCenterFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(rab, members, ct_member, ct_staff):
    meeting = MeetingFactory(body=rab, title="Spring meeting")
    item = AgendaItemFactory(meeting=meeting, title="Needs of the region")
    action = ActionItemFactory(meeting=meeting, owner_stakeholder=ct_member, description="Share the CT data")
    ct_member.user = ct_staff
    ct_member.save(update_fields=["user"])
    return {"body": rab, "meeting": meeting, "item": item, "action": action}


READ_PAGES = [
    ("meetings:body_detail", "body"),
    ("meetings:meeting_detail", "meeting"),
    ("meetings:meeting_packet", "meeting"),
    ("meetings:meeting_ics", "meeting"),
]
MANAGE_PAGES = [
    ("meetings:meeting_create", "body"),
    ("meetings:membership_create", "body"),
    ("meetings:meeting_update", "meeting"),
    ("meetings:meeting_cancel", "meeting"),
    ("meetings:meeting_invite", "meeting"),
    ("meetings:attendance", "meeting"),
    ("meetings:agenda_item_create", "meeting"),
    ("meetings:agenda_item_update", "item"),
    ("meetings:minutes_edit", "meeting"),
    ("meetings:decision_create", "meeting"),
    ("meetings:action_item_create", "meeting"),
    ("meetings:feedback_create", "meeting"),
]


def _get(client, user, name, obj):
    if user is not None:
        client.force_login(user)
    return client.get(reverse(name, args=[obj.pk]))


@pytest.mark.parametrize(("name", "key"), READ_PAGES)
def test_read_pages(client, world, facilitator, ct_staff, ny_staff, admin_user, name, key):
    obj = world[key]
    for user, expected in [(facilitator, 200), (admin_user, 200), (ct_staff, 200), (ny_staff, 404)]:
        client.logout()
        assert _get(client, user, name, obj).status_code == expected, (user, name)
    client.logout()
    response = _get(client, None, name, obj)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "key"), MANAGE_PAGES)
def test_manage_pages_only_for_facilitators(client, world, facilitator, ct_staff, ny_staff, name, key):
    obj = world[key]
    for user, expected in [(facilitator, 200), (ct_staff, 404), (ny_staff, 404)]:
        client.logout()
        assert _get(client, user, name, obj).status_code == expected, (user, name)
    client.logout()
    response = _get(client, None, name, obj)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_manage_posts_are_404_for_sea_staff_and_change_nothing(client, world, ct_staff):
    client.force_login(ct_staff)
    meeting = world["meeting"]
    response = client.post(reverse("meetings:meeting_cancel", args=[meeting.pk]), {"reason": "No"})
    assert response.status_code == 404
    response = client.post(reverse("meetings:agenda_item_delete", args=[world["item"].pk]))
    assert response.status_code == 404
    meeting.refresh_from_db()
    assert not meeting.is_cancelled
    assert meeting.agenda_items.count() == 1


def test_action_item_owner_may_update_status_others_not(client, world, ct_staff, ny_staff, facilitator, ct):
    action = world["action"]
    url = reverse("meetings:action_item_update", args=[action.pk])
    client.force_login(ny_staff)
    assert client.get(url).status_code == 404
    other_ct = StakeholderFactory(sea=ct)
    client.force_login(facilitator)
    assert client.get(url).status_code == 200
    client.force_login(ct_staff)
    assert client.get(url).status_code == 200
    response = client.post(url, {"status": "done", "status_note": "Shared on Friday"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "done" and action.closed_on is not None
    # Another CT person's item: visible through the body, not editable.
    theirs = ActionItemFactory(meeting=world["meeting"], owner_stakeholder=other_ct)
    assert client.get(reverse("meetings:action_item_update", args=[theirs.pk])).status_code == 404


def test_sea_staff_see_approved_minutes_only(client, world, ct_staff, facilitator):
    meeting = world["meeting"]
    minutes = Minutes.objects.create(meeting=meeting, text="Draft text about **needs**")
    url = reverse("meetings:meeting_detail", args=[meeting.pk])
    client.force_login(ct_staff)
    assert b"Draft text" not in client.get(url).content
    client.force_login(facilitator)
    assert b"Draft text" in client.get(url).content
    from meetings.services.minutes import minutes_approve

    minutes_approve(minutes=minutes, by=facilitator)
    client.force_login(ct_staff)
    assert b"Draft text" in client.get(url).content


def test_bodies_of_other_states_are_hidden_from_lists(client, world, ct_staff, ny_staff):
    center_only = AdvisoryBodyFactory(name="Regional Coordinating Council", short_name="RCC")
    center = PartnerCenterFactory()
    MembershipFactory(
        body=center_only,
        stakeholder=StakeholderFactory(sea=None, partner_center=center),
        represents_sea=None,
        represents_center=center,
    )
    MeetingFactory(body=center_only, title="Council meeting")
    client.force_login(ct_staff)
    content = client.get(reverse("meetings:body_list")).content.decode()
    assert "Regional Advisory Board" in content
    assert "Regional Coordinating Council" not in content
    assert client.get(reverse("meetings:body_detail", args=[center_only.pk])).status_code == 404
    client.force_login(ny_staff)
    content = client.get(reverse("meetings:body_list")).content.decode()
    assert "Regional Advisory Board" not in content
    listing = client.get(reverse("meetings:action_item_list"), {"status": "all"}).content.decode()
    assert "Share the CT data" not in listing
    exported = b"".join(
        client.get(reverse("meetings:action_item_list"), {"status": "all", "format": "csv"}).streaming_content
    ).decode("utf-8-sig")
    assert "Share the CT data" not in exported and exported.startswith("id,body")
    client.force_login(ct_staff)
    exported = b"".join(
        client.get(reverse("meetings:action_item_list"), {"status": "all", "format": "csv"}).streaming_content
    ).decode("utf-8-sig")
    assert "Share the CT data" in exported


def test_sea_staff_who_sit_on_a_body_see_it(client, ny_staff, ny):
    body = AdvisoryBodyFactory(name="Council of centers", short_name="CoC")
    center = PartnerCenterFactory()
    person = StakeholderFactory(sea=None, partner_center=center, user=ny_staff)
    MembershipFactory(body=body, stakeholder=person, represents_sea=None, represents_center=center)
    client.force_login(ny_staff)
    assert client.get(reverse("meetings:body_detail", args=[body.pk])).status_code == 200


def test_sea_staff_invited_as_guests_see_that_meeting_only(client, world, ny_staff, ny):
    from tests.meetings.factories import ParticipantFactory

    guest = StakeholderFactory(sea=ny, user=ny_staff)
    ParticipantFactory(meeting=world["meeting"], stakeholder=guest)
    other = MeetingFactory(body=world["body"], title="Another meeting")
    client.force_login(ny_staff)
    assert client.get(world["meeting"].get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404
    assert client.get(reverse("meetings:body_detail", args=[world["body"].pk])).status_code == 404
