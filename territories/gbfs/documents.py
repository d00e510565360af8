"""The GBFS 3.0 files, built from plain values (no database): https://github.com/MobilityData/gbfs/blob/v3.0/gbfs.md

Each community listed in the open data is one virtual station placed at its commune's centre. Nothing
here names a person, a plate or an address: the values that reach these builders are already public
(the community's name and postal code, a vehicle's kind, energy, make, model and gearbox).
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import partial

from django.utils import translation
from django.utils.text import slugify

from vehicles.models import Vehicle

VERSION = "3.0"
LANGUAGES = ("fr", "en")

# Seconds before a file changes again, as GBFS's ``ttl``; also the files' HTTP cache lifetime.
STATIC_TTL = 3600
LIVE_TTL = 60
TTL = {
    "gbfs": STATIC_TTL,
    "system_information": STATIC_TTL,
    "vehicle_types": STATIC_TTL,
    "station_information": STATIC_TTL,
    "station_status": LIVE_TTL,
    "vehicle_status": LIVE_TTL,
}
# The files every feed publishes, in the order gbfs.json lists them. GBFS requires station_status
# beside station_information; it holds only the stations of communities that chose live availability.
FEED_FILES = tuple(name for name in TTL if name != "gbfs")

PROPULSION: dict[str, str] = {
    Vehicle.Energy.PETROL: "combustion",
    Vehicle.Energy.DIESEL: "combustion_diesel",
    Vehicle.Energy.ELECTRIC: "electric",
    Vehicle.Energy.HYBRID: "hybrid",
    Vehicle.Energy.LPG: "combustion",
    Vehicle.Energy.OTHER: "combustion",
}
# GBFS requires a maximum range for every motorised type and Colocauto does not record one, so each
# type gets a typical, cautious figure for a small car of its energy (stated in the README).
TYPICAL_RANGE_METERS = {
    "combustion": 600_000,
    "combustion_diesel": 800_000,
    "hybrid": 700_000,
    "electric": 250_000,
}
# Vans and utility vehicles are driven with a car licence: GBFS has no closer form factor.
FORM_FACTOR: dict[str, str] = {Vehicle.Kind.CAR: "car", Vehicle.Kind.VAN: "car", Vehicle.Kind.UTILITY: "car"}


class VehicleState(StrEnum):
    AVAILABLE = "available"
    RESERVED = "reserved"  # booked now, not yet picked up
    DISABLED = "disabled"  # in a blackout or outside its availability windows
    IN_USE = "in_use"  # a trip is under way: GBFS leaves vehicles in a rental out of vehicle_status


@dataclass(frozen=True)
class VehicleType:
    kind: str
    energy: str
    make: str
    model: str
    gearbox: str

    @property
    def form_factor(self) -> str:
        return FORM_FACTOR.get(self.kind, "other")

    @property
    def propulsion_type(self) -> str:
        return PROPULSION.get(self.energy, "combustion")

    @property
    def vehicle_type_id(self) -> str:
        parts = (self.form_factor, self.propulsion_type, self.make, self.model, self.gearbox)
        return slugify(" ".join(part for part in parts if part))


def vehicle_type(*, kind: str, energy: str, make: str, model: str, gearbox: str) -> VehicleType:
    """The public type of a vehicle: equal for vehicles whose public features are equal."""
    return VehicleType(
        kind=kind, energy=energy, make=" ".join(make.split()), model=" ".join(model.split()), gearbox=gearbox
    )


@dataclass(frozen=True)
class PublicVehicle:
    vehicle_id: str  # rotates after each trip, as GBFS requires for privacy
    type: VehicleType
    state: VehicleState = VehicleState.AVAILABLE


@dataclass(frozen=True)
class Station:
    """A listed community, as one virtual station at a coarse location."""

    station_id: str
    name: str
    lat: float
    lon: float
    post_code: str
    live: bool
    vehicles: tuple[PublicVehicle, ...] = ()


@dataclass(frozen=True)
class Feed:
    system_id: str
    name: str
    urls: dict[str, str]  # absolute URL of every file in FEED_FILES and of gbfs.json
    manifest_url: str
    site_url: str
    contact_email: str
    license_id: str
    timezone: str
    stations: tuple[Station, ...]
    now: datetime

    @property
    def live_stations(self) -> list[Station]:
        """The stations whose community chose to publish live availability."""
        return [station for station in self.stations if station.live]


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def localized(text: Callable[[], str]) -> list[dict[str, str]]:
    """GBFS's localized string: the text in each published language."""
    values = []
    for language in LANGUAGES:
        with translation.override(language):
            values.append({"text": str(text()), "language": language})
    return values


def same_in_every_language(text: str) -> list[dict[str, str]]:
    """A localized string for a proper name (a community, a make): the same text in each language."""
    return [{"text": text, "language": language} for language in LANGUAGES]


def envelope(name: str, data: dict, *, now: datetime) -> dict:
    return {"last_updated": rfc3339(now), "ttl": TTL.get(name, STATIC_TTL), "version": VERSION, "data": data}


def discovery(feed: Feed) -> dict:
    return {"feeds": [{"name": name, "url": feed.urls[name]} for name in FEED_FILES]}


