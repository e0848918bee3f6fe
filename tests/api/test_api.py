"""The v1 API: scoping, services for writes, validation, tokens, throttling, schema and docs."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import SecurityEvent
from api.models import ApiToken
from api.services import api_token_create, api_token_revoke
from projects.models import Activity, ConditionAssessment
from tests.accounts.factories import SEAStaffFactory
from tests.projects.factories import (
    ActivityFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    ProductFactory,
    ProjectFactory,
)
from tests.stakeholders.factories import DistrictFactory, StakeholderFactory


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def world(ct, ny):
    ct_project = ProjectFactory(sea=ct, title="Educator diversity in Connecticut")
    ny_project = ProjectFactory(sea=ny, title="Secret New York pilot")
    return {
        "ct_project": ct_project,
        "ny_project": ny_project,
        "ct_district": DistrictFactory(sea=ct, name="Hartford Demo District"),
        "ny_district": DistrictFactory(sea=ny, name="Albany Hidden District"),
        "ct_person": StakeholderFactory(sea=ct, last_name="Nutmeg"),
        "ny_person": StakeholderFactory(sea=ny, last_name="Empire"),
        "ny_activity": ActivityFactory(project=ny_project, summary="New York only work"),
        "ny_value": IndicatorValueFactory(indicator=IndicatorFactory(project=ny_project)),
        "ny_product": ProductFactory(project=ny_project, title="New York toolkit"),
    }


def ids(response):
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/projects/",
        "/api/v1/districts/",
        "/api/v1/stakeholders/",
        "/api/v1/activities/",
        "/api/v1/indicator-values/",
        "/api/v1/products/",
        "/api/v1/seas/",
    ],
)
def test_lists_never_include_another_states_records(api, ct_staff, world, path):
    api.force_authenticate(ct_staff)
    response = api.get(path)
    assert response.status_code == 200
    body = response.content.decode()
    for secret in (
        "Secret New York pilot",
        "Albany Hidden District",
        "Empire",
        "New York only work",
        "NYSED",
    ):
        assert secret not in body


@pytest.mark.django_db
def test_another_states_project_is_a_404_and_own_is_200(api, ct_staff, world):
    api.force_authenticate(ct_staff)
    assert api.get(f"/api/v1/projects/{world['ny_project'].pk}/").status_code == 404
    response = api.get(f"/api/v1/projects/{world['ct_project'].pk}/")
    assert response.status_code == 200
    assert response.json()["title"] == "Educator diversity in Connecticut"


@pytest.mark.django_db
def test_facilitator_reads_the_whole_portfolio(api, facilitator, world):
    api.force_authenticate(facilitator)
    assert ids(api.get("/api/v1/projects/")) == {world["ct_project"].pk, world["ny_project"].pk}


@pytest.mark.django_db
def test_anonymous_gets_401_with_a_challenge(api, world):
    response = api.get("/api/v1/projects/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


@pytest.mark.django_db
def test_filtering_ordering_and_pagination(api, facilitator, ct, world):
    ProjectFactory(sea=ct, title="Another Connecticut project", status="completed")
    api.force_authenticate(facilitator)
    completed = api.get("/api/v1/projects/", {"status": "completed"})
    assert [row["title"] for row in completed.json()["results"]] == ["Another Connecticut project"]
    by_sea = api.get("/api/v1/projects/", {"sea": ct.pk, "ordering": "-title"})
    assert [row["title"] for row in by_sea.json()["results"]] == [
        "Educator diversity in Connecticut",
        "Another Connecticut project",
    ]
    page = api.get("/api/v1/projects/", {"page_size": 1, "ordering": "title"}).json()
    assert page["count"] == 3
    assert len(page["results"]) == 1
    assert page["next"]
    assert api.get("/api/v1/projects/", {"start_date__gte": "not a date"}).status_code == 400


@pytest.mark.django_db
def test_filtering_by_another_states_id_matches_nothing(api, ct_staff, world):
    api.force_authenticate(ct_staff)
    response = api.get("/api/v1/activities/", {"project": world["ny_project"].pk})
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.django_db
def test_activities_come_in_cursor_pages_without_a_count(api, facilitator, world):
    project = world["ct_project"]
    for day in range(1, 6):
        ActivityFactory(project=project, date=datetime.date(2025, 1, day))
    api.force_authenticate(facilitator)
    first = api.get("/api/v1/activities/", {"project": project.pk, "page_size": 2}).json()
    assert "count" not in first
    assert first["previous"] is None
    dates = [row["date"] for row in first["results"]]
    while first["next"]:
        first = api.get(first["next"]).json()
        dates += [row["date"] for row in first["results"]]
    assert dates == [f"2025-01-0{day}" for day in range(5, 0, -1)]
    assert api.get("/api/v1/activities/", {"cursor": "not-a-cursor"}).status_code == 404


@pytest.mark.django_db
def test_activity_search_is_full_text_and_scoped(api, ct_staff, world):
    wanted = ActivityFactory(project=world["ct_project"], summary="Coaching on hiring pipelines")
    ActivityFactory(project=world["ct_project"], summary="Data review")
    ActivityFactory(project=world["ny_project"], summary="Coaching on hiring pipelines")
    api.force_authenticate(ct_staff)
    assert ids(api.get("/api/v1/activities/", {"q": "hire -data"})) == {wanted.pk}
    assert ids(api.get("/api/v1/activities/", {"q": '"hiring pipelines"'})) == {wanted.pk}
    assert ids(api.get("/api/v1/activities/", {"q": "New York only"})) == set()


def activity_payload(project, **extra):
    return {
        "project": project.pk,
        "date": "2025-03-04",
        "type": "coaching",
        "summary": "Coaching on hiring pipelines.",
        "hours": "2.50",
        "mode": "virtual",
        "conditions": [1, 3],
        **extra,
    }


@pytest.mark.django_db
def test_sea_staff_log_an_activity_through_the_service(api, ct_staff, world):
    api.force_authenticate(ct_staff)
    payload = activity_payload(world["ct_project"], participants=[world["ct_person"].pk])
    response = api.post("/api/v1/activities/", payload, format="json")
    assert response.status_code == 201, response.json()
    activity = Activity.objects.get(pk=response.json()["id"])
    assert activity.author == ct_staff
    assert activity.hours == Decimal("2.50")
    assert sorted(activity.conditions.values_list("number", flat=True)) == [1, 3]
    assert activity.history.first().history_user == ct_staff
    assert response.json()["conditions"] == [1, 3]


@pytest.mark.django_db
def test_unknown_fields_are_refused(api, ct_staff, world):
    api.force_authenticate(ct_staff)
    response = api.post(
        "/api/v1/activities/", activity_payload(world["ct_project"], author=99), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"author": ["This field is read-only."]}
    response = api.post(
        "/api/v1/activities/", activity_payload(world["ct_project"], colour="red"), format="json"
    )
    assert response.status_code == 400
    assert response.json()["colour"] == ["This field is not known."]
    assert not Activity.objects.filter(author=ct_staff).exists()


@pytest.mark.django_db
def test_validation_errors_are_400_with_field_messages(api, ct_staff, world):
    api.force_authenticate(ct_staff)
    response = api.post(
        "/api/v1/activities/",
        activity_payload(world["ct_project"], date="2999-01-01", hours="-1", type="party"),
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) >= {"hours", "type"}
    response = api.post("/api/v1/activities/", activity_payload(world["ct_project"]), format="json")
    assert response.status_code == 201
    future = api.post(
        "/api/v1/activities/", activity_payload(world["ct_project"], date="2999-01-01"), format="json"
    )
    assert future.status_code == 400
    assert "date" in future.json()


@pytest.mark.django_db
def test_another_states_project_or_people_cannot_be_used(api, ct_staff, world):
    api.force_authenticate(ct_staff)
    response = api.post("/api/v1/activities/", activity_payload(world["ny_project"]), format="json")
    assert response.status_code == 400
    assert "project" in response.json()
    response = api.post(
        "/api/v1/activities/",
        activity_payload(world["ct_project"], participants=[world["ny_person"].pk]),
        format="json",
    )
    assert response.status_code == 400
    assert "participants" in response.json()
    assert not Activity.objects.filter(author=ct_staff).exists()


@pytest.mark.django_db
def test_activity_edit_and_delete_follow_the_portal_rules(api, ct, ct_staff, ny_staff, world):
    mine = ActivityFactory(project=world["ct_project"], author=ct_staff)
    colleague = SEAStaffFactory(sea=ct)
    theirs = ActivityFactory(project=world["ct_project"], author=colleague)
    api.force_authenticate(ct_staff)
    response = api.patch(
        f"/api/v1/activities/{mine.pk}/", {"summary": "Changed through the API"}, format="json"
    )
    assert response.status_code == 200
    mine.refresh_from_db()
    assert mine.summary == "Changed through the API"
    assert api.patch(f"/api/v1/activities/{theirs.pk}/", {"summary": "x"}, format="json").status_code == 403
    assert api.delete(f"/api/v1/activities/{theirs.pk}/").status_code == 403
    api.force_authenticate(ny_staff)
    assert api.patch(f"/api/v1/activities/{mine.pk}/", {"summary": "x"}, format="json").status_code == 404
    assert api.delete(f"/api/v1/activities/{mine.pk}/").status_code == 404
    api.force_authenticate(ct_staff)
    assert api.delete(f"/api/v1/activities/{mine.pk}/").status_code == 204
    assert not Activity.objects.filter(pk=mine.pk).exists()


@pytest.mark.django_db
def test_assessments_are_recorded_through_the_service(api, ct_staff, world):
    api.force_authenticate(ct_staff)
    payload = {
        "project": world["ct_project"].pk,
        "assessed_on": "2025-05-01",
        "ratings": [
            {"condition": 1, "stage": 3, "evidence": "Signed common agenda."},
            {"condition": 2, "stage": 1, "evidence": "Indicators drafted."},
        ],
    }
    response = api.post("/api/v1/assessments/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert [row["condition"] for row in response.json()] == [1, 2]
    assert ConditionAssessment.objects.filter(project=world["ct_project"], assessor=ct_staff).count() == 2
    latest = api.get("/api/v1/assessments/", {"project": world["ct_project"].pk, "latest": "true"})
    assert latest.json()["count"] == 2
    other = api.post("/api/v1/assessments/", {**payload, "project": world["ny_project"].pk}, format="json")
    assert other.status_code == 400
    assert "project" in other.json()
    bad = api.post(
        "/api/v1/assessments/",
        {**payload, "ratings": [{"condition": 1, "stage": 9, "evidence": "x", "extra": 1}]},
        format="json",
    )
    assert bad.status_code == 400


# Tokens -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("keyword", ["Token", "Bearer"])
def test_a_token_authenticates_as_its_user(api, ct_staff, world, keyword):
    token, key = api_token_create(user=ct_staff, name="warehouse", expires_in_days=30)
    assert key not in token.key_hash
    assert token.key_hash != key
    api.credentials(HTTP_AUTHORIZATION=f"{keyword} {key}")
    response = api.get("/api/v1/projects/")
    assert response.status_code == 200
    assert ids(response) == {world["ct_project"].pk}
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.django_db
def test_expired_revoked_and_wrong_tokens_are_refused(api, ct_staff, world):
    start = datetime.datetime(2026, 1, 10, 12, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        token, key = api_token_create(user=ct_staff, name="short", expires_in_days=1)
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert api.get("/api/v1/projects/").status_code == 200
        traveller.shift(datetime.timedelta(days=1, seconds=1))
        response = api.get("/api/v1/projects/")
        assert response.status_code == 401
        assert response.json()["detail"] == "This token has expired."

    token, key = api_token_create(user=ct_staff, name="revoked", expires_in_days=30)
    api_token_revoke(token=token, by=ct_staff)
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/projects/").json()["detail"] == "This token has been revoked."
    api.credentials(HTTP_AUTHORIZATION=f"Token {key[:-2]}xx")
    assert api.get("/api/v1/projects/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION="Token nonsense")
    assert api.get("/api/v1/projects/").status_code == 401
    ct_staff.is_active = False
    ct_staff.save()
    _token, key = api_token_create(user=ct_staff, name="inactive", expires_in_days=30)
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/projects/").status_code == 401


@pytest.mark.django_db
def test_tokens_are_created_once_and_revoked_on_the_profile_page(client, ct_staff, ny_staff):
    client.force_login(ct_staff)
    response = client.post(
        reverse("accounts:api_token_create"), {"name": "warehouse", "expires_in_days": "90"}
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(user=ct_staff)
    page = response.content.decode()
    key = response.context["new_key"]
    assert key.startswith(token.prefix + ".")
    assert key in page
    assert token.matches(key)
    assert response["Cache-Control"] == "no-store"
    assert key not in client.get(reverse("accounts:profile")).content.decode()
    assert SecurityEvent.objects.filter(kind="token_created", user=ct_staff).exists()

    bad = client.post(reverse("accounts:api_token_create"), {"name": "", "expires_in_days": "5000"})
    assert bad.status_code == 400
    assert ApiToken.objects.filter(user=ct_staff).count() == 1

    client.force_login(ny_staff)
    assert client.post(reverse("accounts:api_token_revoke", args=[token.pk])).status_code == 404
    client.force_login(ct_staff)
    assert client.post(reverse("accounts:api_token_revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert SecurityEvent.objects.filter(kind="token_revoked", user=ct_staff).exists()


@pytest.mark.django_db
def test_profile_needs_sign_in(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# Throttling, schema, docs -------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_requests_are_throttled_per_address(api, settings):
    settings.API_THROTTLE_RATES = {"anon": "3/minute", "user": "5/minute"}
    from django.core.cache import cache

    cache.clear()
    statuses = [api.get("/api/v1/projects/", REMOTE_ADDR="192.0.2.7").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    # Another address has its own allowance.
    assert api.get("/api/v1/projects/", REMOTE_ADDR="192.0.2.8").status_code == 401


@pytest.mark.django_db
def test_signed_in_requests_are_throttled_per_user(api, ct_staff, world, settings):
    settings.API_THROTTLE_RATES = {"anon": "3/minute", "user": "5/minute"}
    from django.core.cache import cache

    cache.clear()
    api.force_authenticate(ct_staff)
    statuses = [api.get("/api/v1/projects/").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert api.get("/api/v1/projects/").has_header("Retry-After")


@pytest.mark.django_db
def test_schema_is_openapi_3_with_errors_and_enums(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    operation = schema["paths"]["/api/v1/activities/"]["post"]
    assert {"201", "400", "401", "403", "429"} <= set(operation["responses"])
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    assert "enum" in str(schema["components"]["schemas"]["TypeEnum"])


@pytest.mark.django_db
def test_docs_load_from_the_portal_without_inline_script(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "cdn" not in page.lower()
    assert "<script>" not in page
    assert "<style" not in page
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "default-src 'self'" in response["Content-Security-Policy"]
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()


@pytest.mark.django_db
def test_guessing_tokens_is_throttled_per_address(api, ct_staff, settings):
    settings.API_THROTTLE_RATES = {"anon": "3/minute", "user": "100/minute"}
    from django.core.cache import cache

    cache.clear()
    _token, key = api_token_create(user=ct_staff, name="real", expires_in_days=30)
    api.credentials(HTTP_AUTHORIZATION="Token deadbeef.guess")
    statuses = [api.get("/api/v1/projects/", REMOTE_ADDR="192.0.2.9").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    # Even the right key is refused from that address until the window passes ...
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/projects/", REMOTE_ADDR="192.0.2.9").status_code == 429
    # ... while its owner elsewhere is not affected.
    assert api.get("/api/v1/projects/", REMOTE_ADDR="198.51.100.4").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value", ["7935-03-03T01:32:06+23:24", "0001-01-01T00:00:00+05:00", "2026-03-10T10:00:00-05:00"]
)
def test_date_time_filters_take_any_iso_offset(api, facilitator, value):
    # Found by schemathesis: PostgreSQL refuses offsets beyond ±15:59 (a 500 before).
    api.force_authenticate(facilitator)
    response = api.get("/api/v1/meetings/", {"starts_at__lte": value})
    assert response.status_code in (200, 400)
    assert response.status_code == 200 or "starts_at__lte" in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"hours": "0"}, "hours"),
        ({"hours": "5000"}, "hours"),
        ({"hours": "24.25"}, "hours"),
        ({"summary": "x" * 5001}, "summary"),
        ({"next_steps": "x" * 2001}, "next_steps"),
    ],
)
def test_activity_hours_and_text_follow_the_models_rule(api, ct_staff, world, changes, field):
    api.force_authenticate(ct_staff)
    response = api.post(
        "/api/v1/activities/", activity_payload(world["ct_project"], **changes), format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == [field]
    if field == "hours":
        assert response.json()["hours"] == [
            "An activity takes more than 0 and at most 24 hours: log an activity of several days once per day."
        ]
    assert not Activity.objects.filter(author=ct_staff).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["maybe", "2", "truee", "null"])
def test_boolean_filters_refuse_junk_with_the_fields_message(api, facilitator, world, value):
    api.force_authenticate(facilitator)
    for path, name in (
        ("/api/v1/stakeholders/", "is_active"),
        ("/api/v1/districts/", "is_demo"),
        ("/api/v1/memberships/", "current"),
        ("/api/v1/memberships/", "is_voting"),
        ("/api/v1/assessments/", "latest"),
    ):
        response = api.get(path, {name: value})
        assert response.status_code == 400, (path, name)
        assert response.json() == {name: [f"“{value}” is neither true nor false."]}
    assert api.get("/api/v1/stakeholders/", {"is_active": "false"}).status_code == 200
    assert api.get("/api/v1/stakeholders/", {"is_active": "True"}).status_code == 200
