"""API lists cost the same number of queries whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.communications.factories import compose
from tests.meetings.factories import ActionItemFactory, AgendaItemFactory, MeetingFactory
from tests.projects.factories import (
    ActivityFactory,
    ConditionAssessmentFactory,
    IndicatorValueFactory,
    ProductFactory,
    ProjectFactory,
)
from tests.stakeholders.factories import AdvisoryBodyFactory, MembershipFactory, StakeholderFactory


def add_rows(ct, author):
    project = ProjectFactory(sea=ct)
    project.goals.create(number=1, statement="Diversify the workforce").objectives.create(
        number=1, statement="Recruit"
    )
    activity = ActivityFactory(project=project, author=author)
    activity.conditions.set([1, 2])
    activity.participants.set([StakeholderFactory(sea=ct)])
    ConditionAssessmentFactory(project=project)
    IndicatorValueFactory(indicator__project=project)
    ProductFactory(project=project)
    body = AdvisoryBodyFactory()
    MembershipFactory(body=body, stakeholder=StakeholderFactory(sea=ct))
    meeting = MeetingFactory(body=body)
    AgendaItemFactory(meeting=meeting)
    ActionItemFactory(meeting=meeting)
    compose(author, subject="Update")


ENDPOINTS = [
    "/api/v1/projects/",
    "/api/v1/activities/",
    "/api/v1/assessments/",
    "/api/v1/indicator-values/",
    "/api/v1/products/",
    "/api/v1/stakeholders/",
    "/api/v1/memberships/",
    "/api/v1/advisory-bodies/",
    "/api/v1/meetings/",
    "/api/v1/action-items/",
    "/api/v1/communications/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ENDPOINTS)
def test_list_queries_do_not_grow_with_rows(ct, ct_staff, path):
    api = APIClient()
    api.force_authenticate(ct_staff)
    add_rows(ct, ct_staff)
    api.get(path)  # warm per-process caches
    with CaptureQueriesContext(connection) as few:
        assert api.get(path).status_code == 200
    for _ in range(4):
        add_rows(ct, ct_staff)
    with CaptureQueriesContext(connection) as more:
        response = api.get(path)
    body = response.json()
    assert response.status_code == 200
    assert len(body["results"]) >= 5
    assert "count" in body or body["next"] is None  # cursor pages count nothing
    assert len(more) == len(few), "\n".join(query["sql"] for query in more.captured_queries)