def system_information(feed: Feed) -> dict:
    return {
        "system_id": feed.system_id,
        "languages": list(LANGUAGES),
        "name": same_in_every_language(feed.name),
        "opening_hours": "24/7",
        "url": feed.site_url,
        "feed_contact_email": feed.contact_email,
        "manifest_url": feed.manifest_url,
        "timezone": feed.timezone,
        "license_id": feed.license_id,
    }


def _type_name(kind_type: VehicleType) -> str:
    described = " ".join(part for part in (kind_type.make, kind_type.model) if part)
    kind = str(Vehicle.Kind(kind_type.kind).label) if kind_type.kind in Vehicle.Kind.values else ""
    energy = str(Vehicle.Energy(kind_type.energy).label) if kind_type.energy in Vehicle.Energy.values else ""
    return f"{described or kind} ({energy})" if energy else described or kind


def _types_of(stations: tuple[Station, ...]) -> dict[str, VehicleType]:
    types: dict[str, VehicleType] = {}
    for station in stations:
        for vehicle in station.vehicles:
            types.setdefault(vehicle.type.vehicle_type_id, vehicle.type)
    return types


def vehicle_types(feed: Feed) -> dict:
    rows = []
    for type_id, kind_type in sorted(_types_of(feed.stations).items()):
        row = {
            "vehicle_type_id": type_id,
            "form_factor": kind_type.form_factor,
            "propulsion_type": kind_type.propulsion_type,
            "name": localized(partial(_type_name, kind_type)),
            "max_range_meters": TYPICAL_RANGE_METERS.get(kind_type.propulsion_type, 600_000),
            "return_constraint": "roundtrip_station",
        }
        if kind_type.make:
            row["make"] = same_in_every_language(kind_type.make)
        if kind_type.model:
            row["model"] = same_in_every_language(kind_type.model)
        if kind_type.gearbox in ("automatic", "manual"):
            row["vehicle_accessories"] = [kind_type.gearbox]
        rows.append(row)
    return {"vehicle_types": rows}


def _count_by_type(vehicles) -> list[dict]:
    counts = Counter(vehicle.type.vehicle_type_id for vehicle in vehicles)
    return [{"vehicle_type_ids": [type_id], "count": count} for type_id, count in sorted(counts.items())]


def station_information(feed: Feed) -> dict:
    stations = []
    for station in feed.stations:
        row = {
            "station_id": station.station_id,
            "name": same_in_every_language(station.name),
            "lat": station.lat,
            "lon": station.lon,
            "is_virtual_station": True,
            "capacity": len(station.vehicles),
            "vehicle_types_capacity": _count_by_type(station.vehicles),
        }
        if station.post_code:
            row["post_code"] = station.post_code
        stations.append(row)
    return {"stations": stations}


def station_status(feed: Feed) -> dict:
    """Availability of the stations whose community chose to publish it; the others are left out."""
    stamp = rfc3339(feed.now)
    stations = []
    for station in feed.live_stations:
        available = Counter(v.type.vehicle_type_id for v in station.vehicles if v.state == VehicleState.AVAILABLE)
        types = sorted({vehicle.type.vehicle_type_id for vehicle in station.vehicles})
        stations.append(
            {
                "station_id": station.station_id,
                "num_vehicles_available": sum(available.values()),
                "vehicle_types_available": [{"vehicle_type_id": t, "count": available[t]} for t in types],
                "num_vehicles_disabled": sum(1 for v in station.vehicles if v.state == VehicleState.DISABLED),
                "is_installed": True,
                "is_renting": True,
                "is_returning": True,
                "last_reported": stamp,
            }
        )
    return {"stations": stations}


def vehicle_status(feed: Feed) -> dict:
    """The vehicles of live stations that are not out on a trip, placed at their station only."""
    stamp = rfc3339(feed.now)
    vehicles = [
        {
            "vehicle_id": vehicle.vehicle_id,
            "station_id": station.station_id,
            "vehicle_type_id": vehicle.type.vehicle_type_id,
            "is_reserved": vehicle.state == VehicleState.RESERVED,
            "is_disabled": vehicle.state == VehicleState.DISABLED,
            "last_reported": stamp,
        }
        for station in feed.live_stations
        for vehicle in station.vehicles
        if vehicle.state != VehicleState.IN_USE
    ]
    return {"vehicles": vehicles}


BUILDERS: dict[str, Callable[[Feed], dict]] = {
    "gbfs": discovery,
    "system_information": system_information,
    "vehicle_types": vehicle_types,
    "station_information": station_information,
    "station_status": station_status,
    "vehicle_status": vehicle_status,
}


def document(name: str, feed: Feed) -> dict:
    """The whole file ``name``.json of ``feed``."""
    return envelope(name, BUILDERS[name](feed), now=feed.now)


def manifest(datasets: list[tuple[str, str]], *, now: datetime) -> dict:
    """manifest.json: every system (the instance, each territory) as (system_id, gbfs.json URL)."""
    data = {"datasets": [{"system_id": sid, "versions": [{"version": VERSION, "url": url}]} for sid, url in datasets]}
    return envelope("manifest", data, now=now)
