"""The project list, the people and districts directories and the password pages in a browser."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.projects.factories import ActivityFactory, ProjectFactory, condition
from tests.stakeholders.factories import DistrictFactory, MembershipFactory, StakeholderFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def world(ct, ny):
    condition(1)
    project = ProjectFactory(sea=ct, title="Diversifying Connecticut's educator workforce")
    ProjectFactory(sea=ny, title="New York literacy network")
    ana = StakeholderFactory(sea=ct, first_name="Ana", last_name="Reyes", title="Chief Talent Officer")
    StakeholderFactory(sea=ny, first_name="Nia", last_name="Ortiz")
    harbor = DistrictFactory(sea=ct, name="Harbor City Public Schools")
    DistrictFactory(sea=ny, name="Hudson Falls Central Schools")
    project.stakeholders.add(ana)
    project.districts.add(harbor)
    MembershipFactory(stakeholder=ana, body__name="Regional Advisory Board")
    ActivityFactory(project=project, summary="Coaching on hiring pipelines").participants.add(ana)
    return {"project": project, "ana": ana}


@pytest.mark.parametrize("role", ["ct_staff", "facilitator"])
def test_lists_and_person_page_are_accessible(
    request, page, world, sign_in, assert_accessible, screenshot, role
):
    user = request.getfixturevalue(role)
    sign_in(user)
    for name, url in [
        ("projects", reverse("projects:list")),
        ("people", reverse("stakeholders:stakeholder_list")),
        ("districts", reverse("stakeholders:district_list")),
        ("person", reverse("stakeholders:stakeholder_detail", args=[world["ana"].pk])),
    ]:
        page.goto(url)
        screenshot(page, f"{name}-{role.replace('_', '-')}")
        assert_accessible(page)
    expect(page.get_by_role("heading", name="Ana Reyes")).to_be_visible()
    expect(page.get_by_text("Regional Advisory Board")).to_be_visible()
    page.goto(reverse("stakeholders:stakeholder_list"))
    people = page.get_by_role("table")
    if role == "ct_staff":
        expect(people).not_to_contain_text("Ortiz")
    else:
        expect(people).to_contain_text("Ortiz")


def test_people_search_and_sort(page, facilitator, world, sign_in):
    sign_in(facilitator)
    page.goto(reverse("stakeholders:stakeholder_list"))
    page.get_by_label("Search").fill("talent")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"q=talent"))
    expect(page.get_by_role("table")).to_contain_text("Reyes, Ana")
    expect(page.get_by_role("table")).not_to_contain_text("Ortiz")
    page.goto(reverse("stakeholders:stakeholder_list"))
    page.get_by_role("link", name="Name (sort descending)").click()
    expect(page.locator("th[aria-sort=descending]")).to_have_text(re.compile("Name"))
    expect(page.locator("tbody tr").first).to_contain_text("Reyes")


def test_another_states_person_is_404(page, ny_staff, world, sign_in):
    sign_in(ny_staff)
    response = page.goto(reverse("stakeholders:stakeholder_detail", args=[world["ana"].pk]))
    assert response.status == 404


def test_password_pages_are_accessible(page, ct_staff, sign_in, assert_accessible, screenshot):
    page.goto(reverse("password_reset"))
    screenshot(page, "password-reset")
    assert_accessible(page)
    page.get_by_label("Email").fill(ct_staff.email)
    page.get_by_role("button", name="Send the reset link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    assert_accessible(page)
    sign_in(ct_staff)
    page.goto(reverse("password_change"))
    screenshot(page, "password-change")
    assert_accessible(page)
