"""Occurrence times of a schedule, computed in local wall-clock time so that a message set for
09:00 goes out at 09:00 on both sides of a daylight-saving change.

Times are generated as naive local datetimes by dateutil's rrule, then placed in the schedule's
zone. A local time that does not exist (02:30 on the spring-forward night) resolves to the
same instant as the offset before the change (03:30 daylight time); a local time that exists
twice (01:30 on the fall-back night) is the first of the two. Either way it fires once.
"""

import datetime
import zoneinfo

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule

UTC = datetime.UTC


def to_aware(local: datetime.datetime, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    """A naive local time in `tz` as an aware UTC instant (fold=0, see the module docstring)."""
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


def to_local(instant: datetime.datetime, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    return instant.astimezone(tz).replace(tzinfo=None)


def build_rule(
    *,
    frequency: str,
    starts_local: datetime.datetime,
    interval: int = 1,
    weekdays=None,
    month_day: int | None = None,
    until: datetime.date | None = None,
    count: int | None = None,
) -> rrule | None:
    """The rrule of a recurring schedule, or None for a one-off."""
    if frequency == "once":
        return None
    kwargs = {"dtstart": starts_local, "interval": interval or 1, "cache": False}
    if until:
        kwargs["until"] = datetime.datetime.combine(until, datetime.time.max)
    if count:
        kwargs["count"] = count
    if frequency == "daily":
        return rrule(DAILY, **kwargs)
    if frequency == "weekly":
        return rrule(WEEKLY, byweekday=sorted(weekdays or [starts_local.weekday()]), **kwargs)
    if frequency == "monthly":
        day = month_day or starts_local.day
        if day <= 28:
            return rrule(MONTHLY, bymonthday=day, **kwargs)
        # "Day 31" means the last day in shorter months: the first of (day, last day) each month.
        return rrule(MONTHLY, bymonthday=(day, -1), bysetpos=1, **kwargs)
    raise ValueError(f"Unknown frequency {frequency!r}")


def rule_for(schedule) -> rrule | None:
    return build_rule(
        frequency=schedule.frequency,
        starts_local=schedule.starts_local,
        interval=schedule.interval,
        weekdays=schedule.weekdays,
        month_day=schedule.month_day,
        until=schedule.until,
        count=schedule.count,
    )


def first_run(schedule) -> datetime.datetime | None:
    rule = rule_for(schedule)
    if rule is None:
        return to_aware(schedule.starts_local, schedule.tz)
    local = rule.after(schedule.starts_local, inc=True)
    return to_aware(local, schedule.tz) if local else None


def next_run_after(schedule, previous: datetime.datetime) -> datetime.datetime | None:
    """The occurrence after the one at `previous` (an aware instant), or None when finished."""
    rule = rule_for(schedule)
    if rule is None:
        return None
    local = rule.after(to_local(previous, schedule.tz), inc=False)
    return to_aware(local, schedule.tz) if local else None


def first_run_from(schedule, now: datetime.datetime) -> datetime.datetime | None:
    """The first occurrence at or after `now` (for resuming a paused schedule)."""
    rule = rule_for(schedule)
    if rule is None:
        run = to_aware(schedule.starts_local, schedule.tz)
        return run if run >= now else None
    local = rule.after(to_local(now, schedule.tz), inc=True)
    return to_aware(local, schedule.tz) if local else None


def upcoming(schedule, *, limit: int = 5, after: datetime.datetime | None = None) -> list[datetime.datetime]:
    """The next few occurrence instants, for display."""
    rule = rule_for(schedule)
    if rule is None:
        return [to_aware(schedule.starts_local, schedule.tz)]
    start = to_local(after, schedule.tz) if after else schedule.starts_local
    result = []
    local = rule.after(start, inc=True)
    while local is not None and len(result) < limit:
        result.append(to_aware(local, schedule.tz))
        local = rule.after(local, inc=False)
    return result
