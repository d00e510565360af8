"""The dates and times of a recurring booking: pure computation, no database.

"Every week on Wednesday 14:00–18:00 until 24 June", "every 2 weeks", or "every month on the 2nd Wednesday".
The weekday (and for a monthly rule, which one of the month) is the first date's. Each occurrence is computed
in the community's local time, then made aware: 14:00 stays 14:00 across a change of clock, and a time that
does not exist that day (02:30 when clocks go forward) becomes the same instant one hour later on the clock.
"""

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from colocauto.text import date_text, french_typography

WEEKLY, MONTHLY = "weekly", "monthly"
LAST = -1  # "the last Wednesday of the month"
# A series runs for at most a year from its first date (at most 53 weekly occurrences).
MAX_SPAN = timedelta(days=365)
MAX_INTERVAL = 12
ORDINALS = {
    1: gettext_lazy("first"),
    2: gettext_lazy("second"),
    3: gettext_lazy("third"),
    4: gettext_lazy("fourth"),
    LAST: gettext_lazy("last"),
}


@dataclass(frozen=True)
class Recurrence:
    frequency: str  # WEEKLY or MONTHLY
    interval: int  # every ``interval`` weeks or months
    first_date: date
    until: date
    start_time: time
    end_time: time  # at or before ``start_time``: the next day

    @property
    def weekday(self) -> int:
        return self.first_date.weekday()

    @property
    def ordinal(self) -> int:
        """Which of the month's weekdays the first date is: 1 to 4, or LAST for a fifth one."""
        number = (self.first_date.day - 1) // 7 + 1
        return LAST if number == 5 else number

    @property
    def ends_next_day(self) -> bool:
        return self.end_time <= self.start_time


def rule_of(series) -> Recurrence:
    """The rule of a stored ``BookingSeries``."""
    return Recurrence(
        frequency=series.frequency,
        interval=series.interval,
        first_date=series.first_date,
        until=series.until,
        start_time=series.start_time,
        end_time=series.end_time,
    )


@dataclass(frozen=True)
class Occurrence:
    day: date
    starts_at: datetime
    ends_at: datetime


def rule_problem(rule: Recurrence) -> str | None:
    """Why the rule cannot be used (a translated sentence), or None."""
    if rule.until < rule.first_date:
        return _("The last date must be on or after the first date.")
    if rule.until > rule.first_date + MAX_SPAN:
        return french_typography(
            _("A recurring booking can run for at most a year: choose a last date until %(date)s.")
            % {"date": _long_date(rule.first_date + MAX_SPAN)}
        )
    if not 1 <= rule.interval <= MAX_INTERVAL:
        return _("Repeat at most every %(count)d weeks or months.") % {"count": MAX_INTERVAL}
    return None


def dates(rule: Recurrence) -> list[date]:
    """Every day the rule falls on, from its first date to ``until`` included."""
    found: list[date] = []
    if rule.frequency == WEEKLY:
        day, step = rule.first_date, timedelta(weeks=rule.interval)
        while day <= rule.until:
            found.append(day)
            day += step
        return found
    year, month = rule.first_date.year, rule.first_date.month
    while True:
        day = nth_weekday(year, month, rule.weekday, rule.ordinal)
        if day > rule.until:
            return found
        found.append(day)
        year, month = divmod(year * 12 + month - 1 + rule.interval, 12)
        month += 1


def nth_weekday(year: int, month: int, weekday: int, ordinal: int) -> date:
    """The ``ordinal``-th ``weekday`` (0 = Monday) of the month, or its last one for LAST."""
    if ordinal == LAST:
        last = date(year, month, calendar.monthrange(year, month)[1])
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (ordinal - 1))


def occurrences(rule: Recurrence, tz: ZoneInfo) -> list[Occurrence]:
    """Each occurrence's aware start and end, computed on the local clock of ``tz``."""
    found = []
    for day in dates(rule):
        end_day = day + timedelta(days=1) if rule.ends_next_day else day
        found.append(Occurrence(day, _local(day, rule.start_time, tz), _local(end_day, rule.end_time, tz)))
    return found


def _local(day: date, at: time, tz: ZoneInfo) -> datetime:
    """``day`` at ``at`` on the clock of ``tz``; a time skipped by the clock moves forward with it."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC).astimezone(tz)


def summary(rule: Recurrence) -> str:
    """The rule in words, in the active language: "Every week on Wednesday from 14:00 to 18:00 until …"."""
    params = {
        "count": rule.interval,
        "weekday": WEEKDAYS[rule.weekday],
        "ordinal": ORDINALS[rule.ordinal],
        "start": clock_text(rule.start_time),
        "end": clock_text(rule.end_time),
        "until": _long_date(rule.until),
    }
    if rule.frequency == WEEKLY and rule.interval == 1:
        text = _("Every week on %(weekday)s from %(start)s to %(end)s until %(until)s")
    elif rule.frequency == WEEKLY:
        text = _("Every %(count)d weeks on %(weekday)s from %(start)s to %(end)s until %(until)s")
    elif rule.interval == 1:
        text = _("Every month on the %(ordinal)s %(weekday)s from %(start)s to %(end)s until %(until)s")
    else:
        text = _("Every %(count)d months on the %(ordinal)s %(weekday)s from %(start)s to %(end)s until %(until)s")
    if rule.ends_next_day:
        text = _("%(rule)s (ending the next day)") % {"rule": text}
    return french_typography(text % params)


def clock_text(at: time) -> str:
    """A time of day as people write it: "14:00" in English, « 14 h » or « 14 h 30 » in French."""
    if at.minute == 0:
        return _("%(hour)d:00") % {"hour": at.hour}
    return _("%(hour)d:%(minute)02d") % {"hour": at.hour, "minute": at.minute}


def _long_date(day: date) -> str:
    return date_text(day, "DATE_FORMAT")
