"""Every chart downloads as PNG, SVG and the CSV of its numbers, every dashboard table as CSV, each
with its page's access rule; the wide charts come with a phone's drawing."""

import csv
import datetime
import io
import re
import struct
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import SecurityEvent
from projects.models import Product
from projects.services.rollups import activity_month_refresh
from tests.meetings.factories import FeedbackFactory
from tests.projects.factories import (
    ActivityFactory,
    ConditionAssessmentFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    ProductFactory,
    ProjectFactory,
    condition,
)
from tests.stakeholders.factories import AdvisoryBodyFactory, MembershipFactory, StakeholderFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LINK = re.compile(r'href="\?([^"]*download=([a-z0-9-]+)\.(png|svg|csv))"')


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


@pytest.fixture
def world(ct, ny):
    project = ProjectFactory(title="Educator pipeline", sea=ct)
    ConditionAssessmentFactory(project=project, condition=condition(1), stage=1, assessed_on=days_ago(200))
    ConditionAssessmentFactory(project=project, condition=condition(1), stage=3, assessed_on=days_ago(20))
    activity = ActivityFactory(
        project=project, date=days_ago(3), hours=Decimal("3.5"), summary="=HYPERLINK(1) coaching"
    )
    activity.conditions.set([condition(1)])
    ActivityFactory(project=ProjectFactory(title="New York secret", sea=ny), date=days_ago(3), hours=7)
    indicator = IndicatorFactory(project=project, name="Hires of color", baseline=8, target=15)
    IndicatorValueFactory(indicator=indicator, measured_on=days_ago(40), value=11)
    IndicatorValueFactory(indicator=indicator, measured_on=days_ago(10), value=16)
    ProductFactory(project=project, title="Late guide", due_date=days_ago(9), status=Product.Status.PLANNED)
    body = AdvisoryBodyFactory(short_name="CTB", name="Connecticut board")
    MembershipFactory(body=body, stakeholder=StakeholderFactory(sea=ct))
    FeedbackFactory(body=body, quality=4, relevance=5, usefulness=3)
    activity_month_refresh(full=True)
    return {"project": project, "activity": activity, "indicator": indicator, "body": body}


def pages(world) -> list[str]:
    return [
        reverse("home"),
        reverse("projects:state_dashboard", args=["CT"]),
        reverse("projects:detail", args=[world["project"].pk]),
        reverse("projects:indicator_detail", args=[world["indicator"].pk]),
        reverse("projects:network") + "?state=CT",
        reverse("meetings:body_detail", args=[world["body"].pk]),
    ]


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return struct.unpack(">II", data[16:24])


def test_every_chart_and_table_link_answers_its_file(client, world, facilitator):
    client.force_login(facilitator)
    seen = set()
    for page in pages(world):
        html = client.get(page).content.decode()
        links = LINK.findall(html)
        charts = {name for _, name, fmt in links if fmt == "png"}
        assert charts, f"{page} offers no chart"
        for name in charts:  # a chart offers all three
            assert {fmt for _, n, fmt in links if n == name} == {"png", "svg", "csv"}, name
        for query, name, fmt in links:
            response = client.get(page.split("?")[0] + "?" + query.replace("&amp;", "&"))
            assert response.status_code == 200, (page, query)
            assert response["Content-Disposition"] == f'attachment; filename="{name}.{fmt}"'
            if fmt == "png":
                assert response["Content-Type"] == "image/png"
                width, height = png_size(response.content)
                assert width >= 400
                assert height >= 20
            elif fmt == "svg":
                assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
                svg = response.content.decode()
                assert svg.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg class="chart')
                assert "<style>" in svg  # the chart styles travel inside the file
                assert ".series-1 {" in svg
            else:
                assert response["Content-Type"] == "text/csv; charset=utf-8"
                assert csv_rows(response)[0], (page, name)  # a header at least (a condition not assessed)
            seen.add((name, fmt))
    assert {n for n, _ in seen} >= {
        "activity-hours",
        "ct-activity-hours",
        "indicators-on-target",
        "projects-by-state",
        "conditions-heat-map",
        "projects-needing-attention",
        "overdue-products",
        "recent-activity",
        "ct-projects-by-status",
        "ct-partner-centers",
        f"project-{world['project'].pk}-stages-common-agenda",
        f"project-{world['project'].pk}-indicators",
        f"project-{world['project'].pk}-products",
        f"project-{world['project'].pk}-activities",
        f"indicator-{world['indicator'].pk}",
        "network-of-support-ct",
        "feedback-ctb",
    }


def test_the_hours_csv_holds_the_numbers_of_the_chart(client, world, ct_staff):
    client.force_login(ct_staff)
    rows = csv_rows(client.get("/projects/states/CT/?download=ct-activity-hours.csv"))
    month = days_ago(3).strftime("%Y-%m")
    header = rows[0]
    assert header[0] == "series"
    assert header[-1] == "total"
    assert len(header) == 14
    by_series = {row[0]: row for row in rows[1:]}
    assert Decimal(by_series["All activities"][header.index(month)]) == Decimal("3.5")  # not NY's 7
    assert Decimal(by_series["All activities"][-1]) == Decimal("3.5")
    assert Decimal(by_series["Common agenda"][header.index(month)]) == Decimal("3.5")
    assert Decimal(by_series[condition(2).name][-1]) == 0
    # The same figure is in the chart: the tallest bar reaches the top tick of a 0-4 axis.
    svg = client.get("/projects/states/CT/?download=ct-activity-hours.svg").content.decode()
    assert ">4</text>" in svg


