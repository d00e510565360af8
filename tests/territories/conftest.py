"""Territories for the report tests: the Drôme chain, staff, and communities with bookings made directly."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from bookings.models import Booking, Trip
from communities.models import Membership
from territories.models import Territory, TerritoryConsent, TerritoryStaff
from tests.factories import CommunityFactory, MembershipFactory, UserFactory, VehicleFactory

PARIS = ZoneInfo("Europe/Paris")


def at(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=PARIS)


def book(vehicle, member, starts_at, ends_at, *, km=None, status=Booking.Status.COMPLETED, trip_end=None) -> Booking:
    """A booking and, with ``km``, its completed trip (made directly: the bookings flow is not under test)."""
    booking = Booking.objects.create(
        community=vehicle.community, vehicle=vehicle, member=member, starts_at=starts_at, ends_at=ends_at, status=status
    )
    if km is not None:
        Trip.objects.create(
            booking=booking,
            vehicle=vehicle,
            driver=member,
            start_odometer=1000,
            end_odometer=1000 + km,
            distance_km=km,
            started_at=starts_at,
            ended_at=trip_end or ends_at,
        )
    return booking


def sharing_community(territory, *, name, households=12, listed=False, energy="petrol", since=None):
    """A community of ``households`` members (the first one admin) with one car, sharing with ``territory``."""
    since = since or timezone.now() - timedelta(days=800)
    community = CommunityFactory(name=name, open_data_listed=listed)
    people = []
    for number in range(households):
        user = UserFactory(
            display_name=f"{name} household {number}", email=f"{name.lower().replace(' ', '-')}-{number}@example.org"
        )
        MembershipFactory(
            community=community,
            user=user,
            role=Membership.Role.ADMIN if number == 0 else Membership.Role.MEMBER,
            joined_at=since,
        )
        people.append(user)
    car = VehicleFactory(community=community, owner=people[0], energy=energy)
    type(car).objects.filter(pk=car.pk).update(created_at=since)
    if territory is not None:
        TerritoryConsent.objects.create(community=community, territory=territory, granted_by=people[0])
    return community, people, car


def busy_month(car, people, year: int, month: int, *, trips_each: int = 1, km: int = 30):
    """Every household drives ``trips_each`` times in the month (2 hours, ``km`` km each)."""
    for index, person in enumerate(people):
        for repeat in range(trips_each):
            start = at(year, month, 1 + (index * trips_each + repeat) % 27, 8 + repeat % 8)
            book(car, person, start, start + timedelta(hours=2), km=km)


@pytest.fixture
def drome(db):
    departement = Territory.objects.create(name="Drôme", kind="departement", code="26")
    epci = Territory.objects.create(name="CC du Crestois", kind="epci", code="200040509", parent=departement)
    crest = Territory.objects.create(name="Crest", kind="commune", code="26108", parent=epci)
    aouste = Territory.objects.create(name="Aouste-sur-Sye", kind="commune", code="26011", parent=epci)
    valence = Territory.objects.create(name="Valence", kind="commune", code="26362", parent=departement)
    return {"departement": departement, "epci": epci, "crest": crest, "aouste": aouste, "valence": valence}


def make_staff(territory, email, *, is_admin=False, language="fr"):
    user = UserFactory(email=email, display_name=email.split("@")[0], language=language)
    TerritoryStaff.objects.create(territory=territory, user=user, is_admin=is_admin)
    return user


@pytest.fixture
def crest_staff(drome):
    return make_staff(drome["crest"], "mobilite@mairie-crest.example", is_admin=True)


@pytest.fixture
def valence_staff(drome):
    return make_staff(drome["valence"], "mobilite@mairie-valence.example")
