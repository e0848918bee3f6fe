"""Every other meetings page, on the demo world, passes axe; signed links work without login."""

import pytest
from django.utils import timezone

from accounts.models import User
from meetings.demo import meetings_demo_load
from meetings.models import Meeting
from meetings.tokens import feedback_token, rsvp_token
from projects.demo import demo_world_load
from stakeholders.models import AdvisoryBody
from tests.browser_support import sign_out
from tests.meetings.reference import reference_data_ensure

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def demo(db, password):
    reference_data_ensure()
    today = timezone.localdate()
    demo_world_load(password=password, today=today)
    meetings_demo_load(today=today)
    return {
        "rab": AdvisoryBody.objects.get(short_name="RAB"),
        "past": Meeting.objects.get(title__startswith="Spring meeting"),
        "next": Meeting.objects.get(title__startswith="Fall meeting"),
    }


def test_meetings_pages_are_accessible(page, demo, sign_in, assert_accessible, screenshot):
    rab, past, upcoming = demo["rab"], demo["past"], demo["next"]
    member = upcoming.participants.select_related("stakeholder").first().stakeholder

    # Signed links, without signing in.
    page.goto(f"/meetings/rsvp/{rsvp_token(meeting_id=upcoming.pk, stakeholder_id=member.pk)}/?answer=yes")
    assert_accessible(page)
    page.get_by_role("button", name="Send my answer").click()
    assert page.get_by_text("Your answer is recorded: Yes.").is_visible()
    assert_accessible(page)
    screenshot(page, "meetings-rsvp")
    page.goto("/meetings/rsvp/not-a-real-token/")
    assert page.get_by_text("This link is not valid").is_visible()
    assert_accessible(page)
    page.goto(f"/meetings/feedback/{feedback_token(body_id=rab.pk, stakeholder_id=member.pk)}/")
    assert_accessible(page)
    screenshot(page, "meetings-feedback-link")

    sign_in(User.objects.get(username="facilitator"))
    for name, url in [
        ("meetings-body-demo", f"/meetings/bodies/{rab.pk}/"),
        ("meetings-packet", f"/meetings/{upcoming.pk}/packet/"),
        ("meetings-past", f"/meetings/{past.pk}/"),
        (None, f"/meetings/{upcoming.pk}/invite/"),
        (None, f"/meetings/{upcoming.pk}/cancel/"),
        (None, f"/meetings/{past.pk}/decisions/new/"),
        (None, f"/meetings/{past.pk}/feedback/new/"),
        (None, f"/meetings/{past.pk}/minutes/"),
        (None, f"/meetings/bodies/{rab.pk}/members/new/"),
        (None, "/meetings/calendar/"),
        ("meetings-action-items", "/meetings/action-items/"),
    ]:
        page.goto(url)
        assert page.locator("h1").count() == 1, url
        assert_accessible(page)
        if name:
            screenshot(page, name)

    # A CT staff member sees the RAB and its approved minutes.
    sign_out(page)
    sign_in(User.objects.get(username="ct.staff"))
    page.goto(f"/meetings/{past.pk}/")
    assert page.get_by_text("Approved", exact=True).is_visible()
    assert page.get_by_role("link", name="Take attendance").count() == 0
    assert_accessible(page)
