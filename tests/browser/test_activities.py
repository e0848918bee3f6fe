"""Browser journeys of SEA staff and facilitators through the activity pages."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from projects.models import Activity
from tests.projects.factories import ActivityFactory, ProjectFactory, condition
from tests.stakeholders.factories import DistrictFactory, PartnerCenterFactory, StakeholderFactory

# serialized_rollback keeps the reference data of the data migrations (roles, conditions).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def world(ct, ny, ct_staff):
    condition(1)  # reload the five conditions if a transactional test flushed them
    rel = PartnerCenterFactory(
        name="Regional Educational Laboratory Northeast & Islands", short_name="REL NEI"
    )
    ct_project = ProjectFactory(
        sea=ct, title="Diversifying Connecticut's educator workforce", lead_center=rel
    )
    ny_project = ProjectFactory(sea=ny, title="New York literacy network")
    ana = StakeholderFactory(sea=ct, first_name="Ana", last_name="Reyes", title="Chief Talent Officer")
    StakeholderFactory(sea=ct, first_name="Ben", last_name="Adams", title="Bureau Chief")
    StakeholderFactory(sea=ny, first_name="Nia", last_name="Ortiz")
    harbor = DistrictFactory(sea=ct, name="Harbor City Public Schools")
    DistrictFactory(sea=ct, name="Elm Valley Public Schools")
    ct_project.stakeholders.add(ana)
    ct_project.districts.add(harbor)
    earlier = ActivityFactory(
        project=ct_project,
        author=ct_staff,
        date=datetime.date(2025, 2, 10),
        type=Activity.Type.ROOT_CAUSE,
        summary="Root-cause analysis of hiring barriers with the Talent Office.",
        hours=Decimal("3"),
    )
    earlier.conditions.add(condition(1), condition(3))
    earlier.participants.add(ana)
    ActivityFactory(project=ny_project, summary="New York workshop on literacy coaching.")
    return {"ct_project": ct_project, "ny_project": ny_project, "earlier": earlier, "ana": ana}


def focused(page) -> str:
    return page.evaluate("document.activeElement ? document.activeElement.id : ''")


def tab_to(page, element_id: str, limit: int = 80) -> None:
    """Press Tab until the element with `element_id` has the focus."""
    for _ in range(limit):
        if focused(page) == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}; focus is on #{focused(page)}")


def test_sea_staff_logs_an_activity_by_keyboard_and_sees_it(
    page, ct_staff, world, sign_in, assert_accessible, screenshot
):
    sign_in(ct_staff)
    page.goto(reverse("projects:activity_create"))
    expect(page.get_by_role("heading", name="Log an activity")).to_be_visible()
    # Their one active project and today's date are already filled in.
    expect(page.locator("#id_project")).to_have_value(str(world["ct_project"].pk))
    expect(page.locator("#id_date")).to_have_value(timezone.localdate().isoformat())
    screenshot(page, "activity-form-sea-staff")
    assert_accessible(page)

    tab_to(page, "id_type")
    page.keyboard.press("ArrowDown")  # "Coaching session"
    tab_to(page, "id_hours")
    page.keyboard.type("1.5")
    tab_to(page, "id_summary")
    page.keyboard.type("Coached Harbor City on its hiring pipeline.")
    tab_to(page, "id_conditions_1")
    page.keyboard.press("Space")  # Shared measurement
    # Type-ahead: the people list narrows while typing; Space ticks the person.
    tab_to(page, "id_participant_search")
    page.keyboard.type("adam")
    expect(page.locator("#participant-options")).not_to_contain_text("Ana Reyes")
    expect(page.locator("#participant-options")).to_contain_text("Ben Adams")
    tab_to(page, "id_participants_0")
    page.keyboard.press("Space")
    tab_to(page, "id_districts_0")
    page.keyboard.press("Space")  # Harbor City, a district of the project
    screenshot(page, "activity-form-filled")
    tab_to(page, "activity-submit")
    page.keyboard.press("Enter")

    expect(page.get_by_text("The activity is logged.")).to_be_visible()
    activity = Activity.objects.exclude(pk=world["earlier"].pk).exclude(project=world["ny_project"]).get()
    assert activity.author == ct_staff
    assert activity.hours == Decimal("1.5")
    assert activity.type == Activity.Type.COACHING
    assert [p.full_name for p in activity.participants.all()] == ["Ben Adams"]
    assert [d.name for d in activity.districts.all()] == ["Harbor City Public Schools"]
    assert [c.number for c in activity.conditions.all()] == [2]
    screenshot(page, "activity-detail")
    assert_accessible(page)

    # The home dashboard's recent activity feed lists it.
    page.goto("/")
    expect(page.get_by_text("Coached Harbor City on its hiring pipeline.").first).to_be_visible()
    page.goto(reverse("projects:activity_list"))
    expect(page.get_by_role("table")).to_contain_text("Coached Harbor City on its hiring pipeline.")

    # Another state's project is a plain 404.
    response = page.goto(reverse("projects:detail", args=[world["ny_project"].pk]))
    assert response.status == 404
    expect(page.get_by_text("New York literacy network")).to_have_count(0)


def test_activity_list_filters_and_exports(page, facilitator, world, sign_in, assert_accessible, screenshot):
    sign_in(facilitator)
    page.goto(reverse("projects:activity_list"))
    expect(page.get_by_role("table")).to_contain_text("New York workshop")
    screenshot(page, "activity-list-facilitator")
    assert_accessible(page)
    page.get_by_label("Search summaries").fill("hiring barriers")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"q=hiring(\+|%20)barriers"))
    expect(page.get_by_role("table")).not_to_contain_text("New York workshop")
    expect(page.get_by_role("table")).to_contain_text("Root-cause analysis")
    page.get_by_role("link", name="Date (sort ascending)").click()
    expect(page.locator("th[aria-sort=ascending]")).to_have_text(re.compile("Date"))
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download CSV")).click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "Root-cause analysis of hiring barriers" in text
    assert "New York workshop" not in text
    assert_accessible(page)


def test_activity_list_for_sea_staff(page, ct_staff, world, sign_in, assert_accessible, screenshot):
    sign_in(ct_staff)
    page.goto(reverse("projects:activity_list"))
    expect(page.get_by_role("table")).to_contain_text("Root-cause analysis")
    expect(page.get_by_role("table")).not_to_contain_text("New York workshop")
    screenshot(page, "activity-list-sea-staff")
    assert_accessible(page)


def test_edit_and_delete_own_activity(page, ct_staff, world, sign_in, assert_accessible, screenshot):
    earlier = world["earlier"]
    sign_in(ct_staff)
    page.goto(reverse("projects:activity_detail", args=[earlier.pk]))
    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit activity")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Hours").fill("4")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("The activity is updated.")).to_be_visible()
    expect(page.locator(".activity-history")).to_contain_text("Hours")
    screenshot(page, "activity-detail-history")
    page.get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", name="Delete this activity?")).to_be_visible()
    screenshot(page, "activity-delete")
    assert_accessible(page)
    page.get_by_role("button", name="Delete activity").click()
    expect(page.get_by_text("The activity is deleted.")).to_be_visible()
    assert not Activity.objects.filter(pk=earlier.pk).exists()


def test_facilitator_form_and_bad_input(page, facilitator, world, sign_in, assert_accessible, screenshot):
    sign_in(facilitator)
    page.goto(reverse("projects:activity_create"))
    expect(page.get_by_text("Choose the project first")).to_have_count(2)
    assert_accessible(page)
    # The project is a type-ahead combobox: type, pick a match with the keyboard; choosing it
    # brings its people and districts in place.
    combobox = page.get_by_role("combobox", name="Project")
    combobox.focus()
    combobox.press_sequentially("Diversifying")
    expect(page.get_by_role("option", name=re.compile("Diversifying Connecticut"))).to_be_visible()
    expect(page.get_by_role("option", name=re.compile("New York literacy"))).to_have_count(0)
    page.keyboard.press("Enter")
    expect(page.locator("#id_project")).to_have_value(str(world["ct_project"].pk))
    expect(page.get_by_label("Find projects")).to_be_hidden()  # the no-script search is not needed
    expect(page.locator("#participant-options")).to_contain_text("Ana Reyes")
    expect(page.locator("#district-options")).to_contain_text("Harbor City Public Schools")
    page.get_by_label("Hours").fill("-2")
    page.get_by_role("button", name="Log activity").click()
    expect(page.get_by_text("Please correct the fields below")).to_be_visible()
    expect(page.locator("#error_1_id_hours")).to_contain_text(
        "An activity takes more than 0 and at most 24 hours"
    )
    # The summary at the top links to the field.
    expect(page.locator(".error-summary a[href='#id_hours']")).to_have_text("Hours")
    expect(page.locator("#id_project")).to_have_value(str(world["ct_project"].pk))  # kept
    screenshot(page, "activity-form-errors")
    assert_accessible(page)
    assert Activity.objects.count() == 2
