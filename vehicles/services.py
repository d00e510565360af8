"""Every write about vehicles: registration, edits, pause, weekly availability and blackouts."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format, time_format
from django.utils.translation import gettext as _

from colocauto import uploads
from colocauto.core.amounts import exact_decimal
from colocauto.core.errors import NotAllowed
from colocauto.core.parsers import validate_year_range
from colocauto.text import single_line
from colocauto.uploads import normalised_photo
from communities.models import Membership, User
from communities.rules import require_active
from vehicles.exceptions import InvalidAvailability, InvalidBlackout, InvalidPhoto, InvalidVehicle
from vehicles.models import AvailabilityWindow, Blackout, CostModelPeriod, Vehicle
from vehicles.rules import require_manager
from vehicles.selectors import cost_model_on, local_today

# What says which vehicle it is (the form shows them together).
VEHICLE_IDENTITY_FIELDS = ("name", "kind", "make", "model", "year", "plate", "energy", "seats", "gearbox")
# What a vehicle form may change; the owner is handled apart because only admins choose it.
VEHICLE_FIELDS = (
    *VEHICLE_IDENTITY_FIELDS,
    "parking_location",
    "latitude",
    "longitude",
    "instructions",
    "insurer",
    "policy_number",
    "insurance_expiry",
    "odometer_km",
    "is_active",
    "cost_model",
    "rate_per_km",
    "rate_per_hour",
    "daily_cap",
    "fixed_monthly_cost",
)
PHOTO_MAX_SIDE = uploads.PHOTO_MAX_SIDE
PHOTO_MAX_MEGAPIXELS = uploads.PHOTO_MAX_MEGAPIXELS
MINUTES_PER_DAY = 24 * 60
# Above these, a rate is a typing slip (e.g. "0,22" read as 22), not a price neighbours agree on.
MAX_RATE_PER_KM = Decimal("2")
MAX_RATE_PER_HOUR = Decimal("50")


@dataclass(frozen=True)
class WindowSpec:
    """One weekly window as typed: an end of 00:00 means midnight at the end of the day."""

    weekday: int
    start_time: time
    end_time: time

    @property
    def start_minute(self) -> int:
        return self.start_time.hour * 60 + self.start_time.minute

    @property
    def end_minute(self) -> int:
        if self.end_time == time(0):
            return MINUTES_PER_DAY
        return self.end_time.hour * 60 + self.end_time.minute


def _resolve_owner(*, membership: Membership, requested: User | None) -> User | None:
    """An admin may pick any active member, or nobody (community-owned); others own what they register."""
    if not membership.is_admin:
        if requested is None or requested.pk != membership.user_id:
            raise NotAllowed(
                _("Only an admin can register a vehicle for someone else or for the community."),
                code="vehicle_owner_admin_only",
            )
        return membership.user
    if requested is None:
        return None
    is_member = Membership.objects.filter(
        community_id=membership.community_id, user_id=requested.pk, status=Membership.Status.ACTIVE
    ).exists()
    if not is_member:
        raise InvalidVehicle(
            _("%(name)s is not an active member of this community, so cannot own one of its vehicles.")
            % {"name": requested.name},
            code="owner_not_member",
            field="owner",
        )
    return requested


def _normalised_photo(photo) -> ContentFile:
    """Check the upload, then re-encode it: upright, at most PHOTO_MAX_SIDE pixels, without EXIF (GPS…)."""
    try:
        return normalised_photo(photo, max_side=PHOTO_MAX_SIDE, max_megapixels=PHOTO_MAX_MEGAPIXELS)
    except ValidationError as error:
        raise InvalidPhoto(" ".join(error.messages)) from None


def _replace_photo(vehicle: Vehicle, photo: ContentFile) -> None:
    """Store the new photo; the old file goes once the change is committed."""
    old_name = vehicle.photo.name if vehicle.photo else ""
    storage = vehicle.photo.storage
    vehicle.photo.save(photo.name, photo, save=False)
    if old_name:
        transaction.on_commit(lambda: storage.delete(old_name))


def rate_problem(field: str, value: Decimal | None) -> str | None:
    """Why a rate per km or per hour is implausible, or None."""
    if field == "rate_per_km" and value is not None and value > MAX_RATE_PER_KM:
        return _("€%(rate)s/km is far more than any car costs to run: the most is €%(max)s/km. Check the comma.") % {
            "rate": number_format(value, use_l10n=True),
            "max": number_format(MAX_RATE_PER_KM, decimal_pos=2, use_l10n=True),
        }
    if field == "rate_per_hour" and value is not None and value > MAX_RATE_PER_HOUR:
        return _("€%(rate)s/h is far more than a neighbour's car is worth an hour: the most is €%(max)s/h.") % {
            "rate": number_format(value, use_l10n=True),
            "max": number_format(MAX_RATE_PER_HOUR, decimal_pos=2, use_l10n=True),
        }
    return None


# Money: exact decimals only, never floats (``exact_decimal``).
AMOUNT_FIELDS = ("rate_per_km", "rate_per_hour", "daily_cap", "fixed_monthly_cost")


def _apply(vehicle: Vehicle, data: dict) -> None:
    data = dict(data)
    for field in AMOUNT_FIELDS:
        if data.get(field) is not None:
            data[field] = exact_decimal(data[field])
    if "name" in data:
        data["name"] = single_line(data["name"])
    if "plate" in data:
        data["plate"] = " ".join((data["plate"] or "").split()).upper()
    for field in ("rate_per_km", "rate_per_hour"):
        problem = rate_problem(field, data.get(field))
        if problem:
            raise InvalidVehicle(problem, code="implausible_rate", field=field)
    for field in VEHICLE_FIELDS:
        if field in data:
            setattr(vehicle, field, data[field])
    try:
        vehicle.full_clean(exclude=["photo", "community"])
    except ValidationError as error:
        raise InvalidVehicle(" ".join(error.messages)) from None


@transaction.atomic
def vehicle_create(*, membership: Membership, data: dict, photo=None) -> Vehicle:
    """Register a vehicle in the member's community. Members own what they register; admins choose."""
    require_active(membership)
    owner = _resolve_owner(membership=membership, requested=data.get("owner", membership.user))
    normalised = _normalised_photo(photo) if photo else None
    vehicle = Vehicle(community=membership.community, owner=owner)
    _apply(vehicle, data)
    vehicle.save()
    if normalised:
        _replace_photo(vehicle, normalised)
        vehicle.save(update_fields=["photo"])
    return vehicle


