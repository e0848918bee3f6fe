"""Text as long as the portal accepts, in one word, wraps: no page grows wider than the window."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import Activity
from tests.meetings.factories import MeetingFactory
from tests.projects.factories import (
    ActivityFactory,
    ConditionAssessmentFactory,
    ProductFactory,
    ProjectFactory,
    condition,
)
from tests.stakeholders.factories import AdvisoryBodyFactory, MembershipFactory, StakeholderFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SUMMARY = "W" * Activity._meta.get_field("summary").max_length
NEXT_STEPS = "N" * Activity._meta.get_field("next_steps").max_length
TITLE = "T" * 200


@pytest.fixture
def long_world(ct, ct_staff):
    condition(1)
    project = ProjectFactory(sea=ct, title=TITLE, problem_statement="P" * 5000)
    activity = ActivityFactory(
        project=project,
        author=ct_staff,
        date=datetime.date(2025, 2, 10),
        summary=SUMMARY,
        next_steps=NEXT_STEPS,
        hours=Decimal("24"),
    )
    activity.conditions.add(condition(1))
    ConditionAssessmentFactory(project=project, evidence="E" * 5000)
    ProductFactory(project=project, title="R" * 200)
    person = StakeholderFactory(sea=ct, first_name="F" * 100, title="J" * 200)
    body = AdvisoryBodyFactory(name="B" * 200)
    MembershipFactory(body=body, stakeholder=person, represents_sea=ct)
    meeting = MeetingFactory(body=body, title="M" * 200, description="D" * 5000)
    return {"project": project, "activity": activity, "person": person, "meeting": meeting, "body": body}


def assert_no_wider_than_the_window(page, label):
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{label}: the page is {width[0]} px wide in a {width[1]} px window"


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 375, "height": 800}])
def test_pages_with_the_longest_words_allowed_stay_within_the_window(
    page, long_world, ct_staff, facilitator, sign_in, screenshot, viewport
):
    page.set_viewport_size(viewport)
    pages = {
        "activity": reverse("projects:activity_detail", args=[long_world["activity"].pk]),
        "activity list": reverse("projects:activity_list"),
        "project": reverse("projects:detail", args=[long_world["project"].pk]),
        "state dashboard": reverse("projects:state_dashboard", args=["CT"]),
        "home": reverse("home"),
        "person": reverse("stakeholders:stakeholder_detail", args=[long_world["person"].pk]),
        "people": reverse("stakeholders:stakeholder_list"),
        "activity edit": reverse("projects:activity_update", args=[long_world["activity"].pk]),
    }
    sign_in(ct_staff)
    for label, url in pages.items():
        page.goto(url)
        page.wait_for_load_state()
        assert_no_wider_than_the_window(page, f"{label} at {viewport['width']} px")
    screenshot(page, f"long-words-activity-edit-{viewport['width']}")
    page.context.clear_cookies()
    sign_in(facilitator)
    for label, url in {
        "meeting": reverse("meetings:meeting_detail", args=[long_world["meeting"].pk]),
        "body": reverse("meetings:body_detail", args=[long_world["body"].pk]),
        "network": reverse("projects:network"),
    }.items():
        page.goto(url)
        page.wait_for_load_state()
        assert_no_wider_than_the_window(page, f"{label} at {viewport['width']} px")
    page.goto(pages["activity"])
    screenshot(page, f"long-words-activity-{viewport['width']}")
