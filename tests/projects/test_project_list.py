import csv
import datetime
import io

import pytest
from django.urls import reverse

from projects.models import Project
from tests.projects.factories import ConditionAssessmentFactory, ProjectFactory, condition
from tests.stakeholders.factories import PartnerCenterFactory

pytestmark = pytest.mark.django_db

LIST = reverse("projects:list")


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def portfolio(ct, ny):
    rel = PartnerCenterFactory(short_name="REL-NEI")
    return {
        "ct_active": ProjectFactory(sea=ct, title="Educator diversity", lead_center=rel),
        "ct_paused": ProjectFactory(sea=ct, title="Teacher retention", status=Project.Status.PAUSED),
        "ny_active": ProjectFactory(sea=ny, title="Literacy network"),
    }


def titles(response):
    return [project.title for project in response.context["object_list"]]


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sea_staff_see_their_state_only(client, ct_staff, portfolio):
    client.force_login(ct_staff)
    response = client.get(LIST)
    assert titles(response) == ["Educator diversity", "Teacher retention"]
    assert "Literacy network" not in response.text
    assert "state" not in response.context["filterset"].form.fields  # one state: no state filter
    # Asking for another state's projects by URL shows nothing of them.
    response = client.get(LIST, {"state": portfolio["ny_active"].sea_id})
    assert "Literacy network" not in response.text


def test_facilitator_filters_by_state_status_center_and_text(client, facilitator, portfolio):
    client.force_login(facilitator)
    assert len(titles(client.get(LIST))) == 3
    ct = portfolio["ct_active"].sea
    assert titles(client.get(LIST, {"state": ct.pk, "status": "active"})) == ["Educator diversity"]
    center = portfolio["ct_active"].lead_center
    assert titles(client.get(LIST, {"lead_center": center.pk})) == ["Educator diversity"]
    assert titles(client.get(LIST, {"q": "LITERACY"})) == ["Literacy network"]


def test_filter_by_latest_stage_of_a_condition(client, facilitator, portfolio):
    ConditionAssessmentFactory(
        project=portfolio["ct_active"], condition=condition(2), stage=1, assessed_on=datetime.date(2024, 1, 1)
    )
    ConditionAssessmentFactory(
        project=portfolio["ct_active"], condition=condition(2), stage=3, assessed_on=datetime.date(2025, 1, 1)
    )
    ConditionAssessmentFactory(project=portfolio["ny_active"], condition=condition(2), stage=1)
    client.force_login(facilitator)
    assert titles(client.get(LIST, {"condition": 2, "stage": 3})) == ["Educator diversity"]
    assert titles(client.get(LIST, {"condition": 2, "stage": 1})) == ["Literacy network"]
    assert titles(client.get(LIST, {"condition": 2, "stage": "none"})) == ["Teacher retention"]
    response = client.get(LIST, {"stage": 3})
    assert "Choose the condition whose stage you want to filter by." in response.text
    assert len(titles(response)) == 3


def test_sort_by_whitelisted_columns_only(client, facilitator, portfolio):
    client.force_login(facilitator)
    assert titles(client.get(LIST, {"sort": "-title"})) == [
        "Teacher retention",
        "Literacy network",
        "Educator diversity",
    ]
    assert titles(client.get(LIST, {"sort": "state"}))[-1] == "Literacy network"
    response = client.get(LIST, {"sort": "problem_statement"})
    assert response.status_code == 200
    assert titles(response) == ["Educator diversity", "Literacy network", "Teacher retention"]


def test_bad_filter_values_never_fail(client, facilitator, portfolio):
    client.force_login(facilitator)
    response = client.get(LIST, {"status": "exploded", "state": "x", "condition": "9", "page": "-4"})
    assert response.status_code == 200
    assert len(titles(response)) == 3
    assert "Select a valid choice" in response.text


def test_csv_equals_the_filtered_list(client, ct_staff, portfolio):
    ConditionAssessmentFactory(project=portfolio["ct_active"], condition=condition(1), stage=4)
    client.force_login(ct_staff)
    response = client.get(LIST, {"status": "active", "format": "csv"})
    rows = csv_rows(response)
    assert [row["Project"] for row in rows] == titles(client.get(LIST, {"status": "active"}))
    assert rows[0]["State"] == "CT"
    assert rows[0]["Common agenda"] == "4"
    assert rows[0]["Shared measurement"] == ""


def test_stage_cells_show_number_and_label(client, ct_staff, portfolio):
    ConditionAssessmentFactory(project=portfolio["ct_active"], condition=condition(5), stage=3)
    client.force_login(ct_staff)
    response = client.get(LIST)
    assert '3<span class="visually-hidden"> Established</span>' in response.text
    assert "never assessed" in response.text


def test_query_count_does_not_grow(client, facilitator, ct, ny, django_assert_max_num_queries):
    client.force_login(facilitator)

    def grow(count):
        for i in range(count):
            project = ProjectFactory(sea=ct if i % 2 else ny)
            ConditionAssessmentFactory(project=project, condition=condition(1 + i % 5))

    grow(3)
    with django_assert_max_num_queries(15) as small:
        client.get(LIST)
    grow(40)
    with django_assert_max_num_queries(15) as large:
        client.get(LIST, {"sort": "-stage_1"})
    assert len(large.captured_queries) == len(small.captured_queries)
