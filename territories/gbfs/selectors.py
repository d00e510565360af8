"""Reads behind the open-data feed, in a fixed number of queries whatever the number of communities.

Only communities with ``open_data_listed`` appear, and live figures only for those that also chose
``open_data_live``. A station sits at the centre of the community's commune (the commune territory
whose code is the community's INSEE code). A community without one falls back to the centre of the
0.1° grid cell (about 11 × 8 km) around its vehicles, moved to a corner of the cell if that centre lies
within 200 m of one of them; a community with neither is left out of the feed.
"""

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.text import slugify

from bookings.availability import unavailable_periods
from bookings.models import Booking, Trip
from communities.models import Community
from territories.gbfs import documents
from territories.gbfs.documents import Feed, PublicVehicle, Station, VehicleState, vehicle_type
from territories.models import Territory, TerritoryConsent
from territories.selectors import MAX_DEPTH, territory_tree
from vehicles.models import Blackout, Vehicle

GRID_DEGREES = Decimal("0.1")
MIN_DISTANCE_M = 200
# The files that need the stations, and those that need live figures too.
STATION_FILES = {"vehicle_types", "station_information"}
LIVE_FILES = {"station_status", "vehicle_status"}


def territory_key(territory: Territory) -> str:
    """The territory's part of its feed's URL: its official code, or ``id-<pk>`` for one without."""
    return territory.code or f"id-{territory.pk}"


def territory_for_key(key: str) -> Territory:
    if key.startswith("id-") and key[3:].isdigit():
        territory = Territory.objects.filter(pk=int(key[3:]), code="").first()
    else:
        territory = Territory.objects.filter(code=key).first()
    if territory is None:
        raise Http404("No such territory.")
    return territory


def system_id(territory: Territory | None = None) -> str:
    host = urlsplit(settings.SITE_URL).netloc
    base = settings.GBFS_SYSTEM_ID or slugify(f"colocauto {host}".replace(".", " ").replace(":", " "))
    return base if territory is None else f"{base}-territory-{slugify(territory_key(territory))}"


def _absolute(url_name: str, **kwargs) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(url_name, kwargs=kwargs)


def file_urls(territory: Territory | None = None) -> dict[str, str]:
    if territory is None:
        return {name: _absolute(f"gbfs_{name}") for name in ("gbfs", *documents.FEED_FILES)}
    key = territory_key(territory)
    return {name: _absolute(f"gbfs_territory_{name}", key=key) for name in ("gbfs", *documents.FEED_FILES)}


def listed_communities(*, territory: Territory | None = None, live_only: bool = False) -> QuerySet[Community]:
    """The communities listed in the instance's feed, or in ``territory``'s: those that also consent (now)
    to share figures with it or with a territory inside it."""
    communities = Community.objects.filter(open_data_listed=True)
    if live_only:
        communities = communities.filter(open_data_live=True)
    if territory is not None:
        consents = TerritoryConsent.objects.filter(
            community=OuterRef("pk"), territory_id__in=territory_tree(territory).ids, withdrawn_at__isnull=True
        )
        communities = communities.filter(Exists(consents))
    return communities


def feed(*, name: str, territory: Territory | None = None, now: datetime) -> Feed:
    """Everything file ``name`` of the instance's (or ``territory``'s) feed shows, read for that file only."""
    stations: tuple[Station, ...] = ()
    if name in STATION_FILES | LIVE_FILES:
        live = name in LIVE_FILES
        stations = _stations(listed_communities(territory=territory, live_only=live), now=now, live=live)
    title = settings.GBFS_SYSTEM_NAME if territory is None else f"{settings.GBFS_SYSTEM_NAME} – {territory.name}"
    return Feed(
        system_id=system_id(territory),
        name=title,
        urls=file_urls(territory),
        manifest_url=_absolute("gbfs_manifest"),
        site_url=settings.SITE_URL,
        contact_email=settings.GBFS_CONTACT_EMAIL,
        license_id=settings.GBFS_LICENSE_ID,
        timezone=settings.TIME_ZONE,
        stations=stations,
        now=now,
    )


def manifest_datasets() -> list[tuple[str, str]]:
    """(system_id, gbfs.json URL) of the instance and of every territory with at least one listed community."""
    consented = set(
        TerritoryConsent.objects.filter(withdrawn_at__isnull=True, community__open_data_listed=True)
        .values_list("territory_id", flat=True)
        .distinct()
    )
    territories: dict[int, Territory] = {}
    frontier = consented
    for _depth in range(MAX_DEPTH):
        if not frontier:
            break
        found = list(Territory.objects.filter(pk__in=frontier).only("pk", "code", "parent_id"))
        territories.update((territory.pk, territory) for territory in found)
        frontier = {t.parent_id for t in found if t.parent_id is not None and t.parent_id not in territories}
    datasets = [(system_id(), _absolute("gbfs_gbfs"))]
    for territory in sorted(territories.values(), key=territory_key):
        datasets.append((system_id(territory), _absolute("gbfs_territory_gbfs", key=territory_key(territory))))
    return datasets


@dataclass
class _Place:
    lat: Decimal
    lon: Decimal


