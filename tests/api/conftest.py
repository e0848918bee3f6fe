# The browser fixtures (Chromium, live server page, sign-in, axe) for tests/api/test_browser.py.
from tests.browser.conftest import (  # noqa: F401
    assert_accessible,
    chromium,
    page,
    screenshot,
    sign_in,
)
