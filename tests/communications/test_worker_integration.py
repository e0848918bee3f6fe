"""A real Redis, a real Celery worker and beat, a real SMTP server: messages arrive exactly once."""

import datetime
import time
from email import message_from_bytes

import pytest

from communications import services
from communications.models import Delivery, Occurrence
from stakeholders.models import Stakeholder
from tests.communications.conftest import wait_for
from tests.communications.factories import compose

# serialized_rollback restores the migrations' reference data (roles) for the tests after these.
pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def make_people(sea, n):
    return Stakeholder.objects.bulk_create(
        Stakeholder(first_name=f"Person{i}", last_name="Test", email=f"p{i}@example.org", sea=sea)
        for i in range(n)
    )


def test_500_stakeholders_get_exactly_one_message_each(celery_stack, facilitator, ct):
    people = make_people(ct, 500)
    with celery_stack() as stack:
        comm = compose(facilitator, audience={"seas": [ct.pk]}, subject="Hello {{ first_name }}")
        services.communication_schedule(communication=comm)
        assert wait_for(lambda: Delivery.objects.filter(status="sent").count() == 500, timeout=180)
        time.sleep(3)  # anything doubled would arrive now
        handler = stack.sink.handler
        assert handler.accepted == 500
        assert len(handler.counts) == 500
        assert set(handler.counts.values()) == {1}
        recipients = [message_from_bytes(raw)["To"] for raw in handler.messages]
    assert sorted(r.split("<")[1].rstrip(">") for r in recipients) == sorted(p.email for p in people)
    assert Occurrence.objects.get().status == Occurrence.Status.DONE


def test_daily_recurrence_across_dst_changes_fires_once_per_local_day(celery_stack, facilitator, ct):
    make_people(ct, 2)
    # The worker catches up on these past occurrences instead of recording them as missed.
    with celery_stack(COMMUNICATIONS_MISSED_AFTER_SECONDS=10**9) as stack:
        autumn = compose(facilitator, audience={"seas": [ct.pk]}, subject="Autumn")
        services.communication_schedule(
            communication=autumn,
            send_at=datetime.datetime(2026, 10, 31, 1, 30),  # noqa: DTZ001 - wall-clock time in the schedule's zone, naive on purpose
            recurrence={"frequency": "daily", "count": 3},
        )
        spring = compose(facilitator, audience={"seas": [ct.pk]}, subject="Spring")
        services.communication_schedule(
            communication=spring,
            send_at=datetime.datetime(2026, 3, 7, 2, 30),  # noqa: DTZ001 - wall-clock time in the schedule's zone, naive on purpose
            recurrence={"frequency": "daily", "until": datetime.date(2026, 3, 9)},
        )
        assert wait_for(lambda: Delivery.objects.filter(status="sent").count() == 12, timeout=120)
        time.sleep(3)
        assert stack.sink.handler.accepted == 12
        assert set(stack.sink.handler.counts.values()) == {1}
    utc = datetime.UTC
    assert list(autumn.occurrences.order_by("scheduled_for").values_list("scheduled_for", flat=True)) == [
        datetime.datetime(2026, 10, 31, 5, 30, tzinfo=utc),  # 01:30 EDT
        datetime.datetime(2026, 11, 1, 5, 30, tzinfo=utc),  # 01:30 EDT, the first of the two 01:30s
        datetime.datetime(2026, 11, 2, 6, 30, tzinfo=utc),  # 01:30 EST
    ]
    assert list(spring.occurrences.order_by("scheduled_for").values_list("scheduled_for", flat=True)) == [
        datetime.datetime(2026, 3, 7, 7, 30, tzinfo=utc),  # 02:30 EST
        datetime.datetime(2026, 3, 8, 7, 30, tzinfo=utc),  # 02:30 does not exist: 03:30 EDT
        datetime.datetime(2026, 3, 9, 6, 30, tzinfo=utc),  # 02:30 EDT
    ]
