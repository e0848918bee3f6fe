"""The home and state dashboards and the project page: scoping, content and query budgets."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from projects.models import ActivityMonth, Condition, Product
from projects.selectors import attention_cutoffs, months_back
from projects.services.rollups import activity_month_refresh
from tests.projects.factories import (
    ActivityFactory,
    ConditionAssessmentFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    ProductFactory,
    ProjectFactory,
    condition,
)
from tests.projects.query_budget import assert_page_queries
from tests.stakeholders.factories import DistrictFactory, PartnerCenterFactory, StakeholderFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


def heat_cell(html: str, project, number: int) -> str:
    match = re.search(
        rf'<td data-project="{project.pk}" data-condition="{number}"[^>]*>(.*?)</td>', html, re.S
    )
    assert match, f"no heat-map cell for project {project.pk}, condition {number}"
    return re.sub(r"<[^>]+>", " ", match.group(1)).strip()


@pytest.fixture
def world(ct, ny):
    """A busy Connecticut project, a quiet one, and a New York project."""
    center = PartnerCenterFactory(short_name="REL-NEI", name="REL Northeast & Islands")
    busy = ProjectFactory(title="Diversifying the educator workforce", sea=ct, lead_center=center)
    quiet = ProjectFactory(title="Quiet Connecticut project", sea=ct)
    other = ProjectFactory(title="New York literacy project", sea=ny)
    # Condition 1 of the busy project: an old stage 1, then stage 3 recently.
    ConditionAssessmentFactory(project=busy, condition=condition(1), stage=1, assessed_on=days_ago(400))
    ConditionAssessmentFactory(project=busy, condition=condition(1), stage=3, assessed_on=days_ago(20))
    ConditionAssessmentFactory(project=busy, condition=condition(2), stage=2, assessed_on=days_ago(20))
    ConditionAssessmentFactory(project=quiet, condition=condition(1), stage=4, assessed_on=days_ago(300))
    ConditionAssessmentFactory(project=other, condition=condition(1), stage=0, assessed_on=days_ago(10))
    activity = ActivityFactory(
        project=busy, date=days_ago(5), hours=Decimal("3.5"), summary="Coaching eight districts"
    )
    activity.conditions.set([condition(1), condition(3)])
    ActivityFactory(project=quiet, date=days_ago(90), hours=Decimal("2"))
    ActivityFactory(project=other, date=days_ago(3), hours=Decimal("7"), summary="Secret New York work")
    on_target = IndicatorFactory(project=busy, name="Share of new hires of color", baseline=8, target=15)
    IndicatorValueFactory(indicator=on_target, measured_on=days_ago(30), value=16)
    off_target = IndicatorFactory(project=quiet, name="Districts using the template", baseline=0, target=8)
    IndicatorValueFactory(indicator=off_target, measured_on=days_ago(30), value=2)
    ProductFactory(
        project=busy,
        title="Action-plan template",
        due_date=days_ago(10),
        status=Product.Status.IN_DEVELOPMENT,
    )
    ProductFactory(
        project=busy, title="Delivered guidebook", due_date=days_ago(10), status=Product.Status.DELIVERED
    )
    ProductFactory(project=other, title="New York overdue report", due_date=days_ago(10))
    activity_month_refresh(full=True)
    return {"busy": busy, "quiet": quiet, "other": other, "on_target": on_target, "off_target": off_target}


# Access ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        lambda _w: reverse("home"),
        lambda _w: reverse("projects:state_dashboard", args=["CT"]),
        lambda w: reverse("projects:detail", args=[w["busy"].pk]),
    ],
)
def test_anonymous_users_are_sent_to_sign_in(client, world, url):
    response = client.get(url(world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sea_staff_of_another_state_get_404(client, world, ny_staff):
    client.force_login(ny_staff)
    assert client.get(reverse("projects:state_dashboard", args=["CT"])).status_code == 404
    assert client.get(reverse("projects:detail", args=[world["busy"].pk])).status_code == 404
    assert client.get(reverse("projects:state_dashboard", args=["ZZ"])).status_code == 404


def test_sea_staff_see_their_own_state_only(client, world, ct_staff):
    client.force_login(ct_staff)
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Diversifying the educator workforce" in html
    assert "New York literacy project" not in html
    assert "Secret New York work" not in html
    assert "New York overdue report" not in html
    assert client.get(reverse("projects:state_dashboard", args=["ct"])).status_code == 200
    assert client.get(reverse("projects:detail", args=[world["busy"].pk])).status_code == 200


def test_facilitator_sees_every_state(client, world, facilitator):
    client.force_login(facilitator)
    html = client.get(reverse("home")).content.decode()
    assert "New York literacy project" in html
    assert "Quiet Connecticut project" in html
    assert 'href="/projects/states/NY/"' in html
    assert client.get(reverse("projects:state_dashboard", args=["NY"])).status_code == 200


# Content --------------------------------------------------------------------------------------


def test_heat_map_shows_the_latest_stage_not_an_older_one(client, world, facilitator):
    client.force_login(facilitator)
    html = client.get(reverse("home")).content.decode()
    assert '<table id="heatmap"' in html
    assert heat_cell(html, world["busy"], 1) == "3  Established"
    assert heat_cell(html, world["busy"], 2) == "2  Developing"
    assert heat_cell(html, world["busy"], 3).startswith("—")  # never assessed
    assert heat_cell(html, world["other"], 1) == "0  Not started"
    assert 'class="stage-3"' in html


def test_overdue_product_is_listed_and_delivered_one_is_not(client, world, ct_staff):
    client.force_login(ct_staff)
    html = client.get(reverse("home")).content.decode()
    overdue = html.split('id="overdue-products"')[1].split("</table>")[0]
    assert "Action-plan template" in overdue
    assert "Delivered guidebook" not in overdue


def test_needing_attention_gives_the_reasons(client, world, ct_staff):
    client.force_login(ct_staff)
    html = client.get(reverse("home")).content.decode()
    table = html.split('id="attention"')[1].split("</table>")[0]
    quiet_row = table.split(f'data-project="{world["quiet"].pk}"')[1].split("</tr>")[0]
    assert "No activity in 60 days" in quiet_row
    assert "Indicator off target" in quiet_row
    assert "Assessment older than 6 months" in quiet_row
    # The busy project logged work 5 days ago, meets its target and was assessed 20 days ago.
    assert f'data-project="{world["busy"].pk}"' not in table


def test_indicator_counts_and_hours_chart(client, world, ct_staff):
    client.force_login(ct_staff)
    response = client.get(reverse("home"))
    context = response.context
    assert (context["indicator_counts"].on_target, context["indicator_counts"].off_target) == (1, 0 + 1)
    hours = context["hours"]
    assert hours.total.total == Decimal("5.5")  # 3.5 h five days ago, 2 h ninety days ago
    assert hours.months[-1] == TODAY.replace(day=1)
    assert sum(hours.total.values[-2:]) >= Decimal("3.5")
    common_agenda = hours.by_condition[0]
    assert common_agenda.name == "Common agenda"
    assert common_agenda.total == Decimal("3.5")
    assert hours.by_condition[1].total == 0  # shared measurement: nothing logged
    html = response.content.decode()
    assert "<svg" in html
    assert "Hours per month by condition" in html
    assert "style=" not in html


def test_recent_activity_feed_links_to_the_activity(client, world, ct_staff):
    client.force_login(ct_staff)
    html = client.get(reverse("home")).content.decode()
    feed = html.split('id="recent-activity"')[1].split("</ul>")[0]
    assert "Coaching eight districts" in feed
    activity = world["busy"].activities.get(summary="Coaching eight districts")
    assert reverse("projects:activity_detail", args=[activity.pk]) in feed


def test_state_dashboard_lists_districts_and_centers(client, world, facilitator, ct):
    district = DistrictFactory(sea=ct, name="Cedar Falls Public Schools")
    world["busy"].districts.add(district)
    partner = PartnerCenterFactory(short_name="R2CC", name="Region 2 Comprehensive Center")
    world["busy"].partner_centers.add(partner)
    client.force_login(facilitator)
    response = client.get(reverse("projects:state_dashboard", args=["CT"]))
    html = response.content.decode()
    assert "Cedar Falls Public Schools" in html
    centers = html.split('id="state-centers"')[1].split("</table>")[0]
    assert "REL Northeast &amp; Islands (REL-NEI)" in centers
    assert "Region 2 Comprehensive Center" in centers
    assert "New York literacy project" not in html


def test_project_page_shows_every_part(client, world, ct_staff, ct):
    project = world["busy"]
    project.districts.add(DistrictFactory(sea=ct, name="Lakeview Public Schools"))
    project.stakeholders.add(StakeholderFactory(sea=ct, first_name="Irene", last_name="Parisi"))
    project.goals.create(number=1, statement="Diversify the hiring pipeline").objectives.create(
        number=1, statement="Eight districts adopt the action plan"
    )
    project.scope_changes.create(
        changed_on=days_ago(200), summary="Virtual coaching", reason="Schools closed"
    )
    client.force_login(ct_staff)
    html = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    for text in (
        "Diversify the hiring pipeline",
        "Eight districts adopt the action plan",
        "Lakeview Public Schools",
        "Irene Parisi",
        "Virtual coaching",
        "Share of new hires of color",
        "Coaching eight districts",
        "REL Northeast &amp; Islands",
    ):
        assert text in html, text
    assert html.count('class="chart chart-stage"') == Condition.objects.count()
    products = html.split('id="project-products"')[1].split("</table>")[0]
    overdue_row = products.split("Action-plan template")[1].split("</tr>")[0]
    assert "Overdue" in overdue_row
    assert "Overdue" not in products.split("Delivered guidebook")[1].split("</tr>")[0]
    assert f"{reverse('projects:activity_create')}?project={project.pk}" in html
    assert reverse("projects:assessment_create", args=[project.pk]) in html
    assert f"{reverse('projects:activity_list')}?project={project.pk}" in html


def test_attention_cutoffs_are_sixty_days_and_six_months():
    quiet, stale = attention_cutoffs(datetime.date(2025, 8, 31))
    assert quiet == datetime.date(2025, 7, 2)
    assert stale == datetime.date(2025, 2, 28)
    assert months_back(datetime.date(2025, 1, 15), 1) == datetime.date(2024, 12, 1)


# Rollup ---------------------------------------------------------------------------------------


def test_rollup_follows_new_changed_and_deleted_activities(world, ct):
    def hours(month):
        return ActivityMonth.objects.get(sea=ct, month=month, condition_number=0).hours

    month = days_ago(5).replace(day=1)
    before = hours(month)
    added = ActivityFactory(project=world["busy"], date=days_ago(5), hours=Decimal("1.5"))
    assert activity_month_refresh() >= 1
    assert hours(month) == before + Decimal("1.5")
    added.date = days_ago(70)
    added.save()
    activity_month_refresh()
    assert hours(month) == before
    added.delete()
    activity_month_refresh()
    assert not ActivityMonth.objects.filter(
        sea=ct, month=days_ago(70).replace(day=1), hours=Decimal("1.5")
    ).exists()


# Query budgets --------------------------------------------------------------------------------


def grow(ct, ny, size: int):
    """`size` more projects per state, each with assessments, activities, indicators, products."""
    for sea in (ct, ny):
        for _ in range(size):
            project = ProjectFactory(sea=sea)
            for number in (1, 2, 3):
                ConditionAssessmentFactory(
                    project=project, condition=condition(number), assessed_on=days_ago(300)
                )
            for n in range(3):
                ActivityFactory(project=project, date=days_ago(20 * n + 1)).conditions.set([condition(1)])
            IndicatorValueFactory(indicator=IndicatorFactory(project=project), measured_on=days_ago(10))
            ProductFactory(project=project, due_date=days_ago(5))
            project.districts.add(DistrictFactory(sea=sea))
            project.partner_centers.add(PartnerCenterFactory())
    activity_month_refresh(full=True)


@pytest.mark.parametrize("size", [1, 12])
@pytest.mark.parametrize("who", ["facilitator", "ct_staff"])
def test_dashboard_queries_do_not_grow_with_data(
    client, world, ct, ny, size, who, request, django_assert_max_num_queries
):
    grow(ct, ny, size)
    client.force_login(request.getfixturevalue(who))
    for url in (reverse("home"), reverse("projects:state_dashboard", args=["CT"])):
        assert_page_queries(client, url, django_assert_max_num_queries)


@pytest.mark.parametrize("size", [1, 12])
def test_project_page_queries_do_not_grow_with_data(
    client, world, ct, ct_staff, size, django_assert_max_num_queries
):
    project = world["busy"]
    for n in range(size):
        project.districts.add(DistrictFactory(sea=ct))
        project.stakeholders.add(StakeholderFactory(sea=ct))
        ActivityFactory(project=project, date=days_ago(n))
        IndicatorValueFactory(indicator=IndicatorFactory(project=project), measured_on=days_ago(n + 1))
        ProductFactory(project=project)
        ConditionAssessmentFactory(project=project, condition=condition(n % 5 + 1), assessed_on=days_ago(n))
        goal = project.goals.create(number=n + 10, statement=f"Goal {n}")
        goal.objectives.create(number=1, statement="An objective")
        project.scope_changes.create(changed_on=days_ago(n), summary=f"Change {n}", reason="Because")
    client.force_login(ct_staff)
    # The panels of the apps above projects (the disputed activities, the request it was
    # started from) are within the page's budget.
    assert_page_queries(client, reverse("projects:detail", args=[project.pk]), django_assert_max_num_queries)


def test_rollup_follows_a_project_moved_to_another_state(world, ct, ny):
    month = days_ago(5).replace(day=1)
    project = world["busy"]
    ct_before = ActivityMonth.objects.get(sea=ct, month=month, condition_number=0).hours
    project.sea = ny
    project.save()
    activity_month_refresh()
    ct_after = ActivityMonth.objects.filter(sea=ct, month=month, condition_number=0).first()
    assert (ct_after.hours if ct_after else Decimal(0)) == ct_before - Decimal("3.5")
    assert ActivityMonth.objects.get(sea=ny, month=month, condition_number=1).hours == Decimal("3.5")


# Cached fragments -----------------------------------------------------------------------------


def page_without_per_request_values(html: str) -> str:
    """A page with its CSRF token and CSP nonces taken out: what differs between two visits."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'nonce="[^"]+"', "", html)


@pytest.mark.parametrize("url", [reverse("home"), reverse("projects:state_dashboard", args=["CT"])])
def test_a_dashboard_drawn_from_its_cached_fragments_is_the_dashboard_drawn_afresh(
    client, world, facilitator, monkeypatch, url
):
    from projects import charts

    drawn = []
    hours_chart = charts.hours_chart
    monkeypatch.setattr(charts, "hours_chart", lambda *a, **k: drawn.append(k) or hours_chart(*a, **k))
    client.force_login(facilitator)
    cache.clear()  # an earlier run's drawings of the same rows would be served from the cache
    first = client.get(url, {"page": 1}).content.decode()
    assert len(drawn) == 2  # the wide chart and the phone's
    second = client.get(url, {"page": 1}).content.decode()
    assert len(drawn) == 2  # not drawn again: the same data gives the same fragment
    assert page_without_per_request_values(second) == page_without_per_request_values(first)
    # An address the dashboard does not link to is drawn, and not kept.
    client.get(url, {"page": 1, "utm": "made-up"})
    client.get(url, {"page": 1, "utm": "made-up"})
    assert len(drawn) == 6


def test_a_change_of_the_data_shows_at_the_next_visit(client, world, facilitator, ct):
    client.force_login(facilitator)
    url = reverse("projects:state_dashboard", args=["CT"])
    html = client.get(url).content.decode()
    assert heat_cell(html, world["busy"], 3).startswith("—")
    assert "Cedar Falls Public Schools" not in html

    ConditionAssessmentFactory(project=world["busy"], condition=condition(3), stage=4, assessed_on=TODAY)
    ActivityFactory(
        project=world["busy"], date=TODAY, hours=Decimal("1"), summary="Planning the spring cohort"
    )
    Product.objects.filter(title="Action-plan template").update(due_date=days_ago(30))
    district = DistrictFactory(sea=ct, name="Cedar Falls Public Schools")
    world["busy"].districts.add(district)
    activity_month_refresh()

    html = client.get(url).content.decode()
    assert heat_cell(html, world["busy"], 3) == "4  Sustaining"
    assert "Planning the spring cohort" in html.split('id="recent-activity"')[1].split("</ul>")[0]
    overdue = html.split('id="overdue-products"')[1].split("</table>")[0]
    assert days_ago(30).isoformat() in overdue
    assert "Cedar Falls Public Schools" in html
