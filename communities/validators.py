import re
from datetime import date, datetime
from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

_PHONE = re.compile(r"^\+?[0-9 .\-()]{6,20}$")


def normalize_iban(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def validate_iban(value: str) -> None:
    """Country format, length and mod-97 checksum, through schwifty's registry."""
    if not value:
        return
    try:
        IBAN(normalize_iban(value))
    except SchwiftyException:
        raise ValidationError(
            _("This IBAN is not valid: check the country code, the length and the digits."), code="invalid_iban"
        ) from None


def validate_phone(value: str) -> None:
    if value and not _PHONE.match(value):
        raise ValidationError(
            _("Enter a phone number, e.g. 06 12 34 56 78 or +33 6 12 34 56 78."), code="invalid_phone"
        )


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(_("Choose a time zone from the list."), code="invalid_time_zone")


# Dates people type or put in links stay in years every part of the app can compute with (a UTC
# conversion, a month's end, a time zone change) without leaving Python's year 1–9999.
MIN_YEAR = 1900
MAX_YEAR = 2999
# The largest id an integer primary key holds (PostgreSQL ``integer``); a bigger number in a link is no row.
MAX_ID = 2**63 - 1  # the largest primary key a 64-bit column holds


def validate_year_range(value: date | datetime | None) -> None:
    if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationError(
            _("Enter a date between the years %(min)d and %(max)d."),
            code="year_out_of_range",
            params={"min": MIN_YEAR, "max": MAX_YEAR},
        )


def parse_id(value: object) -> int | None:
    """A row id from a link or a form ('12'), or None for anything else ('', '²', '-1', twenty nines)."""
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdecimal()) or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None
