"""The communications pages in Debian's Chromium, checked with axe-core."""

import pytest

from communications.models import Communication
from communications.rendering import preferences_token, unsubscribe_token
from tests.browser_support import open_menu
from tests.stakeholders.factories import StakeholderFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_compose_preview_and_schedule_in_the_browser(
    page, ct_staff, ct, sign_in, assert_accessible, screenshot
):
    StakeholderFactory(sea=ct, first_name="Ada")
    StakeholderFactory(sea=ct, first_name="Grace")
    sign_in(ct_staff)
    open_menu(page, "Communications").get_by_role("link", name="Campaigns").click()
    assert_accessible(page)
    page.get_by_role("link", name="Compose a message").click()
    page.get_by_role("textbox", name="Subject").fill("Pilot update for {{ first_name }}")
    page.get_by_label("Body", exact=False).and_(page.get_by_role("textbox")).fill(
        "Dear {{ first_name }},\n\nThe **pilot** moves on."
    )
    page.get_by_label("Category").select_option("project_update")
    page.get_by_label("People of these states").select_option(str(ct.pk))
    assert_accessible(page)
    page.get_by_role("button", name="Save and preview").click()
    page.wait_for_load_state()
    assert "2 people would receive it now" in page.locator("#audience-count").inner_text()
    assert page.locator("#audience-first-names").inner_text().split() == ["Ada", "Grace"]
    page.get_by_role("link", name="Grace").click()
    assert "Dear Grace," in page.locator("#preview-text").inner_text()
    assert_accessible(page)
    screenshot(page, "communication-detail")
    page.get_by_role("button", name="Schedule for 2 people").click()
    page.wait_for_load_state()
    assert page.get_by_text("Scheduled.").is_visible()
    communication = Communication.objects.get()
    assert communication.status == "scheduled"
    assert communication.scope_sea == ct
    page.get_by_role("link", name="Delivery report").click()
    assert_accessible(page)


def test_unsubscribe_and_preferences_pages_need_no_login(page, ct, assert_accessible):
    person = StakeholderFactory(sea=ct)
    page.goto(f"/communications/u/{unsubscribe_token(person.pk, 'newsletter')}/")
    assert_accessible(page)
    page.get_by_role("button", name="Unsubscribe from newsletter").click()
    assert page.get_by_role("heading", name="You are unsubscribed").is_visible()
    assert person.preferences.get(category="newsletter").delivery == "none"
    page.goto(f"/communications/preferences/{preferences_token(person.pk)}/")
    assert_accessible(page)
    page.get_by_role("group", name="Meetings").get_by_label("Weekly digest").check()
    page.get_by_role("button", name="Save my choices").click()
    assert page.get_by_text("Your choices are saved.").is_visible()
    assert person.preferences.get(category="meeting").delivery == "weekly"
