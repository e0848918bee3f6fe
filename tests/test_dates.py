"""Local days as ranges of instants (core/dates.py): the rows of `__date__range`, by the column."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import User
from core.dates import on_local_days

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 8)  # a day of 23 hours in New York: clocks go forward at 2:00


def joined(name: str, *local_time: int) -> User:
    """A user who joined at `local_time` (year, month, day, hour, minute[, second]) in the portal's zone."""
    when = datetime.datetime(*local_time, tzinfo=timezone.get_current_timezone())
    return User.objects.create(username=name, date_joined=when)


def test_the_same_rows_as_the_local_date_of_the_column():
    joined("before", 2026, 3, 7, 23, 59, 59)
    joined("first", 2026, 3, 8, 0, 0)
    joined("after-the-jump", 2026, 3, 8, 3, 30)
    joined("last", 2026, 3, 8, 23, 59, 59)
    joined("next", 2026, 3, 9, 0, 0)
    users = User.objects.filter(username__in=["before", "first", "after-the-jump", "last", "next"])

    def names(queryset):
        return sorted(queryset.values_list("username", flat=True))

    assert names(users.filter(on_local_days("date_joined", DAY, DAY))) == ["after-the-jump", "first", "last"]
    assert names(users.filter(on_local_days("date_joined", DAY, DAY))) == names(
        users.filter(date_joined__date__range=(DAY, DAY))
    )
    assert names(users.filter(on_local_days("date_joined", start=DAY))) == [
        "after-the-jump",
        "first",
        "last",
        "next",
    ]
    assert names(users.filter(on_local_days("date_joined", end=DAY))) == [
        "after-the-jump",
        "before",
        "first",
        "last",
    ]


def test_the_first_and_last_dates_leave_that_end_open():
    joined("someone", 2026, 3, 8, 12, 0)
    everyone = User.objects.filter(on_local_days("date_joined", datetime.date.min, datetime.date.max))
    assert everyone.filter(username="someone").exists()
