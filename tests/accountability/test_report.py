import datetime
import io
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from openpyxl import load_workbook

from accountability.models import Attestation, MeasureTarget, PerformanceMeasure, ProgressExplanation
from accountability.report import Period, conditions_table
from accountability.rollup import service_month_refresh
from accountability.services.attestations import attestation_decide
from core.keyset import decode_cursor, encode_cursor
from projects.models import Activity, ConditionAssessment, Product, Project, ProjectMember
from tests.accountability.conftest import log
from tests.projects.factories import ConditionAssessmentFactory, ProductFactory, ProjectFactory, condition
from tests.projects.query_budget import assert_page_queries

FY = Period.fiscal_year(2026)
QUERY = "?date_from=2025-10-01&date_to=2026-09-30"


@pytest.fixture
def world(team, ny):
    project = team["project"]
    first = log(project, team["staff"], date=datetime.date(2025, 11, 3))
    log(project, team["staff"], date=datetime.date(2026, 2, 3), type="training", hours=Decimal("6"))
    log(project, team["staff"], date=datetime.date(2024, 2, 3))  # outside the fiscal year
    attestation_decide(
        attestation=first.attestations.get(is_current=True), by=team["contact"], decision="confirmed"
    )
    ProductFactory(
        project=project,
        status=Product.Status.DELIVERED,
        delivered_on=datetime.date(2026, 3, 1),
        title="Guidebook",
    )
    ny_project = ProjectFactory(sea=ny, title="New York literacy")
    Activity.objects.create(
        project=ny_project, date=datetime.date(2026, 1, 5), type="coaching", summary="NY", hours=7
    )
    measure = PerformanceMeasure.objects.create(
        name="Hours of coaching",
        definition="Hours of coaching sessions",
        counts="hours",
        activity_type="coaching",
    )
    MeasureTarget.objects.create(
        measure=measure, period_start=FY.start, period_end=FY.end, target=Decimal("10")
    )
    return {**team, "measure": measure, "ny_project": ny_project}


def test_default_period_is_the_last_fiscal_year():
    assert Period.last_fiscal_year(datetime.date(2026, 12, 7)) == FY
    assert Period.last_fiscal_year(datetime.date(2026, 9, 30)) == Period.fiscal_year(2025)


def test_facilitator_reads_the_report_and_numbers_link_to_records(client, world):
    client.force_login(world["lead"])
    response = client.get(reverse("accountability:report") + QUERY)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Fiscal year 2026" in page
    # Coaching hours: 2.5 in CT and 7 in NY within the period → 9.5 of 10.
    assert ">9.50<" in page
    assert "95.0%" in page
    assert (
        f"state={world['project'].sea_id}&amp;type=training&amp;date_from=2025-10-01&amp;date_to=2026-09-30"
        in page
    )
    assert "New York" in page or "NYSED" in page


def test_sea_staff_see_their_state_only(client, world, ny_staff):
    client.force_login(ny_staff)
    page = client.get(reverse("accountability:report") + QUERY).content.decode()
    assert "NYSED" in page
    assert "CSDE" not in page
    assert ">7.00<" in page  # only NY's coaching hours


def test_csv_and_workbook(client, world):
    client.force_login(world["lead"])
    csv = client.get(reverse("accountability:report") + QUERY + "&format=csv&table=services")
    body = b"".join(csv.streaming_content).decode()
    assert csv.status_code == 200
    assert "CSDE total" in body
    xlsx = client.get(reverse("accountability:report") + QUERY + "&format=xlsx")
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert len(workbook.sheetnames) == 5
    services = workbook[workbook.sheetnames[1]]
    values = [[c.value for c in row] for row in services.iter_rows()]
    assert any(r[:3] == ["CSDE total", "All types", 2] for r in values)
    assert client.get(reverse("accountability:report") + QUERY + "&format=csv&table=nope").status_code == 404


def test_bad_period_is_a_clear_400(client, world):
    client.force_login(world["lead"])
    response = client.get(reverse("accountability:report") + "?date_from=2026-10-01&date_to=2025-01-01")
    assert response.status_code == 400
    assert "before its start" in response.content.decode()
    assert (
        client.get(reverse("accountability:report") + "?date_from=junk&date_to=2025-01-01").status_code == 400
    )


def test_explanation_kept_per_period_and_only_center_staff_write(client, world, ct_staff):
    url = reverse("accountability:explanation_save")
    data = {
        "measure": world["measure"].pk,
        "date_from": "2025-10-01",
        "date_to": "2026-09-30",
        "text": "On track.",
    }
    client.force_login(ct_staff)
    assert client.post(url, data).status_code == 404
    assert not ProgressExplanation.objects.exists()
    client.force_login(world["lead"])
    assert client.post(url, data).status_code == 302
    assert client.post(url, {**data, "text": ""}).status_code == 302  # refused with a message
    explanation = ProgressExplanation.objects.get()
    assert (explanation.text, explanation.period_start) == ("On track.", FY.start)
    assert "On track." in client.get(reverse("accountability:report") + QUERY).content.decode()


