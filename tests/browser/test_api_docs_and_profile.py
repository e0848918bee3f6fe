"""The API docs, the profile page and two-factor set-up in Chromium, under the strict CSP."""

import pytest

from tests.browser_support import open_menu

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _csp_violations(page):
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return violations


def test_api_docs_load_from_the_portal_under_the_strict_csp(page, screenshot):
    violations = _csp_violations(page)
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto("/api/docs/")
    page.locator(".swagger-ui .info .title").get_by_text("R2CC Portal API").wait_for()
    assert page.get_by_text("/api/v1/projects/").first.is_visible()
    screenshot(page, "api-docs")
    assert violations == []
    origin = page.url.split("/api/")[0]
    assert all(url.startswith((origin, "data:")) for url in requests), requests


def test_profile_and_two_factor_set_up_are_accessible(page, ct_staff, sign_in, assert_accessible, screenshot):
    violations = _csp_violations(page)
    sign_in(ct_staff)
    open_menu(page, "Account").get_by_role("link", name="Profile").click()
    page.get_by_role("heading", name="Your profile").wait_for()
    assert_accessible(page)
    page.get_by_label("What is the token for?").fill("warehouse")
    page.get_by_role("button", name="Create token").click()
    assert page.get_by_text("Copy it now").is_visible()
    assert_accessible(page)
    screenshot(page, "profile-new-token")
    page.get_by_role("link", name="Turn on two-factor sign-in").click()
    page.get_by_role("button", name="Start set-up").click()
    page.get_by_role("img", name="QR code to add the portal to your authenticator app").wait_for()
    assert_accessible(page)
    screenshot(page, "two-factor-set-up")
    assert violations == []
