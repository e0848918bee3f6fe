"""One date format, the grouped navigation, and an admin that keeps its machinery to superusers."""

import datetime
import zoneinfo

import pytest
from django.template import Context, Template
from django.test import override_settings

from tests.accounts.factories import AdministratorFactory, FacilitatorFactory


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_dates_print_one_format_inside_a_time_element():
    assert render("{{ d|day }}", d=datetime.date(2026, 12, 1)) == (
        '<time datetime="2026-12-01">Dec 1, 2026</time>'
    )
    assert render("{{ d|day:'—' }}", d=None) == "—"
    assert render("{{ d|date }}", d=datetime.date(2026, 12, 1)) == "Dec 1, 2026"


@override_settings(TIME_ZONE="America/New_York")
def test_moments_print_in_local_time_with_their_offset():
    moment = datetime.datetime(2026, 12, 1, 19, 30, tzinfo=zoneinfo.ZoneInfo("UTC"))
    assert render("{{ m|moment }}", m=moment) == (
        '<time datetime="2026-12-01T14:30-05:00">Dec 1, 2026, 2:30 PM</time>'
    )
    assert render("{{ m|day }}", m=moment) == '<time datetime="2026-12-01">Dec 1, 2026</time>'


@pytest.mark.django_db
def test_the_navigation_marks_the_current_section_and_page(client):
    client.force_login(FacilitatorFactory())
    html = client.get("/projects/").content.decode()
    assert (
        'dropdown-toggle active" data-bs-toggle="dropdown" aria-expanded="false" aria-current="true">Work'
        in html
    )
    assert 'aria-current="page" href="/projects/">Projects</a>' in html
    assert html.count('aria-current="true"') == 1
    assert '<meta name="description"' in html
    assert "favicon.svg" in html


@pytest.mark.django_db
def test_internal_models_are_hidden_from_administrators_who_are_not_superusers(client):
    administrator = AdministratorFactory(is_superuser=False)
    client.force_login(administrator)
    index = client.get("/admin/").content.decode()
    assert "Back to the portal" in index
    assert "Access attempts" not in index
    assert "TOTP devices" not in index
    assert "Rollup watermarks" not in index
    assert client.get("/admin/axes/accessattempt/").status_code == 403
    assert client.get("/admin/projects/rollupwatermark/").status_code == 403

    client.force_login(AdministratorFactory())
    index = client.get("/admin/").content.decode()
    assert "Access attempts" in index
    assert "Rollup watermarks" in index
    assert client.get("/admin/axes/accessattempt/").status_code == 200


@pytest.mark.django_db
def test_another_states_page_is_page_not_found_like_every_404(client, ct_staff, ny):
    client.force_login(ct_staff)
    for url in (f"/projects/states/{ny.state_code}/", "/projects/states/ZZ/", "/no-such-page/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "<h1>Page not found</h1>" in response.content.decode()
        assert "No such state" not in response.content.decode()
