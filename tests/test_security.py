"""Hardening: headers, session idle timeout, sign-in lockout, security log, two-factor sign-in."""

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, SecurityEvent
from accounts.services import security_event_record
from tests.projects.factories import ProjectFactory

ROOT = Path(__file__).resolve().parents[1]
LOGIN = "/accounts/login/"
ATTACKER = "203.0.113.66"
OFFICE = "198.51.100.10"
NOW = datetime.datetime(2026, 3, 2, 14, 0, tzinfo=datetime.UTC)


def sign_in(client, username, password, ip=OFFICE):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


# Headers and cookies ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_send_the_security_headers(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    cookie = response.cookies["csrftoken"]
    assert cookie["samesite"] == "Lax"


@pytest.mark.django_db
def test_session_cookie_is_httponly_and_samesite(client, ct_staff, password):
    response = sign_in(client, ct_staff.username, password)
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def _production_settings(*names: str) -> dict:
    probe = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}))"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}}
    env.update(
        DJANGO_SETTINGS_MODULE="r2cc_portal.settings.production",
        SECRET_KEY="z" * 60,
        ALLOWED_HOSTS="portal.example.org",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/r2cc",
        REDIS_URL="redis://127.0.0.1:6379/1",
    )
    env.pop("TWO_FACTOR_REQUIRED_ROLES", None)
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_hsts_and_two_factor_for_administrators():
    values = _production_settings(
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_SSL_REDIRECT",
        "SECURE_REFERRER_POLICY",
        "SESSION_COOKIE_AGE",
        "SESSION_SAVE_EVERY_REQUEST",
        "TWO_FACTOR_REQUIRED_ROLES",
    )
    assert values["SESSION_COOKIE_SECURE"]
    assert values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"]
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SECURE_SSL_REDIRECT"]
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["SESSION_COOKIE_AGE"] <= 30 * 60
    assert values["SESSION_SAVE_EVERY_REQUEST"]
    assert values["TWO_FACTOR_REQUIRED_ROLES"] == ["Administrator"]


def test_production_passes_the_deployment_checks():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DJANGO_SETTINGS_MODULE="r2cc_portal.settings.production",
        SECRET_KEY="prod-" + "k9" * 30,
        ALLOWED_HOSTS="portal.example.org",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/r2cc",
        REDIS_URL="redis://127.0.0.1:6379/1",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# Session idle timeout ------------------------------------------------------------------------


