import datetime

from rest_framework.test import APIClient

from accountability.models import Attestation
from projects.models import ProjectMember
from tests.accountability.conftest import log
from tests.projects.factories import ProjectFactory


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


def test_report_table_pages_its_rows(team, django_assert_max_num_queries):
    """The conditions table (a row per project) comes a page at a time, like the API's lists,
    and a page costs the same statements whatever the number of projects."""
    sea = team["project"].sea
    for n in range(4):
        project = ProjectFactory(sea=sea, title=f"P{n}", start_date=datetime.date(2025, 1, 1))
        ProjectMember.objects.create(project=project, user=team["lead"], role=ProjectMember.Role.CENTER_LEAD)
    client = client_for(team["lead"])
    url = "/api/v1/report/conditions/?fy=2026&page_size=2"
    first = client.get(url).json()
    assert first["count"] == 5
    assert len(first["rows"]) == 2
    assert first["previous"] is None
    assert "page=2" in first["next"]
    third = client.get(first["next"].replace("page=2", "page=3")).json()
    assert [row[0] for row in third["rows"]] == ["P3"]
    assert third["next"] is None
    assert "page=2" in third["previous"]
    titles = [row[0] for page in (1, 2, 3) for row in client.get(f"{url}&page={page}").json()["rows"]]
    assert sorted(titles) == sorted(["P0", "P1", "P2", "P3", team["project"].title])
    for junk in ("0", "4", "x", "9" * 40, "-1", "²"):
        assert client.get(f"{url}&page={junk}").status_code == 404, junk
    assert client.get(f"{url}&page=1\x00").status_code == 400
    assert len(client.get("/api/v1/report/conditions/?fy=2026&page_size=100000").json()["rows"]) == 5
    # Other tables page the same way.
    services = client.get("/api/v1/report/ratings/?fy=2026&page_size=4").json()
    assert services["count"] == 9
    assert len(services["rows"]) == 4
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for n in range(20):
        ProjectFactory(sea=sea, title=f"Q{n}", start_date=datetime.date(2025, 1, 1))
    with django_assert_max_num_queries(40) as many:
        assert len(client.get("/api/v1/report/conditions/?fy=2026&page_size=2").json()["rows"]) == 2
    assert len(many.captured_queries) == len(few.captured_queries)


def test_attestations_come_in_cursor_pages_newest_first_without_a_count(team, ny_staff):
    for _ in range(5):
        log(team["project"], team["staff"])
    newest_first = list(
        Attestation.objects.filter(activity__project=team["project"])
        .order_by("-requested_at", "-pk")
        .values_list("pk", flat=True)
    )
    api = client_for(team["lead"])
    page = api.get("/api/v1/attestations/", {"page_size": 2}).json()
    assert "count" not in page
    assert page["previous"] is None
    seen = [row["id"] for row in page["results"]]
    while page["next"]:
        page = api.get(page["next"]).json()
        seen += [row["id"] for row in page["results"]]
    assert seen == newest_first
    assert len(seen) >= 5
    assert api.get("/api/v1/attestations/", {"cursor": "not-a-cursor"}).status_code == 404
    assert client_for(ny_staff).get("/api/v1/attestations/", {"page_size": 2}).json()["results"] == []
