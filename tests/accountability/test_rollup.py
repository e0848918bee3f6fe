import datetime
from decimal import Decimal

from accountability.report import Period, figures
from accountability.rollup import WATERMARK, _quiet, service_figures, service_month_refresh
from projects.models import Activity, RollupWatermark
from projects.services.activities import activity_update
from tests.accountability.conftest import log
from tests.projects.factories import ProjectFactory
from tests.stakeholders.factories import DistrictFactory, StakeholderFactory


def test_rollup_and_loose_days_count_like_the_activities(team, ny):
    project = team["project"]
    people = [StakeholderFactory(sea=project.sea) for _ in range(3)]
    district = DistrictFactory(sea=project.sea)
    log(
        project, team["staff"], date=datetime.date(2025, 10, 3), participants=people[:2], districts=[district]
    )
    log(project, team["staff"], date=datetime.date(2025, 11, 20), participants=people[1:], type="training")
    log(project, team["staff"], date=datetime.date(2026, 2, 2), participants=people[:1], hours=Decimal("4"))
    log(ProjectFactory(sea=ny), team["staff"], date=datetime.date(2025, 12, 1))
    service_month_refresh()
    ct = project.sea_id
    # Whole months only, whole months with loose days at both ends, and loose days only.
    for start, end, activities, hours, participants in (
        (datetime.date(2025, 10, 1), datetime.date(2026, 9, 30), 3, Decimal("9"), 3),
        (datetime.date(2025, 10, 2), datetime.date(2026, 2, 2), 3, Decimal("9"), 3),
        (datetime.date(2025, 10, 4), datetime.date(2026, 2, 1), 1, Decimal("2.5"), 2),
        (datetime.date(2025, 11, 19), datetime.date(2025, 11, 21), 1, Decimal("2.5"), 2),
    ):
        result = service_figures(sea_ids=[ct], start=start, end=end)
        total = result[(ct, None)]
        assert (total["activities"], total["hours"], total.get("participants", 0)) == (
            activities,
            hours,
            participants,
        ), (start, end)
        assert (None, None) in result
        assert result[(None, None)]["activities"] == activities
    everyone = service_figures(sea_ids=None, start=datetime.date(2025, 10, 1), end=datetime.date(2026, 9, 30))
    assert everyone[(None, None)]["activities"] == 4
    assert everyone[(ct, "coaching")]["districts"] == 1


def test_report_figures_follow_an_edit_at_once(team):
    activity = log(team["project"], team["staff"], date=datetime.date(2025, 10, 3))
    period = Period.fiscal_year(2026)
    assert figures(team["lead"], period)[(team["project"].sea_id, None)]["hours"] == Decimal("2.5")
    activity_update(activity=activity, editor=team["staff"], hours=Decimal("5"))
    team["lead"].__dict__.pop("_service_figures", None)  # a new request
    assert figures(team["lead"], period)[(team["project"].sea_id, None)]["hours"] == Decimal("5")


def test_a_change_is_refreshed_once_then_reads_are_quiet_until_the_next(team, django_assert_num_queries):
    period = Period.fiscal_year(2026)
    log(team["project"], team["staff"], date=datetime.date(2025, 10, 3))
    assert service_month_refresh() >= 1
    # Within the ten-minute look-back the change is still there, but already counted: quiet.
    assert service_month_refresh() == 0
    with django_assert_num_queries(1):
        assert _quiet()[0]

    # A change saved before that refresh but committed after it (a history row dated inside
    # the look-back that the refresh could not see) is still found.
    activity = log(team["project"], team["staff"], date=datetime.date(2025, 11, 4))
    history = Activity.history.filter(id=activity.pk)
    history.update(
        history_date=RollupWatermark.objects.get(name=WATERMARK).refreshed_at - datetime.timedelta(minutes=5)
    )
    assert not _quiet()[0]
    assert service_month_refresh() >= 1
    assert _quiet()[0]
    assert figures(team["lead"], period)[(team["project"].sea_id, None)]["activities"] == 2
