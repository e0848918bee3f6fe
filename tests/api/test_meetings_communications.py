"""API for meetings, action items, communications, deliveries and indicator values."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from meetings.models import ActionItem
from projects.models import IndicatorValue
from tests.communications.factories import compose
from tests.meetings.factories import ActionItemFactory, MeetingFactory
from tests.projects.factories import IndicatorFactory, ProjectFactory
from tests.stakeholders.factories import AdvisoryBodyFactory, MembershipFactory, StakeholderFactory


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def bodies(ct, ny):
    ct_body = AdvisoryBodyFactory(name="Connecticut Council")
    ny_body = AdvisoryBodyFactory(name="Empire Hidden Board")
    MembershipFactory(body=ct_body, stakeholder=StakeholderFactory(sea=ct))
    MembershipFactory(body=ny_body, stakeholder=StakeholderFactory(sea=ny))
    return {
        "ct_meeting": MeetingFactory(body=ct_body, title="Connecticut spring meeting"),
        "ny_meeting": MeetingFactory(body=ny_body, title="Empire secret meeting"),
        "ny_body": ny_body,
    }


@pytest.mark.django_db
def test_meetings_follow_the_portals_body_rules(api, ct_staff, facilitator, bodies):
    api.force_authenticate(ct_staff)
    listed = api.get("/api/v1/meetings/").content.decode()
    assert "Connecticut spring meeting" in listed
    assert "Empire secret meeting" not in listed
    assert api.get(f"/api/v1/meetings/{bodies['ny_meeting'].pk}/").status_code == 404
    assert "Empire Hidden Board" not in api.get("/api/v1/advisory-bodies/").content.decode()
    assert api.get(f"/api/v1/advisory-bodies/{bodies['ny_body'].pk}/").status_code == 404
    api.force_authenticate(facilitator)
    assert api.get("/api/v1/meetings/").json()["count"] == 2


@pytest.mark.django_db
def test_action_item_owners_change_status_others_cannot(api, ct, ct_staff, facilitator, bodies):
    owner_person = StakeholderFactory(sea=ct, user=ct_staff)
    mine = ActionItemFactory(meeting=bodies["ct_meeting"], owner_stakeholder=owner_person)
    theirs = ActionItemFactory(meeting=bodies["ct_meeting"], owner_stakeholder=StakeholderFactory(sea=ct))
    hidden = ActionItemFactory(meeting=bodies["ny_meeting"])
    api.force_authenticate(ct_staff)
    response = api.patch(
        f"/api/v1/action-items/{mine.pk}/", {"status": "done", "status_note": "Sent."}, format="json"
    )
    assert response.status_code == 200, response.json()
    mine.refresh_from_db()
    assert mine.status == ActionItem.Status.DONE
    assert mine.closed_on is not None
    assert (
        api.patch(f"/api/v1/action-items/{theirs.pk}/", {"status": "done"}, format="json").status_code == 403
    )
    assert (
        api.patch(f"/api/v1/action-items/{hidden.pk}/", {"status": "done"}, format="json").status_code == 404
    )
    bad = api.patch(f"/api/v1/action-items/{mine.pk}/", {"description": "changed"}, format="json")
    assert bad.status_code == 400
    assert bad.json() == {"description": ["This field is not known."]}
    assert api.put(f"/api/v1/action-items/{mine.pk}/", {}, format="json").status_code == 405


@pytest.mark.django_db
def test_communications_and_deliveries_are_scoped_and_read_only(api, ct_staff, ny_staff):
    message = compose(ct_staff, subject="Connecticut pilot update")
    api.force_authenticate(ny_staff)
    assert "Connecticut pilot update" not in api.get("/api/v1/communications/").content.decode()
    assert api.get(f"/api/v1/communications/{message.pk}/").status_code == 404
    assert api.get("/api/v1/deliveries/").json()["results"] == []
    api.force_authenticate(ct_staff)
    assert api.get(f"/api/v1/communications/{message.pk}/").json()["subject"] == "Connecticut pilot update"
    assert api.post("/api/v1/communications/", {"subject": "x"}, format="json").status_code == 405


@pytest.mark.django_db
def test_indicator_values_are_recorded_through_the_service(api, ct, ny, ct_staff):
    indicator = IndicatorFactory(project=ProjectFactory(sea=ct))
    hidden = IndicatorFactory(project=ProjectFactory(sea=ny))
    api.force_authenticate(ct_staff)
    payload = {
        "indicator": indicator.pk,
        "measured_on": "2025-06-30",
        "value": "11.50",
        "note": "Spring count",
    }
    response = api.post("/api/v1/indicator-values/", payload, format="json")
    assert response.status_code == 201, response.json()
    value = IndicatorValue.objects.get(pk=response.json()["id"])
    assert value.recorded_by == ct_staff
    assert str(value.value) == "11.50"
    again = api.post("/api/v1/indicator-values/", payload, format="json")
    assert again.status_code == 400
    assert "measured_on" in again.json()
    other = api.post("/api/v1/indicator-values/", {**payload, "indicator": hidden.pk}, format="json")
    assert other.status_code == 400
    assert "indicator" in other.json()
    future = (timezone.localdate() + datetime.timedelta(days=40)).isoformat()
    assert (
        api.post("/api/v1/indicator-values/", {**payload, "measured_on": future}, format="json").status_code
        == 400
    )


@pytest.mark.django_db
def test_test_sends_and_password_resets_are_not_listed_as_deliveries(api, ct, facilitator):
    from communications import services
    from communications.account_mail import password_reset_queue

    StakeholderFactory(sea=ct)
    message = compose(facilitator, audience={"seas": [ct.pk]}, subject="Pilot update")
    services.communication_send_test(communication=message, recipient=message_recipient(ct), by=facilitator)
    password_reset_queue(user=facilitator)
    api.force_authenticate(facilitator)
    assert api.get("/api/v1/deliveries/").json()["results"] == []
    subjects = [c["subject"] for c in api.get("/api/v1/communications/").json()["results"]]
    assert subjects == ["Pilot update"]


def message_recipient(sea):
    from stakeholders.models import Stakeholder

    return Stakeholder.objects.filter(sea=sea).first()
