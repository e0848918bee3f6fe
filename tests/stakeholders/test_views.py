import csv
import datetime
import io

import pytest
from django.urls import reverse

from tests.projects.factories import ActivityFactory, ProjectFactory
from tests.stakeholders.factories import (
    DistrictFactory,
    MembershipFactory,
    OrganizationFactory,
    PartnerCenterFactory,
    StakeholderFactory,
)

pytestmark = pytest.mark.django_db

PEOPLE = reverse("stakeholders:stakeholder_list")
DISTRICTS = reverse("stakeholders:district_list")


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def people(ct, ny):
    return {
        "ana": StakeholderFactory(sea=ct, first_name="Ana", last_name="Reyes", title="Chief Talent Officer"),
        "ben": StakeholderFactory(
            sea=ct, first_name="Ben", last_name="Adams", district=DistrictFactory(sea=ct, name="Harbor City")
        ),
        "nia": StakeholderFactory(sea=ny, first_name="Nia", last_name="Ortiz"),
        "pat": StakeholderFactory(
            sea=None, first_name="Pat", last_name="Kim", partner_center=PartnerCenterFactory()
        ),
    }


def names(response):
    return [person.full_name for person in response.context["object_list"]]


@pytest.mark.parametrize("url", [PEOPLE, DISTRICTS])
def test_anonymous_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sea_staff_see_their_state_people(client, ct_staff, people):
    client.force_login(ct_staff)
    response = client.get(PEOPLE)
    assert names(response) == ["Ben Adams", "Ana Reyes"]
    assert "Nia Ortiz" not in response.text


def test_facilitator_sees_everyone_and_filters(client, facilitator, people, ny):
    client.force_login(facilitator)
    assert len(names(client.get(PEOPLE))) == 4
    assert names(client.get(PEOPLE, {"state": ny.pk})) == ["Nia Ortiz"]
    assert names(client.get(PEOPLE, {"q": "talent officer"})) == ["Ana Reyes"]
    assert names(client.get(PEOPLE, {"affiliation": "district"})) == ["Ben Adams"]
    assert names(client.get(PEOPLE, {"affiliation": "partner_center"})) == ["Pat Kim"]
    assert names(client.get(PEOPLE, {"sort": "-name"})) == ["Ana Reyes", "Nia Ortiz", "Pat Kim", "Ben Adams"]


def test_inactive_filter_and_bad_values(client, facilitator, people):
    people["ana"].is_active = False
    people["ana"].save()
    client.force_login(facilitator)
    assert names(client.get(PEOPLE, {"active": "no"})) == ["Ana Reyes"]
    response = client.get(PEOPLE, {"active": "maybe", "state": "zz", "page": "99", "sort": "-nope"})
    assert response.status_code == 200
    assert len(names(response)) == 4


def test_people_csv_equals_the_filtered_list(client, ct_staff, people):
    client.force_login(ct_staff)
    rows = csv_rows(client.get(PEOPLE, {"q": "a", "format": "csv"}))
    page = client.get(PEOPLE, {"q": "a"})
    assert [row["Name"] for row in rows] == names(page)
    assert {row["State"] for row in rows} == {"CT"}
    assert rows[0]["Works at"] == "Harbor City"


def test_people_query_count_does_not_grow(client, facilitator, ct, django_assert_max_num_queries):
    client.force_login(facilitator)
    org = OrganizationFactory()
    StakeholderFactory.create_batch(3, sea=ct, organization=org)
    with django_assert_max_num_queries(15) as small:
        client.get(PEOPLE)
    StakeholderFactory.create_batch(60, sea=ct, district=DistrictFactory(sea=ct))
    with django_assert_max_num_queries(15) as large:
        client.get(PEOPLE)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_detail_shows_person_projects_memberships_and_activities(client, ct_staff, people, ct, ny):
    ana = people["ana"]
    project = ProjectFactory(sea=ct, title="Educator diversity")
    project.stakeholders.add(ana)
    MembershipFactory(
        stakeholder=ana, body__name="Regional Advisory Board", term_start=datetime.date(2024, 7, 1)
    )
    seen = ActivityFactory(project=project, summary="Coaching", date=datetime.date(2025, 3, 4))
    seen.participants.add(ana)
    client.force_login(ct_staff)
    response = client.get(reverse("stakeholders:stakeholder_detail", args=[ana.pk]))
    assert response.status_code == 200
    assert "Chief Talent Officer" in response.text
    assert "Educator diversity" in response.text
    assert "Regional Advisory Board" in response.text
    assert list(response.context["activities"]) == [seen]


