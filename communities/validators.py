import re
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


# Old names kept by the tz database for compatibility ("backward" file): never offered.
OUTDATED_ZONES = {
    "Europe/Belfast",
    "Europe/Kiev",
    "Europe/Nicosia",
    "Europe/Tiraspol",
    "Europe/Uzhgorod",
    "Europe/Zaporozhye",
}
FRENCH_OVERSEAS_ZONES = {
    "America/Guadeloupe",
    "America/Martinique",
    "America/Cayenne",
    "Indian/Reunion",
    "Indian/Mayotte",
    "America/Miquelon",
    "Pacific/Noumea",
    "Pacific/Tahiti",
    "Pacific/Wallis",
    "Pacific/Marquesas",
}
# The zones a community can pick: Europe and the French overseas territories.
OFFERED_TIME_ZONES = sorted(
    ({tz for tz in available_timezones() if tz.startswith("Europe/")} - OUTDATED_ZONES) | FRENCH_OVERSEAS_ZONES
)
