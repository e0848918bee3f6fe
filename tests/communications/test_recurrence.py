import datetime
import zoneinfo

import pytest

from communications import recurrence, services
from communications.models import Schedule
from tests.communications.factories import compose
from tests.stakeholders.factories import StakeholderFactory

NY = zoneinfo.ZoneInfo("America/New_York")
UTC = datetime.UTC


def schedule(**kwargs):
    defaults = {"frequency": "daily", "timezone": "America/New_York", "interval": 1, "weekdays": []}
    defaults.update(kwargs)
    return Schedule(**defaults)


def runs(s, n=10):
    result, current = [recurrence.first_run(s)], None
    current = result[0]
    while current is not None and len(result) < n:
        current = recurrence.next_run_after(s, current)
        if current is not None:
            result.append(current)
    return result


def test_daily_keeps_local_time_across_spring_forward():
    s = schedule(starts_local=datetime.datetime(2026, 3, 7, 9, 0), count=3)  # noqa: DTZ001 - wall-clock time in the schedule's zone, naive on purpose
    assert [r.astimezone(NY).strftime("%m-%d %H:%M") for r in runs(s)] == [
        "03-07 09:00",
        "03-08 09:00",
        "03-09 09:00",
    ]
    assert [r.astimezone(UTC).hour for r in runs(s)] == [14, 13, 13]


def test_nonexistent_and_ambiguous_local_times_fire_once():
    spring = schedule(starts_local=datetime.datetime(2026, 3, 7, 2, 30), count=3)  # noqa: DTZ001 - wall-clock time in the schedule's zone, naive on purpose
    assert [r.astimezone(UTC).strftime("%d %H:%M") for r in runs(spring)] == [
        "07 07:30",
        "08 07:30",
        "09 06:30",
    ]
    autumn = schedule(starts_local=datetime.datetime(2026, 10, 31, 1, 30), count=3)  # noqa: DTZ001 - wall-clock time in the schedule's zone, naive on purpose
    assert [r.astimezone(UTC).strftime("%d %H:%M") for r in runs(autumn)] == [
        "31 05:30",
        "01 05:30",
        "02 06:30",
    ]


def test_weekly_on_days_until_a_date():
    s = schedule(
        frequency="weekly",
        starts_local=datetime.datetime(2026, 10, 26, 8, 0),  # a Monday  # noqa: DTZ001 - wall-clock time in the schedule's zone, naive on purpose
        weekdays=[0, 3],
        until=datetime.date(2026, 11, 9),
    )
    assert [r.astimezone(NY).strftime("%a %m-%d %H:%M") for r in runs(s)] == [
        "Mon 10-26 08:00",
        "Thu 10-29 08:00",
        "Mon 11-02 08:00",
        "Thu 11-05 08:00",
        "Mon 11-09 08:00",
    ]


def test_monthly_on_day_31_uses_the_last_day_of_short_months():
    s = schedule(
        frequency="monthly",
        starts_local=datetime.datetime(2027, 1, 31, 7, 0),  # noqa: DTZ001 - wall-clock time in the schedule's zone, naive on purpose
        month_day=31,
        count=4,
    )
    assert [r.astimezone(NY).strftime("%m-%d") for r in runs(s)] == ["01-31", "02-28", "03-31", "04-30"]


@pytest.mark.django_db
def test_a_stored_schedule_computes_the_same_times(facilitator, ct):
    StakeholderFactory(sea=ct)
    communication = compose(facilitator, audience={"seas": [ct.pk]})
    stored = services.communication_schedule(
        communication=communication,
        send_at=datetime.datetime(2031, 3, 8, 2, 30),  # noqa: DTZ001 - wall-clock time in the schedule's zone, naive on purpose
        recurrence={"frequency": "weekly", "weekdays": [5, 6], "count": 4},
    )
    again = Schedule.objects.get(pk=stored.pk)
    assert again.starts_local == datetime.datetime(2031, 3, 8, 2, 30)  # noqa: DTZ001 - wall-clock time in the schedule's zone, naive on purpose
    assert recurrence.upcoming(again, limit=4) == runs(again, 4)
    assert "weekly on Saturday, Sunday at 02:30" in again.describe()


@pytest.mark.django_db
def test_a_recurrence_needs_an_end(facilitator, ct):
    from django.core.exceptions import ValidationError

    StakeholderFactory(sea=ct)
    communication = compose(facilitator, audience={"seas": [ct.pk]})
    with pytest.raises(ValidationError):
        services.communication_schedule(communication=communication, recurrence={"frequency": "daily"})