def test_detail_of_another_state_is_404(client, ct_staff, people):
    client.force_login(ct_staff)
    assert client.get(reverse("stakeholders:stakeholder_detail", args=[people["nia"].pk])).status_code == 404
    # Regional partners without a state are read by center staff only.
    assert client.get(reverse("stakeholders:stakeholder_detail", args=[people["pat"].pk])).status_code == 404


def test_detail_needs_sign_in_and_facilitator_reads_any(client, facilitator, people):
    url = reverse("stakeholders:stakeholder_detail", args=[people["nia"].pk])
    assert client.get(url).status_code == 302
    client.force_login(facilitator)
    assert client.get(url).status_code == 200


def test_detail_query_count_does_not_grow(client, ct_staff, people, ct, django_assert_max_num_queries):
    ana = people["ana"]
    client.force_login(ct_staff)
    url = reverse("stakeholders:stakeholder_detail", args=[ana.pk])
    with django_assert_max_num_queries(15) as small:
        client.get(url)
    for i in range(8):
        project = ProjectFactory(sea=ct)
        project.stakeholders.add(ana)
        ActivityFactory(project=project).participants.add(ana)
        MembershipFactory(stakeholder=ana, term_start=datetime.date(2020 + i, 1, 1))
    with django_assert_max_num_queries(15) as large:
        client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_districts_scoped_searchable_sortable(client, ct_staff, facilitator, ct, ny):
    harbor = DistrictFactory(sea=ct, name="Harbor City Public Schools", nces_id="0900001")
    DistrictFactory(sea=ct, name="Elm Valley Public Schools", nces_id="0900002")
    DistrictFactory(sea=ny, name="Hudson Falls Central Schools")
    ProjectFactory(sea=ct).districts.add(harbor)
    client.force_login(ct_staff)
    response = client.get(DISTRICTS)
    assert [d.name for d in response.context["object_list"]] == [
        "Elm Valley Public Schools",
        "Harbor City Public Schools",
    ]
    assert [d.name for d in client.get(DISTRICTS, {"q": "09000"}).context["object_list"]][
        0
    ] == "Elm Valley Public Schools"
    by_projects = client.get(DISTRICTS, {"sort": "-projects"}).context["object_list"]
    assert by_projects[0] == harbor
    assert by_projects[0].project_count == 1
    client.force_login(facilitator)
    assert len(client.get(DISTRICTS).context["object_list"]) == 3
    assert [d.name for d in client.get(DISTRICTS, {"state": ny.pk}).context["object_list"]] == [
        "Hudson Falls Central Schools"
    ]


def test_district_csv_equals_the_filtered_list(client, ct_staff, ct, ny):
    DistrictFactory(sea=ct, name="Harbor City Public Schools", nces_id="0900001")
    DistrictFactory(sea=ct, name="Elm Valley Public Schools")
    DistrictFactory(sea=ny, name="Hudson Falls Central Schools")
    client.force_login(ct_staff)
    rows = csv_rows(client.get(DISTRICTS, {"q": "harbor", "format": "csv"}))
    assert rows == [
        {
            "District": "Harbor City Public Schools",
            "NCES LEA id": "0900001",
            "State": "CT",
            "Projects": "0",
            "Demo data": "no",
        }
    ]


def test_district_query_count_does_not_grow(client, facilitator, ct, django_assert_max_num_queries):
    client.force_login(facilitator)
    DistrictFactory.create_batch(3, sea=ct)
    with django_assert_max_num_queries(15) as small:
        client.get(DISTRICTS)
    for district in DistrictFactory.create_batch(60, sea=ct):
        ProjectFactory(sea=ct).districts.add(district)
    with django_assert_max_num_queries(15) as large:
        client.get(DISTRICTS)
    assert len(large.captured_queries) == len(small.captured_queries)
