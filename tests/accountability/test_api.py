from rest_framework.test import APIClient

from accountability.models import Attestation
from tests.accountability.conftest import log


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_counterpart_answers_through_the_api(team, ny_staff):
    activity = log(team["project"], team["staff"])
    attestation = Attestation.objects.get(activity=activity, is_current=True)
    url = f"/api/v1/attestations/{attestation.pk}/answer/"
    assert client_for(ny_staff).post(url, {"decision": "confirmed"}, format="json").status_code == 404
    bad = client_for(team["contact"]).post(url, {"decision": "disputed", "comment": ""}, format="json")
    assert bad.status_code == 400
    assert "comment" in bad.json()
    assert (
        client_for(team["contact"]).post(url, {"decision": "x", "extra": 1}, format="json").status_code == 400
    )
    assert client_for(team["lead"]).post(url, {"decision": "confirmed"}, format="json").status_code == 403
    attestation.refresh_from_db()
    assert attestation.status == "pending"
    ok = client_for(team["contact"]).post(url, {"decision": "confirmed"}, format="json")
    assert ok.status_code == 200
    assert ok.json()["status"] == "confirmed"
    late = client_for(team["second"]).post(url, {"decision": "confirmed"}, format="json")
    assert late.status_code == 409
    assert "Already answered" in late.json()["detail"]
    listed = client_for(team["lead"]).get("/api/v1/attestations/").json()
    assert [row["id"] for row in listed["results"]] == [attestation.pk]
    assert client_for(ny_staff).get("/api/v1/attestations/").json()["results"] == []


def test_report_tables_over_the_api(team, ny_staff):
    log(team["project"], team["staff"])
    data = (
        client_for(team["lead"])
        .get("/api/v1/report/services/?date_from=2026-10-01&date_to=2026-11-30")
        .json()
    )
    assert data["columns"][0] == "State"
    assert data["rows"][-1][:3] == ["CSDE total", "All types", 1]
    assert (
        client_for(ny_staff)
        .get("/api/v1/report/services/?date_from=2026-10-01&date_to=2026-11-30")
        .json()["rows"]
        == []
    )
    bad = client_for(team["lead"]).get("/api/v1/report/services/?date_from=2026-10-01&date_to=2025-01-01")
    assert bad.status_code == 400
    assert "date_to" in bad.json()
    assert client_for(team["lead"]).get("/api/v1/report/nope/").status_code == 404
    assert APIClient().get("/api/v1/report/services/").status_code == 401