def _first_of_next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _schedule_cost_model(vehicle: Vehicle, *, chosen_before: str, by: User) -> None:
    """A new cost model takes effect on the 1st of the next month: the month under way keeps the model in
    force, so no trip or expense of it is charged under both (rates, then a share of the shared costs).

    The model in force until then is kept as a ``CostModelPeriod``; choosing it again cancels the switch.
    """
    if vehicle.cost_model == chosen_before:
        return
    today = local_today(vehicle)
    upcoming = CostModelPeriod.objects.filter(vehicle=vehicle, ends_on__gt=today)
    in_force = cost_model_on(vehicle, today) if upcoming.exists() else chosen_before
    upcoming.delete()
    if vehicle.cost_model != in_force:
        CostModelPeriod.objects.create(
            vehicle=vehicle, cost_model=in_force, ends_on=_first_of_next_month(today), changed_by=by
        )


@transaction.atomic
def vehicle_update(
    *, membership: Membership, vehicle: Vehicle, data: dict, photo=None, remove_photo: bool = False
) -> Vehicle:
    """Change a vehicle's details; only its owner or an admin may, and only an admin changes the owner.

    A change of cost model takes effect on the 1st of the next month (``_schedule_cost_model``).
    """
    require_manager(membership, vehicle)
    # Read under a lock, from the database: a bound form has already written the new choice on ``vehicle``.
    chosen_before = Vehicle.objects.select_for_update().values_list("cost_model", flat=True).get(pk=vehicle.pk)
    normalised = _normalised_photo(photo) if photo else None
    if "owner" in data and data["owner"] != vehicle.owner:
        if not membership.is_admin:
            raise NotAllowed(_("Only an admin can change a vehicle's owner."), code="vehicle_owner_admin_only")
        vehicle.owner = _resolve_owner(membership=membership, requested=data["owner"])
    _apply(vehicle, data)
    if normalised:
        _replace_photo(vehicle, normalised)
    elif remove_photo and vehicle.photo:
        old_name, storage = vehicle.photo.name, vehicle.photo.storage
        vehicle.photo = ""
        transaction.on_commit(lambda: storage.delete(old_name))
    vehicle.save()
    _schedule_cost_model(vehicle, chosen_before=chosen_before, by=membership.user)
    return vehicle


@transaction.atomic
def vehicle_set_active(*, membership: Membership, vehicle: Vehicle, active: bool) -> Vehicle:
    """Pause a vehicle (no new bookings) or make it bookable again."""
    require_manager(membership, vehicle)
    vehicle.is_active = active
    vehicle.save(update_fields=["is_active"])
    return vehicle


