"""The attestation figures on a state's dashboard, plugged in through projects' panel registry."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability.models import Attestation
from accountability.selectors import attestation_rates, state_attestation_rates
from accountability.services.attestations import attestation_decide
from projects.services.activities import activity_update
from tests.accountability.conftest import log
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def decided_after(activity, days: float) -> None:
    answer = Attestation.objects.get(activity=activity, is_current=True)
    Attestation.objects.filter(pk=answer.pk).update(
        decided_at=answer.requested_at + datetime.timedelta(days=days)
    )


@pytest.fixture
def world(team, ny):
    project, staff, contact = team["project"], team["staff"], team["contact"]
    confirmed = [log(project, staff, date=TODAY - datetime.timedelta(days=n)) for n in (3, 4, 5)]
    for activity, days in zip(confirmed, (1, 2, 9), strict=True):
        attestation_decide(
            attestation=activity.attestations.get(is_current=True), by=contact, decision="confirmed"
        )
        decided_after(activity, days)
    disputed = log(project, staff, date=TODAY - datetime.timedelta(days=6))
    attestation_decide(
        attestation=disputed.attestations.get(is_current=True),
        by=contact,
        decision="disputed",
        comment="Not held.",
    )
    # Edited after its confirmation: two answers, one activity, pending again.
    edited = log(project, staff, date=TODAY - datetime.timedelta(days=7))
    attestation_decide(attestation=edited.attestations.get(is_current=True), by=contact, decision="confirmed")
    activity_update(activity=edited, editor=staff, hours=Decimal("3"))
    quiet = ProjectFactory(sea=project.sea, title="Quiet Connecticut project")
    log(quiet, staff, date=TODAY - datetime.timedelta(days=2))
    log(quiet, staff, date=TODAY - datetime.timedelta(days=400))  # outside the last year
    log(ProjectFactory(sea=ny, title="New York literacy"), staff, date=TODAY - datetime.timedelta(days=2))
    return {"project": project, "quiet": quiet}


def test_state_figures_count_each_activity_once_and_agree_with_the_dashboard(world, ct, facilitator):
    figures = state_attestation_rates(facilitator, ct)
    assert figures["state"] == {
        "activities": 6,
        "confirmed": 3,
        "disputed": 1,
        "pending": 2,
        "rate": 50.0,
        "median_days": 2.0,
    }
    rows = {row["project__title"]: row for row in figures["projects"]}
    assert rows["Quiet Connecticut project"]["rate"] == 0.0
    assert (rows[world["project"].title]["activities"], rows[world["project"].title]["rate"]) == (5, 60.0)
    assert figures["projects"][0]["project__title"] == "Quiet Connecticut project"  # lowest rate first
    # The same answers as the attestation page's selector, per state and per project.
    page = attestation_rates(facilitator)
    (state,) = [row for row in page["states"] if row["key"] == ct.pk]
    assert (state["activities"], state["confirmed"], state["rate"], state["median_days"]) == (6, 3, 50.0, 2.0)
    for row in page["projects"]:
        if row["key"] in (world["project"].pk, world["quiet"].pk):
            assert rows[row["project__title"]]["median_days"] == row["median_days"]


def test_state_dashboard_shows_the_panel_with_links(client, world, ct, ct_staff):
    client.force_login(ct_staff)
    html = client.get(reverse("projects:state_dashboard", args=["CT"])).content.decode()
    panel = html[html.index('id="attestation-heading"') :]
    panel = panel[: panel.index("</section>")]
    cells = re.findall(r"<td>(.*?)</td>", panel[panel.index('id="state-attestation"') :], re.S)
    text = [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells[:6]]
    assert text == ["6", "3", "50.0%", "2.0", "1", "2"]
    assert f"?kind=attestations&amp;status=disputed&amp;state={ct.pk}" in panel
    assert "Quiet Connecticut project" in panel
    assert "New York literacy" not in html


def test_state_without_activities_says_so(client, ct, ct_staff):
    client.force_login(ct_staff)
    html = client.get(reverse("projects:state_dashboard", args=["CT"])).content.decode()
    assert "No CSDE activity in this period." in html
