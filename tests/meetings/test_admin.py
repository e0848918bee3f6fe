import pytest
from django.urls import reverse

from meetings.models import Minutes
from tests.meetings.factories import ActionItemFactory, AgendaItemFactory, FeedbackFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def test_admin_pages_render(client, admin_user):
    meeting = MeetingFactory()
    AgendaItemFactory(meeting=meeting)
    ActionItemFactory(meeting=meeting)
    FeedbackFactory(body=meeting.body, meeting=meeting)
    Minutes.objects.create(meeting=meeting, text="Minutes")
    client.force_login(admin_user)
    for model in ("meeting", "minutes", "actionitem", "decision", "feedback"):
        assert client.get(reverse(f"admin:meetings_{model}_changelist")).status_code == 200, model
    assert client.get(reverse("admin:meetings_meeting_change", args=[meeting.pk])).status_code == 200
