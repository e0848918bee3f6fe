"""Survey results: participants' ratings and the board's feedback rolled up per group, scoped,
every count linking to its records, a fixed number of queries; the page and the API agree."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse

from accountability.models import SurveyInvitation, SurveyResponse
from accountability.report import Period
from accountability.survey_results import survey_results
from projects.models import Product
from tests.accountability.conftest import log
from tests.meetings.factories import FeedbackFactory
from tests.projects.factories import ProductFactory, ProjectFactory
from tests.projects.query_budget import assert_page_queries
from tests.stakeholders.factories import StakeholderFactory

pytestmark = pytest.mark.django_db

FY = Period.fiscal_year(2026)
URL = reverse("accountability:survey_results")


def at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=ZoneInfo(settings.TIME_ZONE))


def invite(project, *, activity=None, product=None, sent: datetime.date, scores=None):
    invitation = SurveyInvitation.objects.create(
        stakeholder=StakeholderFactory(sea=project.sea),
        activity=activity,
        product=product,
        project=project,
        activity_type=activity.type if activity else "",
        sent_at=at(sent),
        responded_at=at(sent) if scores else None,
    )
    if scores:
        quality, relevance, usefulness = (Decimal(str(s)) if s is not None else None for s in scores)
        SurveyResponse.objects.create(
            invitation=invitation,
            quality=quality,
            relevance=relevance,
            usefulness=usefulness,
            submitted_at=at(sent),
        )
    return invitation


@pytest.fixture
def world(team, ny):
    project, staff = team["project"], team["staff"]
    coaching = log(project, staff, date=datetime.date(2025, 11, 3), type="coaching")
    training = log(project, staff, date=datetime.date(2026, 2, 3), type="training")
    guidebook = ProductFactory(
        project=project,
        title="Guidebook",
        status=Product.Status.DELIVERED,
        delivered_on=datetime.date(2026, 3, 1),
    )
    # Coaching: three invited, two answered (quality 5 and 3).
    invite(project, activity=coaching, sent=datetime.date(2025, 11, 4), scores=(5, 4, 2))
    invite(project, activity=coaching, sent=datetime.date(2025, 11, 4), scores=(3, 4.5, None))
    invite(project, activity=coaching, sent=datetime.date(2025, 11, 4))
    # Training: one answered; the guidebook: one answered of two.
    invite(project, activity=training, sent=datetime.date(2026, 2, 4), scores=(4, 2, 5))
    invite(project, product=guidebook, sent=datetime.date(2026, 3, 2), scores=(2, 5, 4))
    invite(project, product=guidebook, sent=datetime.date(2026, 3, 2))
    # Sent the year before: not in FY 2026.
    invite(project, activity=coaching, sent=datetime.date(2025, 9, 30), scores=(1, 1, 1))
    ny_project = ProjectFactory(sea=ny, title="New York literacy")
    ny_activity = log(ny_project, staff, date=datetime.date(2026, 1, 5))
    invite(ny_project, activity=ny_activity, sent=datetime.date(2026, 1, 6), scores=(5, 5, 5))
    # The board rates the guidebook twice, a New York product once, and something of no product.
    FeedbackFactory(
        product=guidebook, quality=5, relevance=4, usefulness=3, submitted_at=at(datetime.date(2026, 4, 1))
    )
    FeedbackFactory(
        product=guidebook, quality=3, relevance=4, usefulness=5, submitted_at=at(datetime.date(2026, 4, 2))
    )
    FeedbackFactory(
        product=ProductFactory(project=ny_project), quality=1, submitted_at=at(datetime.date(2026, 4, 3))
    )
    FeedbackFactory(product=None, quality=4, submitted_at=at(datetime.date(2026, 4, 4)))
    return {"project": project, "ny_project": ny_project, "guidebook": guidebook}


def rows_of(results, source="surveys"):
    return {row.label: row for row in results.rows if row.source == source}


def figure(row, dimension):
    return next(f for f in row.dimensions if f.dimension == dimension)


def test_per_project_means_shares_and_response_rates(world, facilitator):
    results = survey_results(facilitator, group="project", period=FY)
    row = rows_of(results)[world["project"].title]
    assert (row.invited, row.responses, row.response_rate, row.state) == (6, 4, Decimal("66.7"), "CT")
    quality = figure(row, "quality")
    assert (quality.responses, quality.high, quality.mean, quality.share_high) == (
        4,
        2,
        Decimal("3.50"),
        Decimal("50.0"),
    )
    usefulness = figure(row, "usefulness")  # one answer left usefulness out
    assert (usefulness.responses, usefulness.high) == (3, 2)
    assert rows_of(results)["New York literacy"].responses == 1
    feedback = rows_of(results, "feedback")
    assert feedback[world["project"].title].responses == 2
    assert figure(feedback[world["project"].title], "quality").mean == Decimal("4.00")
    assert feedback["Not tied to a product"].responses == 1
    surveys_total, feedback_total = results.totals
    assert (surveys_total.invited, surveys_total.responses) == (7, 5)
    assert figure(surveys_total, "quality").mean == Decimal("3.80")  # (5+3+4+2+5) / 5
    assert feedback_total.responses == 4


def test_sea_staff_count_their_state_only(world, ct_staff):
    results = survey_results(ct_staff, group="state", period=FY)
    assert [row.label for row in results.rows if row.source == "surveys"] == ["CSDE"]
    assert results.totals[0].invited == 6
    assert "New York literacy" not in rows_of(survey_results(ct_staff, group="project", period=FY))
    assert all(row.label != "NYSED" for row in results.rows)


def test_per_activity_type_product_and_year(world, facilitator):
    by_type = rows_of(survey_results(facilitator, group="activity_type", period=FY))
    assert (by_type["Coaching session"].invited, by_type["Coaching session"].responses) == (4, 3)
    assert (by_type["Products (delivered)"].invited, by_type["Products (delivered)"].responses) == (2, 1)
    (board,) = [
        r
        for r in survey_results(facilitator, group="activity_type", period=FY).rows
        if r.source == "feedback"
    ]
    assert board.responses == 4
    by_product = survey_results(facilitator, group="product", period=FY)
    assert rows_of(by_product)["Guidebook"].invited == 2
    assert rows_of(by_product)["Services (activities)"].invited == 5
    assert rows_of(by_product, "feedback")["Guidebook"].responses == 2
    # Two fiscal years: September 30 belongs to FY 2025.
    both = survey_results(
        facilitator, group="year", period=Period(datetime.date(2024, 10, 1), datetime.date(2026, 9, 30))
    )
    years = rows_of(both)
    assert (years["FY 2025"].invited, years["FY 2026"].invited) == (1, 7)
    assert "date_to=2025-09-30" in years["FY 2025"].invited_url


def test_every_count_links_to_the_records_it_counts(client, world, facilitator):
    client.force_login(facilitator)
    for group in ("project", "product", "activity_type", "state", "year"):
        results = survey_results(facilitator, group=group, period=FY)
        for row in [*(r for r in results.rows if r.source == "surveys"), results.totals[0]]:
            links = [(row.invited_url, row.invited), (row.responses_url, row.responses)]
            links += [(f.url, f.high) for f in row.dimensions]
            for url, expected in links:
                response = client.get(url)
                assert response.status_code == 200, url
                records = response.context["keyset"]
                assert (records.count, records.count_is_capped) == (expected, False), (group, row.label, url)


def test_page_shows_the_rows_and_links_and_is_in_the_navigation(client, world, ct_staff, facilitator):
    client.force_login(ct_staff)
    response = client.get(URL, {"group": "activity_type", "fy": 2026})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Coaching session" in html
    # The board's feedback of bodies the user may read, on their state's products: none here.
    assert "Resources and services rated by the board" not in html
    assert "kind=invitations" in html
    assert "highly=quality" in html
    assert 'href="/accountability/surveys/results/"' in html  # the Work menu
    assert "New York literacy" not in html
    dashboard = client.get(reverse("accountability:dashboard")).content.decode()
    assert URL in dashboard
    client.force_login(facilitator)
    html = client.get(URL, {"group": "activity_type", "fy": 2026}).content.decode()
    assert "Resources and services rated by the board" in html


@pytest.mark.parametrize(
    "query",
    [
        {"group": "nonsense"},
        {"fy": "abc"},
        {"fy": "99999999999999999999"},
        {"date_from": "2026-01-01"},
        {"date_from": "2026-05-01", "date_to": "2026-01-01"},
        {"group": "project\x00"},
        {"date_from": "2026-01-01\x00", "date_to": "2026-02-01"},
    ],
)
def test_bad_input_is_a_400_on_the_page_and_the_api(client, world, facilitator, query):
    client.force_login(facilitator)
    assert client.get(URL, query).status_code == 400
    assert client.get(reverse("api:survey-results"), query).status_code == 400


def test_records_refuse_bad_filters_without_error(client, world, facilitator):
    client.force_login(facilitator)
    records = reverse("accountability:records")
    for query in ({"kind": "responses", "highly": "charm"}, {"kind": "responses", "dates": "later"}):
        assert client.get(records, query).status_code == 400
    response = client.get(records, {"kind": "invitations", "product": "99999999999999999999"})
    assert (response.status_code, response.context["keyset"].count) == (200, 0)


def test_api_gives_the_same_figures_scoped(client, world, ct_staff):
    client.force_login(ct_staff)
    response = client.get(reverse("api:survey-results"), {"group": "project", "fy": 2026})
    assert response.status_code == 200
    data = response.json()
    (row,) = [r for r in data["rows"] if r["source"] == "surveys"]
    assert (row["label"], row["invited"], row["responses"], row["response_rate"]) == (
        world["project"].title,
        6,
        4,
        66.7,
    )
    assert row["quality"] == {"mean": 3.5, "responses": 4, "rated_highly": 2, "share_highly": 50.0}
    assert data["totals"][0]["invited"] == 6
    assert (data["period_start"], data["period_end"]) == ("2025-10-01", "2026-09-30")


@pytest.mark.parametrize("size", [1, 10])
@pytest.mark.parametrize("group", ["project", "product", "year"])
def test_page_queries_do_not_grow_with_data(
    client, team, facilitator, size, group, django_assert_max_num_queries
):
    for n in range(size):
        project = ProjectFactory(sea=team["project"].sea, title=f"P{n}")
        activity = log(project, team["staff"], date=datetime.date(2026, 1, 1 + n))
        product = ProductFactory(project=project, status=Product.Status.DELIVERED)
        invite(project, activity=activity, sent=datetime.date(2026, 1, 2 + n), scores=(4, 4, 4))
        invite(project, product=product, sent=datetime.date(2026, 1, 2 + n), scores=(2, 3, 5))
        FeedbackFactory(product=product, submitted_at=at(datetime.date(2026, 2, 1)))
    client.force_login(facilitator)
    response = assert_page_queries(
        client, f"{URL}?group={group}&fy=2026", django_assert_max_num_queries, budget=6
    )
    assert response.context["results"].totals[0].invited == 2 * size
