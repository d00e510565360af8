"""Parsers and bounds for what people type or put in links: row ids, months, years."""

from __future__ import annotations

import re
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Dates people type or put in links stay in years every part of the app can compute with (a UTC
# conversion, a month's end, a time zone change) without leaving Python's year 1–9999.
MIN_YEAR = 1900
MAX_YEAR = 2999
MAX_ID = 2**63 - 1  # the largest primary key a 64-bit column holds; a bigger number in a link is no row

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_id(value: object) -> int | None:
    """A row id from a link or a form ('12'), or None for anything else ('', '²', '-1', twenty nines)."""
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdecimal()) or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def in_year_range(value: date | datetime) -> bool:
    return MIN_YEAR <= value.year <= MAX_YEAR


def validate_year_range(value: date | datetime | None) -> None:
    if value is not None and not in_year_range(value):
        raise ValidationError(
            _("Enter a date between the years %(min)d and %(max)d."),
            code="year_out_of_range",
            params={"min": MIN_YEAR, "max": MAX_YEAR},
        )


def parse_month(value: str) -> date:
    """``YYYY-MM`` → the month's first day; ``ValueError`` for anything else or a year out of range."""
    match = _MONTH.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"not a YYYY-MM month: {value!r}")
    month = date(int(match[1]), int(match[2]), 1)  # ValueError for month 13
    if not in_year_range(month):
        raise ValueError(f"month out of range: {value!r}")
    return month
