import datetime

import pytest

from meetings.demo import meetings_demo_load
from meetings.models import ActionItem, Feedback, Meeting, Minutes
from projects.demo import demo_world_load

pytestmark = pytest.mark.django_db


def test_demo_meetings_load_once(django_capture_on_commit_callbacks):
    today = datetime.date(2026, 11, 2)
    demo_world_load(password="demo-password-1234", today=today)
    created = meetings_demo_load(today=today)
    assert created > 0
    assert Meeting.objects.filter(body__short_name="RAB").count() == 3
    assert Meeting.objects.filter(body__short_name="RCC").count() == 2
    assert Minutes.objects.filter(status="approved").count() == 3
    assert ActionItem.objects.filter(status="open").exists()
    assert Feedback.objects.count() >= 5
    upcoming = Meeting.objects.get(title__startswith="Fall meeting")
    from meetings.selectors import open_items_before

    assert open_items_before(upcoming).count() >= 2
    assert meetings_demo_load(today=today) == 0