def test_records_page_lists_what_a_number_counts(client, world, ny_staff):
    client.force_login(world["lead"])
    url = reverse("accountability:records") + QUERY + "&kind=attestations&status=confirmed"
    page = client.get(url).content.decode()
    assert "1 record" in page
    products = client.get(reverse("accountability:records") + QUERY + "&kind=products").content.decode()
    assert "Guidebook" in products
    client.force_login(ny_staff)
    assert (
        "Guidebook"
        not in client.get(reverse("accountability:records") + QUERY + "&kind=products").content.decode()
    )
    assert client.get(reverse("accountability:records") + "?kind=bogus").status_code == 400


def test_anonymous_is_sent_to_sign_in(client, db):
    for name in (
        "accountability:report",
        "accountability:records",
        "accountability:report_print",
        "accountability:dashboard",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("size", [1, 8])
def test_report_queries_do_not_grow_with_data(client, team, size, django_assert_max_num_queries):
    for n in range(size):
        project = ProjectFactory(sea=team["project"].sea, title=f"P{n}")
        log(project, team["staff"], date=datetime.date(2026, 1, 1 + n))
        PerformanceMeasure.objects.create(name=f"M{n}", definition="d", counts="activities", project=project)
    client.force_login(team["lead"])
    # One query per performance measure (a handful of admin-defined rows), the rest fixed.
    with django_assert_max_num_queries(50 + 2 * size):
        assert client.get(reverse("accountability:report") + QUERY).status_code == 200


def test_conditions_table_reads_the_stages_at_both_ends(team):
    project = team["project"]
    project.start_date = datetime.date(2024, 1, 1)
    project.save(update_fields=["start_date"])
    ConditionAssessmentFactory(
        project=project, condition=condition(1), stage=1, assessed_on=datetime.date(2025, 5, 1)
    )
    ConditionAssessmentFactory(
        project=project, condition=condition(1), stage=3, assessed_on=datetime.date(2026, 3, 1)
    )
    ConditionAssessmentFactory(
        project=project, condition=condition(2), stage=2, assessed_on=datetime.date(2026, 1, 1)
    )
    ConditionAssessmentFactory(
        project=project, condition=condition(3), stage=2, assessed_on=datetime.date(2026, 12, 1)
    )
    table = conditions_table(team["lead"], FY)
    [row] = [row for row in table.rows if row[0].value == project.title]
    labels = [cell.value for cell in row[2:-1]]
    stages = dict(ConditionAssessment._meta.get_field("stage").choices)
    assert labels[:6] == [stages[1], stages[3], "—", stages[2], "—", "—"]
    assert row[-1].value == 2  # condition 1 moved up, condition 2 got its first stage; 3 is later
    page = conditions_table(team["lead"], FY, offset=0, limit=1)
    assert page.total == 1
    assert [r[0].value for r in page.rows] == [project.title]
    assert conditions_table(team["lead"], FY, offset=5, limit=1).rows == []


def settled():
    """The state of a page read a while after the last change: the history is older than the
    rollup's look-back, and the rollup holds it."""
    an_hour_ago = F("history_date") - datetime.timedelta(hours=1)
    for model in (Activity, Attestation, Project):
        model.history.model.objects.update(history_date=an_hour_ago)
    service_month_refresh(full=True)


@pytest.mark.parametrize("url", ["accountability:report", "accountability:report_print"])
def test_report_statements_are_the_same_at_every_size(client, team, url, django_assert_max_num_queries):
    """More projects, activities, answers, assessments and survey data: the same statements."""
    client.force_login(team["lead"])
    log(team["project"], team["staff"], date=datetime.date(2026, 1, 5))
    settled()
    small = assert_page_queries(client, reverse(url) + QUERY, django_assert_max_num_queries)
    for n in range(30):
        project = ProjectFactory(
            sea=team["project"].sea, title=f"P{n:02}", start_date=datetime.date(2025, 1, 1)
        )
        ProjectMember.objects.create(project=project, user=team["lead"], role=ProjectMember.Role.CENTER_LEAD)
        ConditionAssessmentFactory(project=project, stage=1 + n % 4, assessed_on=datetime.date(2026, 2, 1))
        log(project, team["staff"], date=datetime.date(2026, 1, 1 + n % 28), type="training")
    settled()
    large = assert_page_queries(client, reverse(url) + QUERY, django_assert_max_num_queries)
    assert len(large.statements) == len(small.statements)
    assert "P29" in large.content.decode()


@pytest.mark.parametrize(
    "url", [reverse_lazy("accountability:dashboard"), reverse_lazy("projects:state_dashboard", args=["CT"])]
)
def test_attestation_figures_cost_the_same_at_every_size(client, team, url, django_assert_max_num_queries):
    """The dashboard and the state panel count a year's answers once per change of the data."""
    client.force_login(team["lead"])
    today = timezone.localdate()
    log(team["project"], team["staff"], date=today)
    settled()
    small = assert_page_queries(client, str(url), django_assert_max_num_queries)
    for n in range(30):
        project = ProjectFactory(sea=team["project"].sea, title=f"P{n:02}")
        ProjectMember.objects.create(
            project=project, user=team["contact"], role=ProjectMember.Role.SEA_CONTACT
        )
        activity = log(project, team["staff"], date=today - datetime.timedelta(days=n))
        if n % 2:
            attestation_decide(
                attestation=activity.attestations.get(is_current=True),
                by=team["contact"],
                decision="confirmed",
            )
    settled()
    large = assert_page_queries(client, str(url), django_assert_max_num_queries)
    assert len(large.statements) == len(small.statements)
    assert "P29" in large.content.decode() or "31" in large.content.decode()


def test_dashboard_shows_an_answer_at_once(client, team):
    """The figures are cached until the data changes: an answer shows on the next read."""
    client.force_login(team["lead"])
    activity = log(team["project"], team["staff"], date=timezone.localdate())
    settled()
    [state] = client.get(reverse("accountability:dashboard")).context["states"]
    assert (state["activities"], state["confirmed"], state["pending"]) == (1, 0, 1)
    attestation_decide(
        attestation=activity.attestations.get(is_current=True), by=team["contact"], decision="confirmed"
    )
    [state] = client.get(reverse("accountability:dashboard")).context["states"]
    assert (state["activities"], state["confirmed"], state["pending"]) == (1, 1, 0)
    assert state["median_days"] is not None
    # Read again soon after (the change still in the rollup's look-back): from the cache.
    with CaptureQueriesContext(connection) as again:
        client.get(reverse("accountability:dashboard"))
    assert not [q["sql"] for q in again.captured_queries if "percentile_cont" in q["sql"]]
    log(team["project"], team["staff"], date=timezone.localdate())
    panel = client.get(reverse("projects:state_dashboard", args=["CT"])).content.decode()
    [state] = client.get(reverse("accountability:dashboard")).context["states"]
    assert state["activities"] == 2
    assert "50.0%" in panel


def test_many_states_show_their_totals_on_the_page_and_every_type_in_the_csv(client, world, monkeypatch):
    from accountability import report

    client.force_login(world["lead"])
    by_type = client.get(reverse("accountability:report") + QUERY).content.decode()
    assert "CSDE total" in by_type
    assert "<td>CSDE</td>" in by_type  # a per-type row of the state
    assert "All states" not in by_type
    monkeypatch.setattr(report, "SERVICES_STATE_LIMIT", 1)  # CT and NY are more than one
    page = client.get(reverse("accountability:report") + QUERY).content.decode()
    services = page.split('id="services-heading"')[1].split("</table>")[0]
    assert "CSDE total" in services
    assert "NYSED total" in services
    assert "<td>CSDE</td>" not in services  # no per-type rows of a state
    assert "All states" in services
    assert "the CSV and the workbook hold every state&#x27;s types" in services
    csv = b"".join(
        client.get(reverse("accountability:report") + QUERY + "&format=csv&table=services").streaming_content
    )
    lines = csv.decode("utf-8-sig").splitlines()
    assert any(line.startswith("CSDE,Training") for line in lines)
    assert not any(line.startswith("All states") for line in lines)


def test_records_come_newest_first_in_keyset_pages(client, world, monkeypatch):
    from accountability import views_report

    monkeypatch.setattr(views_report, "RECORDS_PER_PAGE", 1)
    client.force_login(world["lead"])
    url = reverse("accountability:records") + QUERY + "&kind=attestations"
    first = client.get(url).content.decode()
    assert "2 records" in first
    assert "2026-02-03" in first
    assert "2025-11-03" not in first
    older = re.search(r'href="\?([^"]*after=[^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    second = client.get(reverse("accountability:records") + "?" + older).content.decode()
    assert "2025-11-03" in second
    assert "2026-02-03" not in second
    assert 'rel="prev"' in second
    # A hand-edited cursor shows the first page.
    assert "2026-02-03" in client.get(url + "&after=not-a-cursor").content.decode()


def test_a_cursor_keeps_a_moment_to_the_microsecond():
    moment = datetime.datetime(2026, 3, 8, 3, 30, 15, 123456, tzinfo=datetime.UTC)
    row = SimpleNamespace(submitted_at=moment, pk=7)
    ordering = ["-submitted_at", "pk"]
    assert decode_cursor(encode_cursor(row, ordering), ordering) == [moment, 7]
