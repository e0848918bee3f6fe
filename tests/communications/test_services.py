import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from communications import sending, services
from communications.models import Communication, Delivery, Occurrence, Schedule
from tests.communications.factories import compose
from tests.stakeholders.factories import StakeholderFactory

pytestmark = pytest.mark.django_db


def send_everything():
    result = sending.communications_tick()
    while sending.deliveries_send_batch():
        pass
    sending.occurrences_finish()
    return result


def test_compose_schedule_send_now(facilitator, ct):
    people = StakeholderFactory.create_batch(3, sea=ct)
    comm = compose(facilitator, audience={"seas": [ct.pk]})
    assert comm.status == Communication.Status.DRAFT
    schedule = services.communication_schedule(communication=comm)
    assert schedule.expected_count == 3
    send_everything()
    assert sorted(m.to[0].split("<")[1].rstrip(">") for m in mail.outbox) == sorted(p.email for p in people)
    first = mail.outbox[0]
    assert first.subject.startswith("Project update for ")
    assert first.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "<strong>pilot</strong>" in first.alternatives[0][0]
    assert Delivery.objects.filter(status="sent").count() == 3
    assert Occurrence.objects.get().status == Occurrence.Status.DONE
    # Running the sweep again sends nothing more.
    send_everything()
    assert len(mail.outbox) == 3


def test_sea_staff_cannot_name_another_states_people(ct_staff, ny):
    other = StakeholderFactory(sea=ny)
    with pytest.raises(ValidationError):
        compose(ct_staff, audience={"include": [other.pk]})
    with pytest.raises(ValidationError):
        compose(ct_staff, audience={"seas": [ny.pk]})


def test_opt_out_after_materializing_is_honoured(facilitator, ct):
    a, b = StakeholderFactory.create_batch(2, sea=ct)
    comm = compose(facilitator, audience={"seas": [ct.pk]})
    services.communication_schedule(communication=comm)
    sending.communications_tick()
    services.stakeholder_unsubscribe(stakeholder=a, category="project_update")
    while sending.deliveries_send_batch():
        pass
    assert len(mail.outbox) == 1
    assert Delivery.objects.get(stakeholder=a).status == Delivery.Status.OPTED_OUT


def test_cancel_stops_pending(facilitator, ct):
    StakeholderFactory.create_batch(2, sea=ct)
    comm = compose(facilitator, audience={"seas": [ct.pk]})
    services.communication_schedule(communication=comm)
    sending.communications_tick()
    services.communication_cancel(communication=comm, by=facilitator, reason="Wrong draft")
    while sending.deliveries_send_batch():
        pass
    assert mail.outbox == []
    assert set(Delivery.objects.values_list("status", flat=True)) == {"cancelled"}


def test_recurrence_weekly(facilitator, ct):
    StakeholderFactory(sea=ct)
    comm = compose(facilitator, audience={"seas": [ct.pk]})
    schedule = services.communication_schedule(
        communication=comm,
        send_at=datetime.datetime(2030, 3, 4, 9, 0),  # noqa: DTZ001 - wall-clock time in the schedule's zone, naive on purpose
        recurrence={"frequency": "weekly", "weekdays": [0, 3], "count": 4},
    )
    assert schedule.status == Schedule.Status.ACTIVE
    assert schedule.next_run_at.isoformat() == "2030-03-04T14:00:00+00:00"


def test_pause_resume_and_retry_refuse_an_actor_who_cannot_see_the_communication(facilitator, ct, ny_staff):
    StakeholderFactory.create_batch(2, sea=ct)
    comm = compose(facilitator, audience={"seas": [ct.pk]})
    schedule = services.communication_schedule(
        communication=comm,
        send_at=datetime.datetime(2031, 1, 6, 9, 0),  # noqa: DTZ001 - wall-clock time in the center's zone
        recurrence={"frequency": "daily", "count": 3},
    )
    with pytest.raises(ValidationError, match="You cannot change this schedule"):
        services.schedule_pause(schedule=schedule, by=ny_staff)
    with pytest.raises(ValidationError, match="You cannot retry this communication"):
        services.deliveries_retry_failed(communication=comm, by=ny_staff)
    schedule.refresh_from_db()
    assert schedule.status == Schedule.Status.ACTIVE
    services.schedule_pause(schedule=schedule, by=facilitator)
    with pytest.raises(ValidationError, match="You cannot change this schedule"):
        services.schedule_resume(schedule=schedule, by=ny_staff)
    schedule.refresh_from_db()
    assert schedule.status == Schedule.Status.PAUSED
