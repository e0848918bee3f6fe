import pytest

from tests.browser_support import open_menu

# serialized_rollback keeps the reference data of the data migrations (roles, conditions).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_sign_in_page_is_accessible_and_signs_in(page, ct_staff, sign_in, assert_accessible, screenshot):
    page.goto("/")
    assert "/accounts/login/" in page.url  # the portal asks anonymous visitors to sign in
    assert_accessible(page)
    screenshot(page, "sign-in")
    sign_in(ct_staff)
    assert open_menu(page, "Account").get_by_role("button", name="Sign out").is_visible()


def test_wrong_password_is_refused_with_a_message(page, ct_staff):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(ct_staff.username)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_text("Please enter a correct username and password").is_visible()
