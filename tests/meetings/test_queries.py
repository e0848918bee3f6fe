"""Query counts of the body, meeting and action-item pages do not grow with the body's history."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings.models import Minutes
from tests.meetings.factories import (
    ActionItemFactory,
    AgendaItemFactory,
    FeedbackFactory,
    MeetingFactory,
    ParticipantFactory,
    eastern,
)
from tests.projects.factories import ProjectFactory
from tests.projects.query_budget import assert_page_queries
from tests.stakeholders.factories import AdvisoryBodyFactory, MembershipFactory, StakeholderFactory

pytestmark = pytest.mark.django_db

BUDGETS = {"body": 25, "meeting": 25, "packet": 20, "actions": 15}


def history(body, sea, size: int):
    people = [StakeholderFactory(sea=sea) for _ in range(size)]
    seats = [MembershipFactory(body=body, stakeholder=p, represents_sea=sea) for p in people]
    project = ProjectFactory(sea=sea)
    meetings = []
    for n in range(size):
        meeting = MeetingFactory(
            body=body, starts_at=eastern(2024, 1, 1, 10) + datetime.timedelta(days=30 * n)
        )
        for i, (person, seat) in enumerate(zip(people, seats, strict=True)):
            ParticipantFactory(
                meeting=meeting,
                stakeholder=person,
                membership=seat,
                attendance="present" if i % 2 else "absent",
            )
            AgendaItemFactory(meeting=meeting, position=i + 1, presenter=person, project=project)
            ActionItemFactory(meeting=meeting, owner_stakeholder=person)
            FeedbackFactory(body=body, meeting=meeting, stakeholder=person, resource=f"Resource {i}")
        Minutes.objects.create(meeting=meeting, text="# Minutes\n\nAll good.")
        meetings.append(meeting)
    return meetings


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("user_fixture", ["facilitator", "ct_staff"])
def test_pages_have_a_fixed_number_of_queries(client, rab, ct, request, user_fixture):
    user = request.getfixturevalue(user_fixture)
    client.force_login(user)
    counts = []
    for size in (2, 8):
        meetings = history(rab, ct, size)
        last = meetings[-1]
        urls = {
            "body": reverse("meetings:body_detail", args=[rab.pk]),
            "meeting": last.get_absolute_url(),
            "packet": reverse("meetings:meeting_packet", args=[last.pk]),
            "actions": reverse("meetings:action_item_list") + "?status=all",
        }
        measured = {name: count(client, url) for name, url in urls.items()}
        for name, n in measured.items():
            assert n <= BUDGETS[name], (name, size, n)
        counts.append(measured)
    assert counts[0] == counts[1]


def test_body_list_queries_do_not_grow_with_the_number_of_bodies(
    client, facilitator, frozen, django_assert_max_num_queries
):
    """Each body's cadence (its last and next meeting) comes from two queries for all bodies."""
    client.force_login(facilitator)
    url = reverse("meetings:body_list")
    counts = []
    for size in (2, 8):
        for n in range(size):
            body = AdvisoryBodyFactory(meetings_per_year=4, short_name=f"B{size}-{n}")
            MeetingFactory(body=body, starts_at=eastern(2025, 12, 1, 10))
            MeetingFactory(body=body, starts_at=eastern(2026, 9, 1, 10))  # later than the cadence allows
        page = assert_page_queries(client, url, django_assert_max_num_queries).content.decode()
        assert page.count("is later than the expected cadence") == (2 if size == 2 else 10)
        counts.append(count(client, url))
    assert counts[0] == counts[1]
