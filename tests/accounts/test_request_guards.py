"""A NUL character anywhere in a request is refused once, at the edge, with a plain 400."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import encode_multipart
from django.urls import reverse

from accounts.models import SecurityEvent
from accounts.request_guards import MESSAGE
from projects.models import Activity
from stakeholders.models import District
from tests import access_matrix as matrix
from tests.projects.factories import ActivityFactory, ProjectFactory
from tests.test_access_matrix import all_routes, build_world, url_for


def assert_refused(response, *, api=False):
    assert response.status_code == 400, response.status_code
    if api:
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": MESSAGE}
    else:
        assert response["Content-Type"].startswith("text/plain")
        assert response.content.decode() == MESSAGE


# The findings of the probe, as they were reported -------------------------------------------


@pytest.mark.django_db
def test_a_calendar_feed_key_with_nul_is_refused_without_signing_in(client):
    assert_refused(client.get("/meetings/calendar/abc%00/all.ics"))


@pytest.mark.django_db
def test_a_state_code_with_nul_is_refused(client, facilitator):
    client.force_login(facilitator)
    assert_refused(client.get("/projects/states/%00/"))


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["participant_search", "district_search"])
def test_the_activity_forms_search_boxes_refuse_nul(client, ct, ct_staff, field):
    project = ProjectFactory(sea=ct)
    client.force_login(ct_staff)
    url = reverse("projects:activity_create")
    assert_refused(client.get(url, {"project": project.pk, field: "Hart\x00ford"}, HTTP_HX_REQUEST="true"))
    response = client.post(
        url,
        {"project": project.pk, "date": "2025-01-10", "type": "coaching", "mode": "virtual", "hours": "1"}
        | {"summary": "Coaching", field: "Hart\x00ford"},
    )
    assert_refused(response)
    assert not Activity.objects.exists()


# Every place a NUL can travel in --------------------------------------------------------------


@pytest.mark.django_db
def test_every_route_refuses_nul_in_path_and_query_for_anonymous_and_signed_in_users():
    """The guard runs before URL resolution, sessions and views: every route, every role."""
    world = build_world()
    routes = all_routes()
    clients = {"anonymous": Client(), "facilitator": Client(), "owner": Client()}
    clients["facilitator"].force_login(world["users"]["facilitator"])
    clients["owner"].force_login(world["users"]["owner"])
    failures = []
    for key, pattern in sorted(routes.items()):
        spec = matrix.spec_for(key)
        url = url_for(key, pattern, spec, world).split("?")[0]
        api = url.startswith("/api/")
        for role, client in clients.items():
            inside = f"{url[:-1]}%00/" if url.endswith("/") else f"{url}%00.ics"
            for probe in (f"{url}?q=a%00b", f"{url}%00", inside):
                response = client.get(probe)
                try:
                    assert_refused(response, api=api)
                except AssertionError as error:
                    failures.append(f"GET {probe} as {role}: {error}")
            if "POST" in spec["methods"]:
                response = client.post(url, {"name": "a\x00b"})
                try:
                    assert_refused(response, api=api)
                except AssertionError as error:
                    failures.append(f"POST {url} as {role}: {error}")
    assert not failures, "\n".join(failures[:40])


@pytest.mark.django_db
def test_urlencoded_multipart_and_json_bodies_are_refused(client, ct_staff):
    client.force_login(ct_staff)
    url = reverse("projects:activity_create")
    assert_refused(client.post(url, "summary=a%00b", content_type="application/x-www-form-urlencoded"))
    assert_refused(client.post(url, {"summary": "a\x00b"}))  # multipart, as the test client sends
    assert_refused(client.post(url, {"su\x00mmary": "text"}))
    api = reverse("api:activity-list")
    assert_refused(client.post(api, '{"summary": "a\\u0000b"}', content_type="application/json"), api=True)
    assert_refused(client.post(api, b'{"summary": "a\x00b"}', content_type="application/json"), api=True)
    assert_refused(
        client.patch(api, '{"summary": "x"}'.replace("x", "\\\\\\u0000"), content_type="application/json"),
        api=True,
    )
    assert not Activity.objects.exists()


@pytest.mark.django_db
def test_escaped_backslashes_before_u0000_are_plain_text_not_nul(client, ct, ct_staff):
    """`\\\\u0000` in JSON is a backslash followed by "u0000": the API validates it as usual."""
    project = ProjectFactory(sea=ct)
    client.force_login(ct_staff)
    body = {
        "project": project.pk,
        "date": "2025-01-10",
        "type": "coaching",
        "mode": "virtual",
        "hours": "1.5",
        "summary": "Path C:\\u0000 in the notes",
    }
    response = client.post(reverse("api:activity-list"), json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    assert Activity.objects.get().summary == "Path C:\\u0000 in the notes"


@pytest.mark.django_db
def test_headers_and_cookies_with_nul_are_refused(client, ct_staff, password):
    assert_refused(client.get(reverse("login"), HTTP_USER_AGENT="Mozilla\x00"))
    # An octal escape in a quoted cookie value decodes to NUL (the session key is a query).
    assert_refused(client.get(reverse("home"), HTTP_COOKIE='sessionid="\\000abc"'))
    assert_refused(client.get(reverse("login"), HTTP_COOKIE="csrftoken=abc\x00"))
    # A failed sign-in writes the user agent and user name to the database (lockout, security log).
    events = SecurityEvent.objects.count()
    response = Client().post(
        reverse("login"), {"username": "ct.staff\x00", "password": "wrong"}, HTTP_USER_AGENT="probe"
    )
    assert_refused(response)
    assert SecurityEvent.objects.count() == events


@pytest.mark.django_db
def test_uploaded_files_may_hold_nul_bytes(client, admin_user, ct):
    """Files are not text fields: the CSV import reads them and reports what it cannot use."""
    client.force_login(admin_user)
    for text in (b"0900001,Hart\x00ford,CT,0", b"09\x0000001,Hartford,CT,0"):
        upload = SimpleUploadedFile("rows.csv", b"nces_id,name,state,is_demo\n" + text + b"\n")
        response = client.post(
            reverse("admin:stakeholders_district_import"), {"import_file": upload, "format": "0"}
        )
        assert response.status_code == 200
        assert "Contains a NUL character (U+0000), which cannot be stored" in response.content.decode()
        assert response.context["result"].has_validation_errors()
    assert not District.objects.exists()


@pytest.mark.django_db
def test_a_malformed_multipart_body_is_a_400_not_a_500(client, ct_staff):
    client.force_login(ct_staff)
    body = encode_multipart("BoUnDaRy", {"summary": "text"})
    # No boundary in the content type: the form data cannot be read.
    response = client.generic(
        "POST", reverse("projects:activity_create"), body, content_type="multipart/form-data"
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_requests_without_nul_pass(client, ct, ct_staff):
    activity = ActivityFactory(project=ProjectFactory(sea=ct), summary="Line one\nLine two %00 as text")
    client.force_login(ct_staff)
    response = client.get(reverse("projects:activity_detail", args=[activity.pk]), {"q": "100%"})
    assert response.status_code == 200
    response = client.get(reverse("projects:activity_list"), {"q": "%2500"})
    assert response.status_code == 200
