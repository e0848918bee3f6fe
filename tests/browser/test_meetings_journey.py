"""The facilitator's journey through a RAB meeting, in Chromium, with axe on every page."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from meetings.models import ActionItem, AgendaItem, Meeting, Minutes
from stakeholders.models import BodyPurpose
from tests.browser_support import open_menu
from tests.meetings.reference import reference_data_ensure
from tests.projects.factories import ProductFactory, ProjectFactory
from tests.stakeholders.factories import (
    AdvisoryBodyFactory,
    MembershipFactory,
    PartnerCenterFactory,
    SEAFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def rab(db):
    reference_data_ensure()
    body = AdvisoryBodyFactory(name="Regional Advisory Board", short_name="RAB", meetings_per_year=2)
    for number, text in enumerate(
        [
            "Assess needs and high-leverage problems.",
            "Raise awareness of services.",
            "Give feedback on resources.",
        ],
        start=1,
    ):
        BodyPurpose.objects.create(body=body, number=number, text=text)
    ct = SEAFactory(state_code="CT", name="Connecticut State Department of Education", short_name="CSDE")
    chair = StakeholderFactory(first_name="Chris", last_name="Todd", sea=ct)
    MembershipFactory(body=body, stakeholder=chair, represents_sea=ct, role="chair")
    center = PartnerCenterFactory(short_name="REL NEI", name="REL Northeast & Islands")
    rel = StakeholderFactory(first_name="Meg", last_name="Caven", sea=None, partner_center=center)
    MembershipFactory(body=body, stakeholder=rel, represents_sea=None, represents_center=center)
    project = ProjectFactory(sea=ct, title="Educator workforce pipeline")
    ProductFactory(project=project, title="Mentoring toolkit")
    ProductFactory(project=ProjectFactory(sea=ct, title="Literacy network"), title="Reading guide")
    return body


def local(dt: datetime.datetime) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_facilitator_runs_a_rab_meeting(page, rab, facilitator, sign_in, assert_accessible, screenshot):
    sign_in(facilitator)
    open_menu(page, "Meetings").get_by_role("link", name="Bodies and meetings").click()
    assert_accessible(page)
    page.get_by_role("link", name="Regional Advisory Board (RAB)").click()
    assert_accessible(page)
    page.get_by_role("link", name="Schedule a meeting").click()

    # Schedule: starts within the hour, so attendance can be taken today.
    start = (timezone.now() + datetime.timedelta(minutes=30)).replace(second=0, microsecond=0)
    page.get_by_label("Title").fill("Spring meeting")
    page.get_by_label("Starts").fill(local(start))
    page.get_by_label("Ends").fill(local(start - datetime.timedelta(hours=1)))
    page.get_by_label("Video link").fill("https://meet.example.org/rab")
    page.get_by_role("button", name="Schedule meeting").click()
    assert (
        page.locator("#error_1_id_ends_at").get_by_text("The meeting must end after it starts.").is_visible()
    )
    assert page.locator(".error-summary a[href='#id_ends_at']").is_visible()
    assert not Meeting.objects.exists()
    assert_accessible(page)
    page.get_by_label("Ends").fill(local(start + datetime.timedelta(hours=1)))
    page.get_by_role("button", name="Schedule meeting").click()
    assert page.get_by_text("The meeting “Spring meeting” is scheduled.").is_visible()
    meeting = Meeting.objects.get()

    # Agenda: two items, the second makes it run over (a warning, still saved).
    page.get_by_role("link", name="Add an agenda item").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Needs of the region")
    page.get_by_label("Minutes allotted").fill("40")
    page.get_by_label("Purpose served").select_option(label="(1) Assess needs and high-leverage problems.")
    page.get_by_role("button", name="Save and add another").click()
    page.get_by_label("Title").fill("Services of the center")
    page.get_by_label("Minutes allotted").fill("30")
    # The project and product are type-aheads over the whole portfolio: type, pick with the keyboard.
    project = page.get_by_role("combobox", name="Project")
    project.focus()
    project.press_sequentially("workforce")
    expect(page.get_by_role("option", name="Educator workforce pipeline (CT)")).to_be_visible()
    page.keyboard.press("Enter")
    product = page.get_by_role("combobox", name="Product")
    product.focus()
    product.press_sequentially("toolkit")
    expect(page.get_by_role("option", name="Mentoring toolkit · Educator workforce pipeline")).to_be_visible()
    expect(page.get_by_role("option", name=re.compile("Reading guide"))).to_have_count(0)
    page.keyboard.press("Enter")
    expect(page.get_by_label("Find products")).to_be_hidden()  # the no-script search is not needed
    assert_accessible(page)
    page.get_by_role("button", name="Save item", exact=True).click()
    assert page.get_by_text("The agenda runs 10 minutes longer than the meeting").first.is_visible()
    assert page.get_by_text("70 of 60 minutes planned.").is_visible()
    presented = AgendaItem.objects.get(title="Services of the center")
    assert (presented.project.title, presented.product.title) == (
        "Educator workforce pipeline",
        "Mentoring toolkit",
    )
    assert_accessible(page)
    screenshot(page, "meetings-agenda")

    # Attendance: the chair sends a delegate, the REL member is present.
    page.get_by_role("link", name="Take attendance").click()
    assert_accessible(page)
    page.get_by_label("Attendance of Chris Todd").select_option("delegate")
    page.get_by_label("Attendance of Meg Caven").select_option("present")
    page.get_by_role("button", name="Save attendance").click()
    assert page.get_by_text("Say who attended in place of Chris Todd.").is_visible()
    page.get_by_label("Delegate for Chris Todd").fill("Pat Lee")
    page.get_by_role("button", name="Save attendance").click()
    assert page.get_by_text("Quorum met", exact=True).is_visible()

    # Minutes: a draft in Markdown, then approved.
    page.get_by_role("link", name="Minutes", exact=True).click()
    page.get_by_label("Minutes (Markdown)").fill(
        "## Needs\n\n- Connecticut asked for **data** support\n\n<script>alert(1)</script>"
    )
    page.get_by_role("button", name="Save draft").click()
    assert page.get_by_text("The draft minutes are saved.").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Approve minutes").click()
    assert page.get_by_text("The minutes are approved and now read-only.").is_visible()
    assert Minutes.objects.get().is_approved
    assert_accessible(page)
    screenshot(page, "meetings-minutes-approved")

    # Action items: from the first agenda item, owned by the chair.
    page.goto(meeting.get_absolute_url())
    page.get_by_role("link", name="Action item from Needs of the region").click()
    assert_accessible(page)
    page.get_by_label("Description").fill("Share district hiring data with the REL team")
    page.get_by_label("Owner (member)").select_option(label="Chris Todd")
    page.get_by_label("Due date").fill((timezone.localdate() - datetime.timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Save action item").click()
    assert page.locator(
        ".invalid-feedback", has_text="The due date cannot be before the meeting"
    ).is_visible()
    page.get_by_label("Due date").fill((timezone.localdate() + datetime.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Save action item").click()
    assert page.get_by_text("The action item is recorded.").is_visible()
    assert ActionItem.objects.get().agenda_item.title == "Needs of the region"
    assert_accessible(page)
    screenshot(page, "meetings-meeting")

    # The next meeting, copied from this one, lists the open action item on its agenda.
    page.get_by_role("link", name="Copy as a new meeting").click()
    page.get_by_label("Title").fill("Fall meeting")
    page.get_by_role("button", name="Schedule meeting").click()
    assert page.get_by_text("The meeting “Fall meeting” is scheduled.").is_visible()
    carried = page.get_by_role("table", name="Open action items from the body's previous meetings")
    assert carried.get_by_text("Share district hiring data with the REL team").is_visible()
    assert_accessible(page)
    screenshot(page, "meetings-next-agenda")

    open_menu(page, "Meetings").get_by_role("link", name="Action items", exact=True).click()
    assert page.get_by_text("Share district hiring data with the REL team").is_visible()
    assert_accessible(page)
    page.goto(f"/meetings/bodies/{rab.pk}/")
    assert_accessible(page)
    screenshot(page, "meetings-body")
