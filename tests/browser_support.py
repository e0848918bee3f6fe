"""Browser-test fixtures: Playwright driving Debian's Chromium against the live test server.

Install the browser with `apt-get install chromium`; Playwright's own browser downloads are
never used. The fixtures are offered to the whole suite by tests/conftest.py, so an app's
browser tests can live beside its other tests.
"""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connections
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


@pytest.fixture(scope="module")
def chromium():
    """One browser per test module.

    Playwright's sync API keeps an event loop running in the test thread while it is open, and
    Django refuses ORM calls from a thread with a running loop unless DJANGO_ALLOW_ASYNC_UNSAFE
    is set. The test's own ORM calls are synchronous, so the variable is set only while the
    browser is open and removed afterwards, when the rest of the suite runs without it.
    """
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Browser tests need Debian's Chromium at {CHROMIUM}: apt-get install chromium")
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    serialized = _serialized_test_contents()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
            _share_serialized_test_contents(serialized)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


def _serialized_test_contents() -> dict:
    return {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }


def _share_serialized_test_contents(serialized: dict) -> None:
    """While Playwright's loop runs, Django hands out other connection objects than before it.

    Those lack the database contents that pytest-django serialized after migrating, so
    `serialized_rollback` would neither restore the reference data of the data migrations (roles,
    conditions) nor keep the flush after a test from re-creating content types, and the next
    serialized test would fail on duplicates. Give them the same serialized contents.
    """
    for alias, contents in serialized.items():
        connections[alias]._test_serialized_contents = contents


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def sign_in(page, password):
    """Sign in through the real login form as `user`."""

    def sign_in(user):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        return page

    return sign_in


@pytest.fixture
def assert_accessible():
    """Run axe-core on the page and fail with its report when there is any violation."""
    axe = Axe()

    def check(page):
        results = axe.run(page)
        assert results.violations_count == 0, results.generate_report()

    return check


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def open_menu(page, name):
    """Open a menu of the top navigation ("Work", "Meetings", "Account"): its links are then visible."""
    nav = page.get_by_role("navigation", name="Main")
    toggler = nav.get_by_role("button", name="Menu")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
    button = (
        nav.get_by_role("button", name=name)
        if name != "Account"
        else nav.locator("button", has_text="Account of")
    )
    if button.get_attribute("aria-expanded") != "true":
        button.click()
    return nav


def sign_out(page):
    open_menu(page, "Account").get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
