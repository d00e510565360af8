"""Refusals of vehicle services; each carries a stable code and a translated message for the user."""

from colocauto.core.errors import DomainError


class InvalidVehicle(DomainError):
    """A field of the vehicle breaks a rule (bad value, owner who is not an active member…)."""

    default_code = "invalid_vehicle"


class InvalidPhoto(DomainError):
    """The uploaded file is not a photo we accept."""

    default_code = "invalid_photo"
    field = "photo"


class InvalidAvailability(DomainError):
    """A weekly window ends before it starts or overlaps another window of the same day."""

    default_code = "invalid_availability"


class InvalidBlackout(DomainError):
    """A blackout period ends before it starts, or is already over."""

    default_code = "invalid_blackout"
