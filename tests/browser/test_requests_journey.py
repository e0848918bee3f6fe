"""The main journey of running the work, in a real browser and without the admin: Rhode Island
staff ask for help, a facilitator triages the request, accepts it as a project, activates it
with a reason, gives it a goal and a product, and Rhode Island staff see their request move."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from intake.models import TARequest
from projects.models import Goal, Product, Project
from stakeholders.models import District
from tests.accounts.factories import FacilitatorFactory, SEAStaffFactory
from tests.projects.factories import condition
from tests.stakeholders.factories import DistrictFactory, OfficeFactory, PartnerCenterFactory, SEAFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def ri_world(db):
    condition(1)
    ri = SEAFactory(state_code="RI", short_name="RIDE", name="Rhode Island Department of Education")
    OfficeFactory(sea=ri, name="Office of Educator Excellence")
    DistrictFactory(sea=ri, name="Harbor Point School District")
    DistrictFactory(sea=SEAFactory(state_code="MA", short_name="DESE"), name="Bay State Harbor District")
    PartnerCenterFactory(name="Region 2 Comprehensive Center", short_name="R2CC")
    staff = SEAStaffFactory(username="ri.staff", sea=ri, first_name="Riley", last_name="Staff")
    facilitator = FacilitatorFactory(username="fran", first_name="Fran", last_name="Facilitator")
    return {"ri": ri, "staff": staff, "facilitator": facilitator}


def switch_to(page, sign_in, user):
    page.context.clear_cookies()
    sign_in(user)


def test_a_rhode_island_request_becomes_an_active_project(
    page, ri_world, sign_in, assert_accessible, screenshot
):
    staff, facilitator = ri_world["staff"], ri_world["facilitator"]
    harbor = District.objects.get(name="Harbor Point School District")

    # Rhode Island staff ask for help.
    sign_in(staff)
    page.goto(reverse("intake:create"))
    expect(
        page.get_by_role("heading", name="Request for help: Rhode Island Department of Education")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Submit request").click()
    expect(
        page.locator("#error_1_id_title, .invalid-feedback").first
    ).to_be_visible()  # errors next to fields
    page.get_by_label("Title").fill("Mentoring for new special-education teachers")
    page.get_by_label("Problem").fill("Half of our new special-education teachers leave within two years.")
    page.get_by_label("Desired outcome").fill("A mentoring model districts run themselves.")
    page.get_by_label("Educator workforce").check()
    # The state's districts are a type-ahead: type, pick with the keyboard; a chip shows it.
    districts = page.get_by_role("combobox", name="Districts")
    districts.focus()
    districts.press_sequentially("Harbor")
    expect(page.get_by_role("option", name=re.compile("Harbor Point School District"))).to_be_visible()
    expect(page.get_by_role("option", name=re.compile("Bay State"))).to_have_count(0)  # another state's
    page.keyboard.press("Enter")
    expect(page.locator("#id_districts")).to_have_value(str(harbor.pk))
    expect(page.get_by_label("Find districts")).to_be_hidden()  # the no-script search is not needed
    page.get_by_role("button", name="Submit request").click()
    expect(page.locator("#request-status")).to_have_text("New")
    screenshot(page, "request-submitted-ri-staff")
    request = TARequest.objects.get()

    # The facilitator finds it on "my work", triages it and accepts it as a project.
    switch_to(page, sign_in, facilitator)
    page.goto(reverse("home"))
    section = page.locator("#work-section-requests")
    expect(section).to_contain_text("Mentoring for new special-education teachers")
    screenshot(page, "my-work-facilitator")
    assert_accessible(page)
    section.get_by_role("link", name="Mentoring for new special-education teachers").click()
    expect(page.locator("#overlap-none")).to_be_visible()
    assert_accessible(page)
    page.locator("#note-start_conversation").fill("Called the Office of Educator Excellence.")
    page.get_by_role("button", name="Start conversation → In conversation").click()
    expect(page.locator("#request-status")).to_have_text("In conversation")
    page.get_by_role("link", name="Accept as project").click()
    expect(page.get_by_label("Title")).to_have_value("Mentoring for new special-education teachers")
    page.get_by_label("Lead center").select_option(label="R2CC")
    page.get_by_label("Riley Staff").check()
    # The request's district comes along, chosen in the project's district picker.
    expect(page.locator("#id_districts")).to_have_value(str(harbor.pk))
    screenshot(page, "accept-as-project")
    assert_accessible(page)
    page.get_by_role("button", name="Create the project").click()
    project = Project.objects.get()
    expect(page.locator("#project-status")).to_have_text("Proposed")
    expect(page.locator("#project-origin")).to_contain_text("Mentoring for new special-education teachers")

    # Activate it with a reason; add a goal and a product.
    page.get_by_label("Reason (required)").first.fill("Kick-off meeting held with RIDE.")
    page.get_by_role("button", name="Activate → Active").click()
    expect(page.locator("#project-status")).to_have_text("Active")
    expect(page.locator("#project-status-history")).to_contain_text("Kick-off meeting held with RIDE.")
    expect(page.locator("#project-status-history")).to_contain_text("Proposed → Active")
    page.get_by_role("link", name="Add a goal").click()
    page.get_by_label("Statement").fill("Every new special-education teacher has a trained mentor.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#goal-status")).to_have_text("Not started")
    page.goto(reverse("projects:detail", args=[project.pk]))
    page.get_by_role("link", name="Add a product").click()
    page.get_by_label("Title").fill("Mentoring toolkit")
    page.get_by_label("Kind").select_option(label="Tool")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#product-status")).to_have_text("Planned")
    assert_accessible(page)
    page.goto(reverse("projects:detail", args=[project.pk]))
    expect(page.locator("#goal-progress")).to_contain_text("Every new special-education teacher")
    expect(page.locator("#project-team")).to_contain_text("Riley Staff")
    screenshot(page, "project-active-facilitator")
    assert_accessible(page)
    assert project.sea == ri_world["ri"]
    assert Goal.objects.count() == 1
    assert Product.objects.count() == 1

    # Rhode Island staff see their request move and reach the project.
    switch_to(page, sign_in, staff)
    page.goto(reverse("intake:list"))
    expect(page.locator("#request-list")).to_contain_text("Became a project")
    page.get_by_role("link", name="Mentoring for new special-education teachers").first.click()
    expect(page.locator("#request-status")).to_have_text("Became a project")
    expect(page.locator("main")).to_contain_text("Called the Office of Educator Excellence.")
    expect(page.locator("main")).to_contain_text("New → In conversation")
    screenshot(page, "request-moved-ri-staff")
    assert_accessible(page)
    request.refresh_from_db()
    assert request.project == project
