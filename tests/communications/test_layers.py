"""The seams where communications meets the layers above it by name or registry."""

import datetime

from communications import services
from communications.digests import _contributors, digest_body
from communications.tasks import communications_tick_task
from meetings.providers import digest_meetings


def test_services_ring_the_tick_task_by_its_registered_name():
    assert communications_tick_task.name == services.TICK_TASK


def test_the_digest_shows_meetings_through_the_registry(db, ct):
    assert digest_meetings in _contributors
    body = digest_body(sea=ct, week_start=datetime.date(2030, 3, 4))
    assert "## Upcoming meetings" in body
    assert "- No meetings in the next two weeks." in body