def test_the_other_charts_csv_hold_their_numbers(client, world, ct_staff):
    client.force_login(ct_staff)
    project, indicator = world["project"], world["indicator"]
    stages = csv_rows(
        client.get(f"/projects/{project.pk}/?download=project-{project.pk}-stages-common-agenda.csv")
    )
    assert stages == [
        ["condition", "assessed on", "stage", "stage name"],
        ["Common agenda", str(days_ago(200)), "1", stages[1][3]],
        ["Common agenda", str(days_ago(20)), "3", stages[2][3]],
    ]
    values = csv_rows(
        client.get(
            reverse("projects:indicator_detail", args=[indicator.pk])
            + f"?download=indicator-{indicator.pk}.csv"
        )
    )
    assert [row[0] for row in values] == ["series", "baseline", "value", "value", "target"]
    assert [Decimal(row[2]) for row in values[1:]] == [8, 11, 16, 15]
    share = csv_rows(client.get("/?download=indicators-on-target.csv"))
    assert share == [["status", "indicators"], ["On target", "1"], ["Off target", "0"], ["No value yet", "0"]]
    feedback = csv_rows(
        client.get(reverse("meetings:body_detail", args=[world["body"].pk]) + "?download=feedback-ctb.csv")
    )
    assert feedback[0] == ["quarter", "responses", "quality", "relevance", "usefulness", "overall"]
    assert feedback[1][1:] == ["1", "4.0", "5.0", "3.0", "4.0"]
    network = csv_rows(client.get("/projects/network/?state=CT&download=network-of-support-ct.csv"))
    assert ["Educator pipeline", "project"] in [row[2:4] for row in network[1:]]


def test_dashboard_tables_come_whole_and_defused(client, world, ct_staff):
    client.force_login(ct_staff)
    recent = csv_rows(client.get("/?download=recent-activity.csv"))
    assert recent[1][2] == "'=HYPERLINK(1) coaching"  # a formula is written as text
    assert all("New York" not in cell for row in recent for cell in row)
    heat = csv_rows(client.get("/?download=conditions-heat-map.csv"))
    assert heat[1][:3] == ["Educator pipeline", "CT", "3"]
    overdue = csv_rows(client.get("/projects/states/CT/?download=ct-overdue-products.csv"))
    assert overdue[1][:4] == ["Late guide", "Educator pipeline", "CT", str(days_ago(9))]


def test_another_states_files_are_404_and_unknown_files_too(client, world, ny_staff, ct_staff):
    project = world["project"]
    client.force_login(ny_staff)
    for url in (
        "/projects/states/CT/?download=ct-activity-hours.csv",
        "/projects/states/CT/?download=ct-activity-hours.png",
        f"/projects/{project.pk}/?download=project-{project.pk}-stages-common-agenda.png",
        reverse("projects:indicator_detail", args=[world["indicator"].pk])
        + f"?download=indicator-{world['indicator'].pk}.svg",
        reverse("meetings:body_detail", args=[world["body"].pk]) + "?download=feedback-ctb.csv",
        "/projects/network/?state=CT&download=network-of-support-ct.csv",
    ):
        assert client.get(url).status_code == 404, url
    client.force_login(ct_staff)
    for wanted in ("hours.svg", "activity-hours.exe", "../activity-hours.csv", "", "x" * 500):
        assert client.get("/", {"download": wanted}).status_code == 404, wanted
    # A NUL byte is refused before the view, as on every page.
    assert client.get("/", {"download": "activity-hours.csv\x00"}).status_code == 400
    # A table offers its CSV only.
    assert client.get("/?download=recent-activity.png").status_code == 404


def test_a_png_is_the_chart_drawn_at_twice_its_size(client, world, ct_staff):
    client.force_login(ct_staff)
    response = client.get("/?download=activity-hours.png")
    assert png_size(response.content) == (2000, 600)
    assert response["Cache-Control"] == "private, no-store"
    event = SecurityEvent.objects.get(kind="export")  # logged like every download
    assert event.detail == {"content_type": "image/png", "filename": "activity-hours.png"}


def test_links_keep_the_pages_query(client, world, facilitator):
    client.force_login(facilitator)
    html = client.get("/projects/network/?state=CT").content.decode()
    assert 'href="?state=CT&amp;download=network-of-support-ct.png"' in html


def test_the_wide_charts_have_a_phone_drawing_with_fewer_month_names(client, world, ct_staff):
    client.force_login(ct_staff)
    html = client.get("/").content.decode()
    wide, compact = re.findall(r'<svg class="chart chart-hours[^"]*".*?</svg>', html, re.S)
    assert "chart-compact" not in wide[:60]
    assert "chart-compact" in compact[:60]
    assert 'viewBox="0 0 480 340"' in compact
    months = re.compile(r">(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)</text>")
    assert len(months.findall(wide)) == 12
    assert len(months.findall(compact)) == 6
    assert f">{TODAY.strftime('%b')}</text>" in compact  # the latest month is always named
    indicator = client.get(
        reverse("projects:indicator_detail", args=[world["indicator"].pk])
    ).content.decode()
    assert indicator.count('class="chart chart-indicator') == 2
