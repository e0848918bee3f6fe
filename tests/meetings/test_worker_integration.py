"""A real Redis, Celery worker and beat and an SMTP sink: invitations and action-item reminders
arrive once each, with the .ics built by the meetings provider inside the worker process."""

import datetime
import time
from email import message_from_bytes

import pytest
from django.utils import timezone
from icalendar import Calendar

from communications.models import Delivery
from meetings.services import meetings as services
from meetings.tasks import action_item_reminders_send_task
from r2cc_portal.celery import app
from tests.communications.conftest import CeleryStack, wait_for
from tests.meetings.factories import ActionItemFactory

# serialized_rollback: the flush after this test leaves the reference data for the next ones.
pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def stack(tmp_path):
    with CeleryStack(tmp_path) as running:
        yield running


def _ics(raw: bytes) -> Calendar:
    message = message_from_bytes(raw)
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return Calendar.from_ical(part.get_payload(decode=True))
    raise AssertionError("no calendar part")


def test_invitations_and_reminders_through_a_real_worker(stack, rab, members, facilitator):
    # Within a day: no meeting reminder is due, and the action item is due within three days.
    start = (timezone.now() + datetime.timedelta(hours=23)).replace(microsecond=0)
    meeting = services.meeting_create(
        author=facilitator,
        body=rab,
        title="Spring meeting",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        mode="virtual",
        link="https://meet.example.org/rab",
    )
    services.meeting_invite(meeting=meeting, by=facilitator)
    sent = wait_for(lambda: Delivery.objects.filter(status="sent").count() == 2, timeout=120)
    assert sent, list(Delivery.objects.values_list("status", "last_error"))
    ActionItemFactory(
        meeting=meeting,
        owner_stakeholder=members[0],
        due_date=timezone.localdate(start) + datetime.timedelta(days=1),
        created_by=facilitator,
    )
    with app.connection_for_write(stack.redis.url(0)) as connection:  # the stack's own broker
        action_item_reminders_send_task.apply_async(connection=connection)
        action_item_reminders_send_task.apply_async(connection=connection)  # a second run sends nothing more
    sent = wait_for(lambda: Delivery.objects.filter(status="sent").count() == 3, timeout=120)
    assert sent, list(Delivery.objects.values_list("status", "last_error"))
    time.sleep(3)
    handler = stack.sink.handler
    assert handler.accepted == 3
    raws = list(handler.messages)
    invitations = [raw for raw in raws if b"Invitation: RAB meeting" in raw]
    assert len(invitations) == 2
    event = _ics(invitations[0]).walk("VEVENT")[0]
    assert event["UID"] == f"meeting-{meeting.uid}@r2cc-portal"
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert any(b"Action item due" in raw for raw in raws)
