"""Time: now, a community's time zone, its local days and calendar months.

Everything reads the time through ``django.utils.timezone.now`` (so tests freeze it with time-machine);
a month is a ``date`` on its first day and spans local midnight to local midnight.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone


def now() -> datetime:
    return timezone.now()


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date()


def today_in(tz: ZoneInfo) -> date:
    return local_date(now(), tz)


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def previous_month(month: date) -> date:
    return month_start(month_start(month) - timedelta(days=1))


def month_last_day(month: date) -> date:
    return next_month(month) - timedelta(days=1)


def days_in_month(month: date) -> int:
    return (next_month(month) - month_start(month)).days


def years_before(day: date, years: int) -> date:
    """The same day ``years`` earlier; a 29 February becomes the 28th when that year has none."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def month_bounds(month: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The month as a half-open interval of aware datetimes, midnight to midnight in ``tz``."""
    return midnight(month_start(month), tz), midnight(next_month(month), tz)
