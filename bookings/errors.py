"""The refusals of bookings and trips. Each raise gives a stable ``code`` (listed in docs/error-codes.md);
a subclass's ``default_code`` names the family when a raise gives none."""

from colocauto.core.errors import Conflict, DomainError


class BookingRefused(DomainError):
    """The booking or trip breaks a rule (times, availability, community rules, state): 400."""

    default_code = "booking_refused"


class BookingConflict(Conflict):
    """Another booking already holds that slot: 409, with the other booking's interval in ``params``."""

    default_code = "booking_conflict"


class ImplausibleDistance(BookingRefused):
    """The distance is possible but unlikely: the driver must confirm it, then send the trip's end again."""

    default_code = "implausible_distance_unconfirmed"
    field = "confirm_implausible"  # a form shows it next to the box that confirms the distance


class SeriesOccurrenceRefused(Conflict):
    """One date of a recurring booking was taken or became refused between its preview and its saving: 409,
    with the date and the refusal's code in ``params``; nothing of the series is saved."""

    default_code = "series_occurrence_refused"