@pytest.mark.django_db
def test_session_ends_after_thirty_idle_minutes_and_slides_while_used(client, ct_staff, password, settings):
    profile = reverse("accounts:profile")
    with time_machine.travel(NOW, tick=False) as traveller:
        assert sign_in(client, ct_staff.username, password).status_code == 302
        for _ in range(3):  # 75 minutes of work, never 30 idle
            traveller.shift(datetime.timedelta(minutes=25))
            assert client.get(profile).status_code == 200
        traveller.shift(datetime.timedelta(minutes=settings.SESSION_COOKIE_AGE // 60 + 1))
        response = client.get(profile)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# Lockout -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_five_failures_lock_the_username_and_address_pair_for_fifteen_minutes(client, ct_staff, password):
    with time_machine.travel(NOW, tick=False) as traveller:
        for _ in range(5):
            response = sign_in(client, ct_staff.username, "wrong", ip=ATTACKER)
            assert response.status_code in (200, 429)
        locked = sign_in(client, ct_staff.username, password, ip=ATTACKER)
        assert locked.status_code == 429
        assert "Sign-in temporarily locked" in locked.content.decode()
        assert "15 minutes" in locked.content.decode()
        assert "_auth_user_id" not in client.session

        # The real user, elsewhere, is not locked out by the attacker.
        office = client.__class__()
        assert sign_in(office, ct_staff.username, password, ip=OFFICE).status_code == 302

        traveller.shift(datetime.timedelta(minutes=14))
        assert sign_in(client, ct_staff.username, password, ip=ATTACKER).status_code == 429
        traveller.shift(datetime.timedelta(minutes=2))
        assert sign_in(client, ct_staff.username, password, ip=ATTACKER).status_code == 302

    kinds = list(SecurityEvent.objects.filter(username=ct_staff.username).values_list("kind", flat=True))
    assert kinds.count("sign_in_failed") >= 5
    assert "locked_out" in kinds
    assert SecurityEvent.objects.filter(kind="locked_out", ip_address=ATTACKER).exists()


@pytest.mark.django_db
def test_four_failures_do_not_lock(client, ct_staff, password):
    for _ in range(4):
        assert sign_in(client, ct_staff.username, "wrong", ip=ATTACKER).status_code == 200
    assert sign_in(client, ct_staff.username, password, ip=ATTACKER).status_code == 302


# Security log -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sign_in_success_and_failure_are_logged_with_user_time_and_address(client, ct_staff, password):
    sign_in(client, ct_staff.username, "nope", ip=ATTACKER)
    sign_in(client, ct_staff.username, password, ip=OFFICE)
    failed = SecurityEvent.objects.get(kind="sign_in_failed")
    assert (failed.username, failed.ip_address, failed.user) == (ct_staff.username, ATTACKER, None)
    success = SecurityEvent.objects.get(kind="sign_in")
    assert (success.user, success.ip_address) == (ct_staff, OFFICE)
    assert timezone.now() - success.occurred_at < datetime.timedelta(minutes=1)


@pytest.mark.django_db
def test_another_states_object_is_a_404_and_is_logged(client, ct_staff, ny):
    other = ProjectFactory(sea=ny)
    client.force_login(ct_staff)
    response = client.get(f"/api/v1/projects/{other.pk}/", REMOTE_ADDR=OFFICE)
    assert response.status_code == 404
    event = SecurityEvent.objects.get(kind="not_found")
    assert event.user == ct_staff
    assert event.path == f"/api/v1/projects/{other.pk}/"
    assert event.ip_address == OFFICE


@pytest.mark.django_db
def test_anonymous_404s_are_not_logged(client):
    assert client.get("/no-such-page/").status_code == 404
    assert not SecurityEvent.objects.filter(kind="not_found").exists()


@pytest.mark.django_db
def test_permission_changes_are_logged(ct_staff, admin_user):
    ct_staff.groups.add(Group.objects.get(name=Role.FACILITATOR.value))
    ct_staff.is_staff = True
    ct_staff.save()
    changes = SecurityEvent.objects.filter(kind="permission_change").order_by("pk")
    details = [event.detail for event in changes]
    assert {"target": "ct.staff", "relation": "groups", "added": ["Facilitator"]} in details
    assert {"target": "ct.staff", "changes": {"is_staff": [False, True]}} in details


@pytest.mark.django_db
def test_admin_group_change_is_logged_with_the_administrator(client, ct_staff, admin_user):
    client.force_login(admin_user)
    url = reverse("admin:accounts_user_change", args=[ct_staff.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["groups"] = [
        Group.objects.get(name=Role.SEA_STAFF.value).pk,
        Group.objects.get(name=Role.FACILITATOR.value).pk,
    ]
    data["sea"] = ct_staff.sea_id
    data.pop("password", None)
    data["date_joined_0"], data["date_joined_1"] = "2025-01-01", "09:00:00"
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data["user_permissions"] = []
    response = client.post(url, data, REMOTE_ADDR=OFFICE)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    event = SecurityEvent.objects.filter(kind="permission_change", detail__relation="groups").latest("pk")
    assert event.user == admin_user
    assert event.ip_address == OFFICE
    assert event.detail["added"] == ["Facilitator"]


@pytest.mark.django_db
def test_exports_are_logged_through_the_helper(rf, ct_staff):
    request = rf.get("/projects/activities/export.csv", REMOTE_ADDR=OFFICE)
    request.user = ct_staff
    security_event_record(kind="export", request=request, detail={"rows": 12})
    event = SecurityEvent.objects.get(kind="export")
    assert (event.user, event.ip_address, event.path, event.detail) == (
        ct_staff,
        OFFICE,
        "/projects/activities/export.csv",
        {"rows": 12},
    )


# Two-factor sign-in ------------------------------------------------------------------------


def _turn_on_two_factor(client, user, traveller) -> TOTPDevice:
    client.force_login(user)
    assert client.post(reverse("accounts:two_factor_setup")).status_code == 302
    page = client.get(reverse("accounts:two_factor_setup"))
    assert "<svg" in page.content.decode()
    assert "<script" not in page.content.decode().split("</head>")[1]
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    bad = client.post(reverse("accounts:two_factor_confirm"), {"token": "000000"})
    assert bad.status_code == 400
    traveller.shift(datetime.timedelta(seconds=5))  # django-otp slows down guessing after a failure
    response = client.post(reverse("accounts:two_factor_confirm"), {"token": code_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    client.logout()
    return device


@pytest.mark.django_db
def test_two_factor_turned_on_from_the_profile_asks_for_a_code_at_sign_in(client, ct_staff, password):
    with time_machine.travel(NOW, tick=False) as traveller:
        device = _turn_on_two_factor(client, ct_staff, traveller)
        assert SecurityEvent.objects.filter(kind="two_factor_enabled", user=ct_staff).exists()
        traveller.shift(datetime.timedelta(seconds=60))

        response = sign_in(client, ct_staff.username, password)
        assert response["Location"] == reverse("accounts:two_factor_verify")
        assert "_auth_user_id" not in client.session
        # Not signed in yet: the portal is still closed.
        assert client.get(reverse("accounts:profile")).status_code == 302

        wrong = client.post(reverse("accounts:two_factor_verify"), {"token": "123456"})
        assert wrong.status_code == 200
        assert "This code is not valid" in wrong.content.decode()
        assert SecurityEvent.objects.filter(
            kind="sign_in_failed", detail__reason="wrong two-factor code"
        ).exists()
        traveller.shift(datetime.timedelta(seconds=5))

        response = client.post(reverse("accounts:two_factor_verify"), {"token": code_for(device)})
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(ct_staff.pk)
        assert client.get(reverse("accounts:profile")).status_code == 200


@pytest.mark.django_db
def test_five_wrong_codes_send_the_user_back_to_the_password(client, ct_staff, password):
    with time_machine.travel(NOW, tick=False) as traveller:
        _turn_on_two_factor(client, ct_staff, traveller)
        traveller.shift(datetime.timedelta(seconds=60))
        sign_in(client, ct_staff.username, password)
        for _ in range(5):
            response = client.post(reverse("accounts:two_factor_verify"), {"token": "999999"})
        assert response.status_code == 302
        assert response["Location"] == reverse("login")
        assert client.get(reverse("accounts:two_factor_verify"))["Location"] == reverse("login")


@pytest.mark.django_db
def test_two_factor_is_mandatory_for_administrators_when_configured(client, admin_user, ct_staff, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["Administrator"]
    client.force_login(admin_user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:two_factor_setup")
    assert client.get(reverse("accounts:two_factor_setup")).status_code == 200
    # Other roles are not affected.
    client.force_login(ct_staff)
    assert client.get(reverse("accounts:profile")).status_code == 200


@pytest.mark.django_db
def test_two_factor_is_optional_in_the_embedded_default(client, admin_user, settings):
    assert settings.TWO_FACTOR_REQUIRED_ROLES == []
    client.force_login(admin_user)
    assert client.get(reverse("accounts:profile")).status_code == 200


@pytest.mark.django_db
def test_admin_sign_in_goes_through_the_portal_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


@pytest.mark.django_db
def test_signed_in_users_without_admin_access_are_refused_not_looped(client, ct_staff, admin_user):
    client.force_login(ct_staff)
    admin = client.get("/admin/")
    assert admin.status_code == 302
    assert admin["Location"].startswith("/admin/login/")
    assert client.get(admin["Location"]).status_code == 403
    assert SecurityEvent.objects.filter(kind="forbidden", user=ct_staff).exists()
    client.force_login(admin_user)
    assert client.get("/admin/login/?next=/admin/")["Location"] == "/admin/"


@pytest.mark.django_db
def test_sign_in_page_is_accessible_markup(client, ct_staff):
    page = client.get(LOGIN).content.decode()
    assert "<h1" in page
    assert 'for="id_username"' in page
    assert 'for="id_password"' in page
    bad = client.post(LOGIN, {"username": "ct.staff", "password": ""}, REMOTE_ADDR=OFFICE).content.decode()
    assert "This field is required" in bad


@pytest.mark.django_db
def test_every_csv_download_is_logged(client, ct_staff):
    client.force_login(ct_staff)
    response = client.get(reverse("projects:list"), {"format": "csv"}, REMOTE_ADDR=OFFICE)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content  # the header row at least
    event = SecurityEvent.objects.get(kind="export")
    assert (event.user, event.ip_address) == (ct_staff, OFFICE)
    assert event.path.startswith(reverse("projects:list"))
    assert event.detail["content_type"] == "text/csv"


@pytest.mark.django_db
def test_pages_are_not_logged_as_exports(client, ct_staff):
    client.force_login(ct_staff)
    assert client.get(reverse("projects:list")).status_code == 200
    assert not SecurityEvent.objects.filter(kind="export").exists()


@pytest.mark.django_db
def test_refusals_are_logged_as_forbidden(client, ct, ct_staff):
    from tests.accounts.factories import SEAStaffFactory
    from tests.projects.factories import ActivityFactory

    colleague_activity = ActivityFactory(project=ProjectFactory(sea=ct), author=SEAStaffFactory(sea=ct))
    client.force_login(ct_staff)
    path = f"/api/v1/activities/{colleague_activity.pk}/"
    response = client.patch(path, '{"summary": "x"}', content_type="application/json", REMOTE_ADDR=OFFICE)
    assert response.status_code == 403
    event = SecurityEvent.objects.get(kind="forbidden")
    assert (event.user, event.path, event.ip_address, event.detail["method"]) == (
        ct_staff,
        path,
        OFFICE,
        "PATCH",
    )
