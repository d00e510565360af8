"""Demo data for the territories' reports, called by ``seed_demo``: the Drôme chain, a few more
communities with 14 months of trips, their consents, the monthly roll-up and a territory-staff login.

Idempotent: territories are matched by code, communities by name, people by e-mail; a community's
history is written once.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.utils import timezone

from bookings.models import Booking, Trip
from communities.models import Community, Membership, User
from ledger import services as ledger_services
from territories.management.commands.import_territories import read_rows
from territories.models import Territory, TerritoryConsent, TerritoryStaff
from territories.periods import last_months
from territories.reports import rollup_ensure
from territories.rollup import usage_rollup_refresh
from territories.services import territories_import
from vehicles.models import Vehicle

CSV = Path(__file__).resolve().parent / "data" / "drome_demo.csv"
STAFF_EMAIL = "mairie@example.org"
STAFF_NAME = "Mairie de Crest"
HISTORY_MONTHS = 14
ZONE = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class DemoCommunity:
    name: str
    municipality: str
    insee_code: str
    households: int
    vehicles: tuple[tuple[str, str, str, str], ...]  # (name, energy, make, model)
    bookings_per_household: tuple[int, int]  # each month, at least / at most
    listed: bool


COMMUNITIES = (
    DemoCommunity(
        "Autopartage du Quai",
        "Crest",
        "26108",
        7,
        (("Clio du quai", "petrol", "Renault", "Clio"), ("Zoé du quai", "electric", "Renault", "Zoe")),
        (1, 3),
        True,
    ),
    DemoCommunity(
        "Roulons ensemble",
        "Crest",
        "26108",
        6,
        (("Auris", "hybrid", "Toyota", "Auris"), ("Berlingo", "diesel", "Citroën", "Berlingo")),
        (1, 3),
        False,
    ),
    DemoCommunity(
        "Les Voisins de la Sye", "Aouste-sur-Sye", "26011", 4, (("C3", "petrol", "Citroën", "C3"),), (0, 2), False
    ),
    DemoCommunity(
        "Saillans Autopartage", "Saillans", "26289", 3, (("Twingo", "petrol", "Renault", "Twingo"),), (0, 2), True
    ),
)


def seed_territories(*, tilleuls: Community, tilleuls_admin: Membership, password: str) -> User:
    """Everything above; returns the territory-staff demo user."""
    territories_import(rows=read_rows(CSV))
    crest = Territory.objects.get(code="26108")
    epci = crest.parent
    _consent(tilleuls, crest, tilleuls_admin.user)
    if tilleuls.insee_code != "26108":
        Community.objects.filter(pk=tilleuls.pk).update(insee_code="26108")
    created = False
    for spec in COMMUNITIES:
        community, admin, was_created = _community(spec)
        created |= was_created
        _consent(community, Territory.objects.get(code=spec.insee_code), admin)
    staff = _person(STAFF_EMAIL, STAFF_NAME, password)
    TerritoryStaff.objects.get_or_create(territory=crest, user=staff, defaults={"is_admin": True})
    TerritoryStaff.objects.get_or_create(territory=epci, user=staff, defaults={"is_admin": False})
    months = [period.start for period in last_months(timezone.localdate(), 24)]
    if created:
        for month in months:
            usage_rollup_refresh(month=month)
    else:
        rollup_ensure(months)
    return staff


def _consent(community: Community, territory: Territory, user: User) -> None:
    if not TerritoryConsent.objects.filter(community=community, territory=territory, withdrawn_at=None).exists():
        TerritoryConsent.objects.create(community=community, territory=territory, granted_by=user)


def _person(email: str, name: str, password: str | None) -> User:
    """A demo person; without ``password`` one who never logs in (hashing costs most of the seed's time)."""
    user, created = User.objects.get_or_create(email=email, defaults={"display_name": name, "language": "fr"})
    if password is None:
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
    elif created or not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"primary": True, "verified": True})
    return user


def _community(spec: DemoCommunity) -> tuple[Community, User, bool]:
    since = timezone.now() - timedelta(days=31 * (HISTORY_MONTHS + 1))
    slug = spec.name.lower().replace(" ", "-").replace("'", "")
    people = [
        _person(f"demo-{slug}-{number}@example.org", f"{spec.name} {number}", None)
        for number in range(1, spec.households + 1)
    ]
    existing = Community.objects.filter(name=spec.name).first()
    if existing is not None:
        return existing, people[0], False
    community = Community.objects.create(
        name=spec.name,
        municipality=spec.municipality,
        postal_code="26400" if spec.municipality != "Saillans" else "26340",
        insee_code=spec.insee_code,
        open_data_listed=spec.listed,
        created_by=people[0],
    )
    Community.objects.filter(pk=community.pk).update(created_at=since)
    Membership.objects.bulk_create(
        Membership(
            community=community,
            user=person,
            role=Membership.Role.ADMIN if index == 0 else Membership.Role.MEMBER,
            status=Membership.Status.ACTIVE,
            requested_at=since,
            joined_at=since,
        )
        for index, person in enumerate(people)
    )
    for index, (name, energy, make, model) in enumerate(spec.vehicles):
        vehicle = Vehicle.objects.create(
            community=community,
            owner=people[1 + index],  # lent by a member; the others pay per km
            name=name,
            energy=energy,
            make=make,
            model=model,
            rate_per_km=Decimal("0.250"),
            odometer_km=20000,
        )
        Vehicle.objects.filter(pk=vehicle.pk).update(created_at=since)
    _history(community, people, spec)
    return community, people[0], True


def _history(community: Community, people: list[User], spec: DemoCommunity) -> None:
    """Completed bookings and trips over the last months (written directly: the demo needs volume);
    the last two months' trips are charged through the ledger, so the cost per km is real."""
    chance = random.Random(spec.name)  # noqa: S311 - demo figures, not secrets
    vehicles = list(community.vehicles.order_by("pk"))
    odometer = {vehicle.pk: vehicle.odometer_km for vehicle in vehicles}
    months = last_months(timezone.localdate(), HISTORY_MONTHS)
    bookings, trips = [], []
    for period in months:
        month: date = period.start
        for person in people:
            for _booking in range(chance.randint(*spec.bookings_per_household)):
                vehicle = chance.choice(vehicles)
                starts_at = datetime.combine(
                    month.replace(day=chance.randint(1, 27)), time(chance.randint(7, 15)), ZONE
                )
                ends_at = starts_at + timedelta(hours=chance.randint(2, 8))
                km = chance.randint(8, 90)
                bookings.append(
                    Booking(
                        community=community,
                        vehicle=vehicle,
                        member=person,
                        starts_at=starts_at,
                        ends_at=ends_at,
                        status=Booking.Status.COMPLETED,
                    )
                )
                trips.append(
                    Trip(
                        vehicle=vehicle,
                        driver=person,
                        start_odometer=odometer[vehicle.pk],
                        end_odometer=odometer[vehicle.pk] + km,
                        distance_km=km,
                        duration=ends_at - starts_at,
                        started_at=starts_at,
                        ended_at=ends_at,
                    )
                )
                odometer[vehicle.pk] += km
    for booking, trip in zip(Booking.objects.bulk_create(bookings), trips, strict=True):
        trip.booking = booking
    trips = Trip.objects.bulk_create(trips)
    for vehicle in vehicles:
        Vehicle.objects.filter(pk=vehicle.pk).update(odometer_km=odometer[vehicle.pk])
    recent = months[-2].start
    for trip in trips:
        if trip.ended_at is not None and trip.ended_at.date() >= recent:
            ledger_services.trip_charge(trip=trip)
