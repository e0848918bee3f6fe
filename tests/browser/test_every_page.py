"""Every page of each role, on a laptop (1366×900) and a phone (390×844), on the demo world.

No page may be wider than the window; the portal's own pages stay clean under axe-core at
laptop size. Screenshots land in artifacts/screenshots/pages/<role>-<width>-<page>.png, to be
looked at by a person (the assertions cannot tell whether a chart reads well).
"""

import pytest
from django.utils import timezone

from accounts.models import User
from communications import services as communication_services
from meetings.demo import meetings_demo_load
from meetings.models import Meeting
from projects.demo import demo_world_load
from projects.models import Activity, Indicator, Project
from projects.services.rollups import activity_month_refresh
from stakeholders.models import SEA, AdvisoryBody, Stakeholder
from tests.accounts.factories import PASSWORD
from tests.browser_support import SCREENSHOTS
from tests.meetings.reference import reference_data_ensure

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

VIEWPORTS = [{"width": 1366, "height": 900}, {"width": 390, "height": 844}]


@pytest.fixture
def world(db):
    reference_data_ensure()
    demo_world_load(password=PASSWORD)
    meetings_demo_load(today=timezone.localdate())
    activity_month_refresh(full=True)
    ct = SEA.objects.get(state_code="CT")
    facilitator = User.objects.get(username="facilitator")
    communication = communication_services.communication_compose(
        author=facilitator,
        subject="Pilot update for {{ first_name }}",
        body="Dear {{ first_name }},\n\nThe **pilot districts** met. See [the plan](https://example.org/plan).",
        category="project_update",
        audience={"seas": [ct.pk]},
    )
    project = Project.objects.filter(sea=ct).order_by("pk").first()
    rab = AdvisoryBody.objects.get(short_name="RAB")
    past = Meeting.objects.filter(body=rab, starts_at__lt=timezone.now()).order_by("-starts_at").first()
    upcoming = Meeting.objects.filter(body=rab, starts_at__gt=timezone.now()).order_by("starts_at").first()
    return {
        "project": project,
        "activity": Activity.objects.filter(project=project).order_by("-date").first(),
        "indicator": Indicator.objects.filter(project=project).order_by("pk").first(),
        "person": Stakeholder.objects.filter(sea=ct).order_by("pk").first(),
        "rab": rab,
        "past": past,
        "upcoming": upcoming or past,
        "communication": communication,
    }


def portal_pages(w, *, facilitator: bool) -> dict[str, str]:
    pages = {
        "dashboard": "/",
        "state": "/projects/states/CT/",
        "projects": "/projects/",
        "project": f"/projects/{w['project'].pk}/",
        "assessment": f"/projects/{w['project'].pk}/assessment/",
        "indicator": f"/projects/indicators/{w['indicator'].pk}/",
        "activities": "/projects/activities/",
        "activity": f"/projects/activities/{w['activity'].pk}/",
        "activity-new": "/projects/activities/new/",
        "network": "/projects/network/",
        "bodies": "/meetings/",
        "body": f"/meetings/bodies/{w['rab'].pk}/",
        "meeting-past": f"/meetings/{w['past'].pk}/",
        "meeting-next": f"/meetings/{w['upcoming'].pk}/",
        "packet": f"/meetings/{w['past'].pk}/packet/",
        "action-items": "/meetings/action-items/",
        "calendar": "/meetings/calendar/",
        "people": "/directory/people/",
        "person": f"/directory/people/{w['person'].pk}/",
        "districts": "/directory/districts/",
        "communications": "/communications/",
        "notices": "/communications/?kind=notices",
        "compose": "/communications/new/",
        "cadence": "/communications/cadence/",
        "profile": "/accounts/profile/",
        "survey-results": "/accountability/surveys/results/?group=product",
        "api-docs": "/api/docs/",
        "not-found": "/projects/states/ZZ/",
    }
    if facilitator:
        pages.update(
            {
                "communication": f"/communications/{w['communication'].pk}/",
                "delivery-report": f"/communications/{w['communication'].pk}/report/",
                "meeting-new": f"/meetings/bodies/{w['rab'].pk}/meetings/new/",
                "invite": f"/meetings/{w['upcoming'].pk}/invite/",
                "attendance": f"/meetings/{w['past'].pk}/attendance/",
                "minutes": f"/meetings/{w['past'].pk}/minutes/",
            }
        )
    return pages


def admin_pages(w) -> dict[str, str]:
    return {
        "admin": "/admin/",
        "admin-projects": "/admin/projects/project/",
        "admin-project": f"/admin/projects/project/{w['project'].pk}/change/",
        "admin-people": "/admin/stakeholders/stakeholder/",
        "admin-person": f"/admin/stakeholders/stakeholder/{w['person'].pk}/change/",
        "admin-meeting": f"/admin/meetings/meeting/{w['past'].pk}/change/",
        "admin-users": "/admin/accounts/user/",
        "admin-communication": f"/admin/communications/communication/{w['communication'].pk}/change/",
    }


def visit_all(page, sign_in, assert_accessible, user, pages: dict[str, str], role: str, *, axe: set[str]):
    sign_in(user)
    folder = SCREENSHOTS / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    problems = []
    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        for name, url in pages.items():
            response = page.goto(url)
            page.wait_for_load_state("load")
            status = response.status if response else 0
            expected = 404 if name == "not-found" else 200
            if status != expected:
                problems.append(f"{name} {url}: HTTP {status}")
            wide, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if wide > window:
                problems.append(f"{name} {url} at {viewport['width']} px: {wide} px wide")
            page.screenshot(path=str(folder / f"{role}-{viewport['width']}-{name}.png"), full_page=True)
            if viewport["width"] == 1366 and name in axe:
                try:
                    assert_accessible(page)
                except AssertionError as error:
                    problems.append(f"{name} {url}: axe\n{error}")
    assert not problems, "\n".join(problems)


def test_every_page_of_sea_staff(page, world, sign_in, assert_accessible):
    pages = portal_pages(world, facilitator=False)
    user = User.objects.get(username="ct.staff")
    visit_all(page, sign_in, assert_accessible, user, pages, "sea-staff", axe=set(pages) - {"api-docs"})


def test_every_page_of_a_facilitator(page, world, sign_in, assert_accessible):
    pages = portal_pages(world, facilitator=True)
    user = User.objects.get(username="facilitator")
    visit_all(page, sign_in, assert_accessible, user, pages, "facilitator", axe=set(pages) - {"api-docs"})


def test_every_page_of_an_administrator(page, world, sign_in, assert_accessible):
    pages = {
        **{
            k: v
            for k, v in portal_pages(world, facilitator=True).items()
            if k in ("dashboard", "network", "projects")
        },
        **admin_pages(world),
    }
    user = User.objects.get(username="admin")
    visit_all(page, sign_in, assert_accessible, user, pages, "admin", axe={"dashboard"})