def windows_problem(windows: Iterable[WindowSpec]) -> str | None:
    """None when every window ends after it starts and no two windows of a day overlap; else why not."""
    by_day: dict[int, list[WindowSpec]] = {}
    for window in windows:
        if window.weekday not in AvailabilityWindow.Weekday.values:
            return _("Choose a day of the week.")
        if window.end_minute <= window.start_minute:
            return _("On %(day)s, a window must end after it starts (%(start)s – %(end)s).") % {
                "day": AvailabilityWindow.Weekday(window.weekday).label,
                "start": time_format(window.start_time, "H:i"),
                "end": time_format(window.end_time, "H:i"),
            }
        by_day.setdefault(window.weekday, []).append(window)
    for weekday, day_windows in sorted(by_day.items()):
        day_windows.sort(key=lambda w: w.start_minute)
        for before, after in zip(day_windows, day_windows[1:], strict=False):
            if after.start_minute < before.end_minute:
                return _("On %(day)s, the windows %(first)s and %(second)s overlap. Merge them into one.") % {
                    "day": AvailabilityWindow.Weekday(weekday).label,
                    "first": f"{time_format(before.start_time, 'H:i')}–{time_format(before.end_time, 'H:i')}",
                    "second": f"{time_format(after.start_time, 'H:i')}–{time_format(after.end_time, 'H:i')}",
                }
    return None


def _check_windows(windows: list[WindowSpec]) -> None:
    problem = windows_problem(windows)
    if problem:
        raise InvalidAvailability(problem)


def _locked(vehicle: Vehicle) -> Vehicle:
    """Lock the vehicle row so two edits of its windows cannot interleave."""
    return Vehicle.objects.select_for_update().get(pk=vehicle.pk)


@transaction.atomic
def availability_replace(
    *, membership: Membership, vehicle: Vehicle, windows: Iterable[WindowSpec]
) -> list[AvailabilityWindow]:
    """Replace the vehicle's weekly windows by ``windows`` (none at all means always available)."""
    require_manager(membership, vehicle)
    windows = list(windows)
    _check_windows(windows)
    _locked(vehicle)
    vehicle.availability_windows.all().delete()
    return AvailabilityWindow.objects.bulk_create(
        AvailabilityWindow(vehicle=vehicle, weekday=w.weekday, start_time=w.start_time, end_time=w.end_time)
        for w in sorted(windows, key=lambda w: (w.weekday, w.start_minute))
    )


@transaction.atomic
def window_add(
    *, membership: Membership, vehicle: Vehicle, weekday: int, start_time: time, end_time: time
) -> AvailabilityWindow:
    require_manager(membership, vehicle)
    _locked(vehicle)
    new = WindowSpec(weekday, start_time, end_time)
    existing = [WindowSpec(w.weekday, w.start_time, w.end_time) for w in vehicle.availability_windows.all()]
    _check_windows([*existing, new])
    return AvailabilityWindow.objects.create(vehicle=vehicle, weekday=weekday, start_time=start_time, end_time=end_time)


@transaction.atomic
def window_delete(*, membership: Membership, window: AvailabilityWindow) -> None:
    require_manager(membership, window.vehicle)
    window.delete()


@transaction.atomic
def blackout_add(
    *, membership: Membership, vehicle: Vehicle, starts_at: datetime, ends_at: datetime, reason: str = ""
) -> Blackout:
    """Block a period (repairs, holidays…): nobody can book the vehicle then."""
    require_manager(membership, vehicle)
    try:
        validate_year_range(starts_at)
        validate_year_range(ends_at)
    except ValidationError as error:
        raise InvalidBlackout(" ".join(error.messages), code="year_out_of_range") from None
    if ends_at <= starts_at:
        raise InvalidBlackout(_("The end of the period must be after its start."), code="blackout_ends_before_start")
    if ends_at <= timezone.now():
        raise InvalidBlackout(_("This period is already over; choose dates in the future."), code="blackout_over")
    return Blackout.objects.create(vehicle=vehicle, starts_at=starts_at, ends_at=ends_at, reason=reason.strip())


@transaction.atomic
def blackout_delete(*, membership: Membership, blackout: Blackout) -> Blackout:
    """Lift a blackout; returns it (no longer stored)."""
    require_manager(membership, blackout.vehicle)
    blackout.delete()
    return blackout