def _stations(communities: QuerySet[Community], *, now: datetime, live: bool) -> tuple[Station, ...]:
    """The stations of ``communities``; with ``live``, each vehicle's state now (read for live communities only)."""
    rows = list(
        communities.order_by("pk").values("pk", "name", "postal_code", "insee_code", "open_data_live", "time_zone")
    )
    codes = {row["insee_code"] for row in rows if row["insee_code"]}
    centres = {
        code: _Place(lat, lon)
        for code, lat, lon in Territory.objects.filter(
            kind=Territory.Kind.COMMUNE, code__in=codes, latitude__isnull=False, longitude__isnull=False
        ).values_list("code", "latitude", "longitude")
    }
    queryset = Vehicle.objects.filter(community__in=communities, is_active=True).order_by("pk")
    if live:
        queryset = _with_live_state(queryset, now=now)
    vehicles = list(
        queryset.only("pk", "community_id", "kind", "energy", "make", "model", "gearbox", "latitude", "longitude")
    )
    disabled = _unavailable_now(vehicles, rows, now=now) if live else set()
    by_community: dict[int, list[Vehicle]] = defaultdict(list)
    for vehicle in vehicles:
        by_community[vehicle.community_id].append(vehicle)

    stations = []
    for row in rows:
        own = by_community[row["pk"]]
        place = centres.get(row["insee_code"]) or _coarse_place(own)
        if place is None:
            continue
        stations.append(
            Station(
                station_id=str(row["pk"]),
                name=row["name"],
                lat=round(float(place.lat), 5),
                lon=round(float(place.lon), 5),
                post_code=row["postal_code"],
                live=row["open_data_live"],
                vehicles=tuple(_public(vehicle, live=live, disabled=disabled) for vehicle in own),
            )
        )
    return tuple(stations)


def _with_live_state(vehicles: QuerySet[Vehicle], *, now: datetime) -> QuerySet[Vehicle]:
    holding_now = Booking.objects.filter(
        vehicle=OuterRef("pk"),
        status__in=[Booking.Status.REQUESTED, Booking.Status.CONFIRMED],
        starts_at__lte=now,
        ends_at__gt=now,
    )
    in_trip = Booking.objects.filter(vehicle=OuterRef("pk"), status=Booking.Status.IN_PROGRESS)
    last_trip = Trip.objects.filter(vehicle=OuterRef("pk")).order_by("-pk").values("pk")[:1]
    blackouts = Blackout.objects.filter(starts_at__lte=now, ends_at__gt=now)
    return vehicles.annotate(
        is_reserved_now=Exists(holding_now), is_in_trip=Exists(in_trip), last_trip_id=Subquery(last_trip)
    ).prefetch_related("availability_windows", Prefetch("blackouts", queryset=blackouts))


def _unavailable_now(vehicles: list[Vehicle], rows: Sequence[Mapping[str, Any]], *, now: datetime) -> set[int]:
    """Vehicles in a blackout or outside their weekly windows right now (windows read in the community's zone)."""
    zone_of = {row["pk"]: row["time_zone"] for row in rows}
    by_zone: dict[str, list[Vehicle]] = defaultdict(list)
    for vehicle in vehicles:
        by_zone[zone_of[vehicle.community_id]].append(vehicle)
    unavailable: set[int] = set()
    for zone, group in by_zone.items():
        periods = unavailable_periods(
            vehicles=group, range_start=now, range_end=now + timedelta(seconds=1), tz=ZoneInfo(zone)
        )
        unavailable.update(pk for pk, spans in periods.items() if spans)
    return unavailable


def _public(vehicle: Any, *, live: bool, disabled: set[int]) -> PublicVehicle:
    """``vehicle``: a Vehicle, annotated by ``_with_live_state`` when ``live``."""
    kind = vehicle_type(
        kind=vehicle.kind, energy=vehicle.energy, make=vehicle.make, model=vehicle.model, gearbox=vehicle.gearbox
    )
    if not live:
        return PublicVehicle(vehicle_id="", type=kind)
    if vehicle.is_in_trip:
        state = VehicleState.IN_USE
    elif vehicle.is_reserved_now:
        state = VehicleState.RESERVED
    elif vehicle.pk in disabled:
        state = VehicleState.DISABLED
    else:
        state = VehicleState.AVAILABLE
    # A new identifier after each trip, so nobody can follow one car from day to day (GBFS requires it).
    rotating = salted_hmac("territories.gbfs.vehicle", f"{vehicle.pk}:{vehicle.last_trip_id or 0}").hexdigest()[:20]
    return PublicVehicle(vehicle_id=rotating, type=kind, state=state)


def _coarse_place(vehicles: list[Vehicle]) -> _Place | None:
    """The centre of the 0.1° cell around the vehicles, or a corner of it if the centre is within 200 m of one."""
    spots = [(v.latitude, v.longitude) for v in vehicles if v.latitude is not None and v.longitude is not None]
    if not spots:
        return None
    lat = sum(s[0] for s in spots) / len(spots)
    lon = sum(s[1] for s in spots) / len(spots)
    south = (lat / GRID_DEGREES).to_integral_value(rounding=ROUND_FLOOR) * GRID_DEGREES
    west = (lon / GRID_DEGREES).to_integral_value(rounding=ROUND_FLOOR) * GRID_DEGREES
    half = GRID_DEGREES / 2
    candidates = [(south + half, west + half), (south, west), (south, west + GRID_DEGREES)]
    candidates += [(south + GRID_DEGREES, west), (south + GRID_DEGREES, west + GRID_DEGREES)]
    for candidate in candidates:
        if all(_metres(candidate, spot) >= MIN_DISTANCE_M for spot in spots):
            return _Place(*candidate)
    return None


def _metres(a: tuple[Decimal, Decimal], b: tuple[Decimal, Decimal]) -> float:
    """Distance on the sphere (haversine), in metres."""
    lat1, lon1, lat2, lon2 = (math.radians(float(x)) for x in (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))
