"""The dashboards warn when a project's stakeholders have not heard from us within its cadence."""

import pytest

from communications.models import ProjectCadence
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

HEADING = "Stakeholders waiting to hear from us"


@pytest.fixture
def quiet_projects(ct, ny):
    ct_project = ProjectFactory(sea=ct, title="Connecticut mentoring pilot")
    ny_project = ProjectFactory(sea=ny, title="New York literacy network")
    for project in (ct_project, ny_project):
        ProjectCadence.objects.create(project=project, expected_days=ProjectCadence.Every.MONTHLY)
    return ct_project, ny_project


def test_portfolio_dashboard_lists_projects_overdue_for_news(client, facilitator, quiet_projects):
    client.force_login(facilitator)
    body = client.get("/").content.decode()
    assert HEADING in body
    assert "Connecticut mentoring pilot" in body
    assert "New York literacy network" in body


def test_sea_staff_see_only_their_own_states_cadence_warnings(client, ct_staff, quiet_projects):
    client.force_login(ct_staff)
    body = client.get("/").content.decode()
    assert "Connecticut mentoring pilot" in body
    assert "New York literacy network" not in body


def test_state_dashboard_warns_about_that_state_only(client, facilitator, quiet_projects):
    client.force_login(facilitator)
    body = client.get("/projects/states/NY/").content.decode()
    assert HEADING in body
    assert "New York literacy network" in body
    assert "Connecticut mentoring pilot" not in body


def test_no_warning_without_an_expected_cadence(client, facilitator, ct):
    ProjectFactory(sea=ct, title="Project with no cadence")
    client.force_login(facilitator)
    assert HEADING not in client.get("/").content.decode()
