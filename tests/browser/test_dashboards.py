"""The dashboards, the project page, the network and the indicator pages in a real browser, on
the demo world, for a facilitator and for SEA staff: no axe violations, screenshots saved."""

import datetime
import importlib
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role, User
from projects.demo import demo_world_load
from projects.models import Condition, Indicator, Project
from projects.services.rollups import activity_month_refresh
from tests.accounts.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def reference_data():
    """Roles and the five conditions (from data migrations), in case an earlier transactional
    test flushed them."""
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    conditions = importlib.import_module("projects.migrations.0002_five_conditions").CONDITIONS
    for number, slug, name, description in conditions:
        Condition.objects.get_or_create(
            number=number, defaults={"slug": slug, "name": name, "description": description}
        )


@pytest.fixture
def demo(db):
    reference_data()
    demo_world_load(password=PASSWORD)
    activity_month_refresh(full=True)
    return {
        "facilitator": User.objects.get(username="facilitator"),
        "ct_staff": User.objects.get(username="ct.staff"),
        "ct_project": Project.objects.filter(sea__state_code="CT").order_by("pk").first(),
        "ny_project": Project.objects.filter(sea__state_code="NY").order_by("pk").first(),
    }


def test_facilitator_reads_the_portfolio(page, demo, sign_in, assert_accessible, screenshot):
    sign_in(demo["facilitator"])
    page.goto("/")
    expect(page.get_by_role("heading", name="Portfolio dashboard")).to_be_visible()
    expect(page.locator("#heatmap tbody tr")).to_have_count(Project.objects.count())
    expect(page.locator("#projects-by-state")).to_contain_text("NYSED")
    expect(page.locator("svg.chart-hours:not(.chart-compact)")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "dashboard-portfolio-facilitator")

    page.get_by_role("link", name="CSDE (CT)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Connecticut State Department of Education")
    expect(page.locator("#state-districts")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "dashboard-state-ct-facilitator")

    page.goto(reverse("projects:network"))
    expect(page.locator("svg.chart-network")).to_be_visible()
    expect(page.locator("#network-links")).to_contain_text(demo["ny_project"].title)
    assert_accessible(page)
    screenshot(page, "network-facilitator")
    page.get_by_label("State", exact=True).select_option("CT")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(f"{page.url.split('?')[0]}?state=CT")
    expect(page.locator("#network-links")).not_to_contain_text(demo["ny_project"].title)
    screenshot(page, "network-ct-facilitator")


def test_sea_staff_read_their_state_and_project_and_record_an_indicator_value(
    page, demo, sign_in, assert_accessible, screenshot
):
    sign_in(demo["ct_staff"])
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Connecticut")
    expect(page.locator("#heatmap")).not_to_contain_text(demo["ny_project"].title)
    assert_accessible(page)
    screenshot(page, "dashboard-home-ct-staff")

    project = demo["ct_project"]
    page.locator("#heatmap").get_by_role("link", name=project.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(project.title)
    expect(page.locator("svg.chart-stage")).to_have_count(5)
    expect(page.locator("#main").get_by_role("link", name="Log activity").first).to_be_visible()
    assert_accessible(page)
    screenshot(page, "project-page-ct-staff")

    indicator = Indicator.objects.filter(project=project).order_by("pk").first()
    page.goto(reverse("projects:indicator_detail", args=[indicator.pk]))
    expect(page.locator("svg.chart-indicator:not(.chart-compact)")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "indicator-ct-staff")
    page.get_by_role("link", name="Record a value").click()
    today = timezone.localdate()
    page.get_by_label("Date measured").fill((today + datetime.timedelta(days=1)).isoformat())
    page.locator("#id_value").fill("14.5")
    page.get_by_role("button", name="Record value").click()
    expect(page.locator(".invalid-feedback").first).to_contain_text("future")
    assert_accessible(page)
    page.get_by_label("Date measured").fill(today.isoformat())
    page.locator("#id_value").fill("14.5")
    page.get_by_label("Note").fill("Recorded in the browser")
    page.get_by_role("button", name="Record value").click()
    expect(page.get_by_text(f"Value recorded for {indicator.name}.")).to_be_visible()
    expect(page.locator("#indicator-values")).to_contain_text("Recorded in the browser")
    screenshot(page, "indicator-recorded-ct-staff")

    response = page.goto(reverse("projects:detail", args=[demo["ny_project"].pk]))
    assert response.status == 404
    response = page.goto(reverse("projects:state_dashboard", args=["NY"]))
    assert response.status == 404


def test_dashboards_work_by_keyboard_and_print(page, demo, sign_in):
    sign_in(demo["ct_staff"])
    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(page.locator("#heatmap")).to_be_visible()


def test_on_a_phone_the_hours_chart_reads_and_downloads_as_png(page, demo, sign_in, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(demo["ct_staff"])
    page.goto(reverse("projects:state_dashboard", args=["CT"]))
    narrow = page.locator("svg.chart-hours.chart-compact")
    expect(narrow).to_be_visible()
    expect(page.locator("svg.chart-hours:not(.chart-compact)")).to_be_hidden()
    assert narrow.bounding_box()["width"] <= 390
    # The month names are at least 10 px tall on the phone's screen, and nothing widens the page.
    heights = narrow.locator("text.axis").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().height)"
    )
    assert min(heights) >= 10
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "dashboard-state-ct-phone")
    with page.expect_download() as info:
        page.get_by_role("link", name="chart (PNG) of the hours chart").click()
    assert info.value.suggested_filename == "ct-activity-hours.png"
    assert Path(info.value.path()).read_bytes().startswith(b"\x89PNG")
    with page.expect_download() as info:
        page.get_by_role("link", name="data (CSV) of the hours chart").click()
    assert info.value.suggested_filename == "ct-activity-hours.csv"
    assert "All activities" in Path(info.value.path()).read_text(encoding="utf-8-sig")
