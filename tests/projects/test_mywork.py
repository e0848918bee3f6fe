"""My work: what is each user's to do, in a bounded number of statements."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.models import TARequest
from projects.models import ProjectMember, Topic
from projects.mywork import my_work, registered_work_sections
from tests.meetings.factories import ActionItemFactory, MeetingFactory
from tests.projects.factories import ProductFactory, ProjectFactory
from tests.stakeholders.factories import StakeholderFactory


def world(ct, facilitator, ct_staff, size: int):
    today = timezone.localdate()
    topic = Topic.objects.first()
    person = StakeholderFactory(sea=ct, user=ct_staff)
    for n in range(size):
        project = ProjectFactory(sea=ct, end_date=today - datetime.timedelta(days=1) if n % 2 else None)
        ProjectMember.objects.create(project=project, user=facilitator, role="center_lead")
        ProductFactory(
            project=project, due_date=today + datetime.timedelta(days=n % 40 - 5), status="in_development"
        )
        meeting = MeetingFactory(created_by=facilitator)
        ActionItemFactory(
            meeting=meeting,
            owner_user=facilitator,
            owner_stakeholder=None,
            due_date=meeting.starts_at.date() + datetime.timedelta(days=1),
        )
        ActionItemFactory(
            meeting=meeting,
            owner_stakeholder=person,
            due_date=meeting.starts_at.date() + datetime.timedelta(days=1),
        )
        req = TARequest.objects.create(
            sea=ct,
            title=f"Request {n}",
            problem="p",
            desired_outcome="o",
            contact_name="c",
            contact_email="c@example.org",
            submitted_by=ct_staff,
        )
        req.topics.add(topic)


def test_sections_are_registered_by_the_higher_apps():
    assert registered_work_sections() == [
        "action_items",
        "products_due",
        "next_meetings",
        "requests",
        "projects_attention",
    ]


@pytest.mark.parametrize("size", [2, 12])
def test_my_work_answers_in_at_most_15_statements(
    ct, facilitator, ct_staff, size, django_assert_max_num_queries
):
    world(ct, facilitator, ct_staff, size)
    for user in (facilitator, ct_staff):
        user = type(user).objects.get(pk=user.pk)  # no cached roles
        with django_assert_max_num_queries(2):  # the role lookup of a fresh user, and the one UNION
            sections = my_work(user)
        assert sections


def test_facilitator_sees_their_work(client, ct, facilitator, ct_staff):
    world(ct, facilitator, ct_staff, 3)
    sections = {s.key: s for s in my_work(facilitator)}
    assert sections["requests"].items
    assert sections["requests"].title == "Requests awaiting triage"
    assert sections["products_due"].items
    assert sections["projects_attention"].items
    assert sections["action_items"].items
    client.force_login(facilitator)
    page = client.get(reverse("home")).content.decode()
    assert "My work" in page
    assert "Request 0" in page


def test_sea_staff_see_their_states_requests_only(ct, ny, facilitator, ct_staff, ny_staff):
    world(ct, facilitator, ct_staff, 2)
    ny_sections = {s.key: s for s in my_work(ny_staff)}
    assert ny_sections["requests"].items == []
    ct_sections = {s.key: s for s in my_work(ct_staff)}
    assert len(ct_sections["requests"].items) == 2
    assert ct_sections["action_items"].items  # owned through their directory entry


def test_my_work_on_the_home_page_changes_with_its_rows_and_is_drawn_once(
    client, ct, facilitator, ct_staff, monkeypatch
):
    """My work is drawn once per change of its rows (core.fragments): the same rows are served
    from the cached drawing, a new row shows at the next visit, and the cached drawing is the
    drawing made afresh."""
    from django.core.cache import cache

    from projects import mywork

    world(ct, facilitator, ct_staff, 2)
    drawn = []
    section_items = mywork.WorkSection.items.func
    monkeypatch.setattr(
        mywork.WorkSection,
        "items",
        property(lambda section: drawn.append(section.key) or section_items(section)),
    )
    client.force_login(ct_staff)
    cache.clear()  # an earlier run's drawing of the same rows would be served from the cache
    first = client.get(reverse("home")).content.decode()
    assert "Request 1" in first
    assert drawn
    drawn.clear()
    second = client.get(reverse("home")).content.decode()
    assert drawn == []  # not drawn again
    my_section = lambda html: html.split('id="my-work"')[1].split("</section>\n</section>")[0]  # noqa: E731
    assert my_section(second) == my_section(first)

    TARequest.objects.create(
        sea=ct,
        title="Request from the new superintendent",
        problem="p",
        desired_outcome="o",
        contact_name="c",
        contact_email="c@example.org",
        submitted_by=ct_staff,
    )
    third = client.get(reverse("home")).content.decode()
    assert "Request from the new superintendent" in my_section(third)
    assert drawn
