"""The API of running the work: requests, goals, objectives, product moves, adoptions."""

import pytest
from rest_framework.test import APIClient

from intake.models import TARequest
from projects.models import Goal, Product, ProductAdoption, Topic
from tests.projects.factories import ProductFactory, ProjectFactory
from tests.stakeholders.factories import DistrictFactory


@pytest.fixture
def api(db):
    return APIClient()


def test_sea_staff_submit_a_request_and_facilitator_triages(api, ct_staff, ny_staff, facilitator):
    topic = Topic.objects.get(slug="assessment")
    api.force_authenticate(ct_staff)
    payload = {
        "sea": ct_staff.sea_id,
        "title": "Assessment literacy",
        "problem": "Teachers misread score reports.",
        "desired_outcome": "Clear reports.",
        "topics": [topic.pk],
        "contact_name": "Pat",
        "contact_email": "pat@example.org",
    }
    response = api.post("/api/v1/requests/", payload, format="json")
    assert response.status_code == 201, response.data
    pk = response.data["id"]
    bad = api.post(
        "/api/v1/requests/", {**payload, "sea": ny_staff.sea_id, "contact_email": "x"}, format="json"
    )
    assert bad.status_code == 400
    assert {"sea", "contact_email"} <= set(bad.data)
    assert (
        api.post(f"/api/v1/requests/{pk}/move/", {"transition": "accept"}, format="json").status_code == 404
    )
    api.force_authenticate(ny_staff)
    assert api.get(f"/api/v1/requests/{pk}/").status_code == 404
    api.force_authenticate(facilitator)
    refused = api.post(f"/api/v1/requests/{pk}/move/", {"transition": "decline"}, format="json")
    assert refused.status_code == 400
    assert "note" in refused.data
    moved = api.post(
        f"/api/v1/requests/{pk}/move/", {"transition": "accept", "expected_status": "new"}, format="json"
    )
    assert moved.status_code == 200
    assert moved.data["status"] == "accepted"
    assert TARequest.objects.get().status == "accepted"


def test_goal_and_product_moves(api, facilitator, ct):
    project = ProjectFactory(sea=ct)
    goal = Goal.objects.create(project=project, number=1, statement="Hiring plans")
    product = ProductFactory(project=project, status="in_review")
    api.force_authenticate(facilitator)
    assert (
        api.post(f"/api/v1/goals/{goal.pk}/move/", {"transition": "start"}, format="json").data["status"]
        == "in_progress"
    )
    no_date = api.post(f"/api/v1/products/{product.pk}/move/", {"transition": "deliver"}, format="json")
    assert no_date.status_code == 400
    done = api.post(
        f"/api/v1/products/{product.pk}/move/",
        {"transition": "deliver", "delivered_on": "2026-01-10"},
        format="json",
    )
    assert done.status_code == 200
    assert Product.objects.get().status == "delivered"


def test_sea_staff_record_adoption_of_their_projects_district(api, ct_staff, ny_staff):
    project = ProjectFactory(sea=ct_staff.sea)
    district, outside = DistrictFactory(sea=ct_staff.sea), DistrictFactory(sea=ct_staff.sea)
    project.districts.add(district)
    product = ProductFactory(project=project)
    api.force_authenticate(ct_staff)
    ok = api.post(
        "/api/v1/adoptions/",
        {"product": product.pk, "district": district.pk, "adopted_on": "2026-01-02"},
        format="json",
    )
    assert ok.status_code == 201, ok.data
    bad = api.post(
        "/api/v1/adoptions/",
        {"product": product.pk, "district": outside.pk, "adopted_on": "2026-01-02"},
        format="json",
    )
    assert bad.status_code == 400
    assert "district" in bad.data
    api.force_authenticate(ny_staff)
    other = api.post(
        "/api/v1/adoptions/",
        {"product": product.pk, "district": district.pk, "adopted_on": "2026-01-02"},
        format="json",
    )
    assert other.status_code == 400
    assert "product" in other.data
    assert ProductAdoption.objects.count() == 1
