"""Fixed reporting periods: calendar months, quarters and years, never arbitrary ranges."""

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.utils import formats
from django.utils.translation import gettext as _

from territories.rollup import month_after

PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|Q(?P<quarter>[1-4])))?$")
DURATIONS = {1: "P1M", 3: "P3M", 12: "P1Y"}


@dataclass(frozen=True, order=True)
class Period:
    start: date
    months: int  # 1, 3 or 12

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        return cls(date(year, month, 1), 1)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        return cls(date(year, 3 * quarter - 2, 1), 3)

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(date(year, 1, 1), 12)

    @classmethod
    def parse(cls, text: str | None) -> "Period | None":
        """``2026``, ``2026-Q1`` or ``2026-03``; None for anything else."""
        match = PATTERN.match((text or "").strip())
        if match is None:
            return None
        year = int(match["year"])
        if not 2000 <= year <= 2100:
            return None
        if match["month"]:
            number = int(match["month"])
            return cls.month(year, number) if 1 <= number <= 12 else None
        if match["quarter"]:
            return cls.quarter(year, int(match["quarter"]))
        return cls.year(year)

    @cached_property
    def key(self) -> str:
        """``2026-03``, ``2026-Q1`` or ``2026`` (kept: a report reads it thousands of times)."""
        if self.months == 1:
            return f"{self.start.year}-{self.start.month:02d}"
        if self.months == 3:
            return f"{self.start.year}-Q{(self.start.month + 2) // 3}"
        return str(self.start.year)

    @property
    def kind(self) -> str:
        return {1: "month", 3: "quarter", 12: "year"}[self.months]

    @property
    def duration(self) -> str:
        """ISO 8601 duration, as the Mobility Data Specification's reports write it."""
        return DURATIONS[self.months]

    @property
    def end(self) -> date:
        """The first day after the period."""
        day = self.start
        for _month in range(self.months):
            day = month_after(day)
        return day

    @property
    def month_starts(self) -> list[date]:
        days, day = [], self.start
        for _month in range(self.months):
            days.append(day)
            day = month_after(day)
        return days

    @property
    def parts(self) -> list["Period"]:
        """The periods it is the sum of: a year's quarters, a quarter's months; a month has none."""
        if self.months == 12:
            return [Period.quarter(self.start.year, number) for number in range(1, 5)]
        if self.months == 3:
            return [Period(day, 1) for day in self.month_starts]
        return []

    @property
    def enclosing(self) -> list["Period"]:
        """The quarter and the year that contain it (to offer when it is confidential)."""
        year = Period.year(self.start.year)
        if self.months == 1:
            return [Period.quarter(self.start.year, (self.start.month + 2) // 3), year]
        return [year] if self.months == 3 else []

    def is_over(self, today: date) -> bool:
        return self.end <= today

    @property
    def label(self) -> str:
        if self.months == 1:
            return formats.date_format(self.start, "YEAR_MONTH_FORMAT")
        if self.months == 3:
            return _("Q%(number)s %(year)s") % {"number": (self.start.month + 2) // 3, "year": self.start.year}
        return str(self.start.year)

    @property
    def short_label(self) -> str:
        """For chart axes: a month's abbreviated name ("juil.", "Jul.")."""
        if self.months == 1:
            return formats.date_format(self.start, "N")
        return self.label

    def __str__(self) -> str:
        return self.key


def periods_of_years(years: list[int], today: date) -> list[Period]:
    """Every month, quarter and year of ``years`` that has ended by ``today``."""
    periods = []
    for year in years:
        for number in range(1, 13):
            periods.append(Period.month(year, number))
        for number in range(1, 5):
            periods.append(Period.quarter(year, number))
        periods.append(Period.year(year))
    return [period for period in periods if period.is_over(today)]


def last_months(today: date, count: int) -> list[Period]:
    """The ``count`` calendar months that ended last, oldest first."""
    month = today.replace(day=1)
    months = []
    for _index in range(count):
        month = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
        months.append(Period(month, 1))
    return months[::-1]
