import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from projects.models import ConditionAssessment
from projects.services.assessments import assessment_record
from tests.projects.factories import ConditionAssessmentFactory, ProjectFactory, condition

pytestmark = pytest.mark.django_db


@pytest.fixture
def ct_project(ct):
    return ProjectFactory(sea=ct, title="Educator diversity")


def url(project):
    return reverse("projects:assessment_create", args=[project.pk])


def form_data(date="2025-05-01", **overrides):
    data = {"assessed_on": date}
    for n in range(1, 6):
        data[f"stage_{n}"] = str(n - 1)
        data[f"evidence_{n}"] = f"Evidence for condition {n}"
    data.update(overrides)
    return data


def test_anonymous_is_sent_to_sign_in(client, ct_project):
    response = client.get(url(ct_project))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.post(url(ct_project), form_data()).status_code == 302
    assert not ConditionAssessment.objects.exists()


def test_another_state_is_404(client, ny_staff, ct_project):
    client.force_login(ny_staff)
    assert client.get(url(ct_project)).status_code == 404
    assert client.post(url(ct_project), form_data()).status_code == 404
    assert not ConditionAssessment.objects.exists()


def test_form_shows_five_conditions_and_earlier_ratings(client, ct_staff, ct_project):
    ConditionAssessmentFactory(
        project=ct_project, condition=condition(2), stage=3, assessed_on=datetime.date(2024, 11, 5)
    )
    client.force_login(ct_staff)
    response = client.get(url(ct_project))
    assert response.status_code == 200
    form = response.context["form"]
    assert [c.number for c, _, _ in form.sections()] == [1, 2, 3, 4, 5]
    assert form["assessed_on"].value() == timezone.localdate()
    assert form["stage_2"].value() == 3  # the latest stage is the starting point
    assert response.context["history"][0]["date"] == datetime.date(2024, 11, 5)
    assert "2024-11-05" in response.text
    assert "Backbone support" in response.text


@pytest.mark.parametrize("user_fixture", ["ct_staff", "facilitator"])
def test_sea_staff_and_facilitators_record_and_every_submission_is_kept(
    request, client, ct_project, user_fixture
):
    user = request.getfixturevalue(user_fixture)
    client.force_login(user)
    response = client.post(url(ct_project), form_data("2025-01-10"))
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:detail", args=[ct_project.pk])
    response = client.post(url(ct_project), form_data("2025-06-10", stage_1="4"))
    assert response.status_code == 302
    assert ConditionAssessment.objects.filter(project=ct_project).count() == 10
    latest = ConditionAssessment.objects.filter(project=ct_project).latest_per_condition()
    stages = dict(latest.values_list("condition__number", "stage"))
    assert stages == {1: 4, 2: 1, 3: 2, 4: 3, 5: 4}
    assert set(ConditionAssessment.objects.values_list("assessor", flat=True)) == {user.pk}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"assessed_on": "2999-01-01"}, "assessed_on", "cannot be dated in the future"),
        ({"stage_3": "7"}, "stage_3", "Select a valid choice"),
        ({"stage_4": ""}, "stage_4", "Choose a stage for continuous communication."),
        ({"evidence_5": "  "}, "evidence_5", "Give the evidence for backbone support."),
    ],
)
def test_bad_input_saves_nothing(client, ct_staff, ct_project, overrides, field, message):
    client.force_login(ct_staff)
    response = client.post(url(ct_project), form_data(**overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert message in response.text
    assert not ConditionAssessment.objects.exists()


def test_service_checks_scope_and_input(ny_staff, ct_staff, ct_project):
    with pytest.raises(PermissionDenied):
        assessment_record(
            assessor=ny_staff,
            project=ct_project,
            assessed_on=datetime.date(2025, 1, 1),
            ratings={1: (2, "x")},
        )
    with pytest.raises(ValidationError) as error:
        assessment_record(
            assessor=ct_staff,
            project=ct_project,
            assessed_on=timezone.localdate() + datetime.timedelta(days=2),
            ratings={1: (9, "x"), 2: (1, "")},
        )
    assert {"assessed_on", "stage_1", "evidence_2"} <= set(error.value.message_dict)
    assert not ConditionAssessment.objects.exists()


def test_query_count_does_not_grow_with_history(
    client, facilitator, ct_project, django_assert_max_num_queries
):
    client.force_login(facilitator)
    with django_assert_max_num_queries(15) as small:
        client.get(url(ct_project))
    for month in range(1, 13):
        for n in range(1, 6):
            ConditionAssessmentFactory(
                project=ct_project,
                condition=condition(n),
                stage=n % 5,
                assessed_on=datetime.date(2024, month, 1),
            )
    with django_assert_max_num_queries(15) as large:
        client.get(url(ct_project))
    assert len(large.captured_queries) == len(small.captured_queries)
