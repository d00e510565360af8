"""API test fixtures: a DRF client, personal access tokens, and the fixed world of the permission matrix."""

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import AccessToken
from api.tokens import token_create
from bookings.models import Booking
from communities.models import Invitation, Membership
from territories.models import Territory, TerritoryStaff
from tests.factories import ExpenseFactory, MembershipFactory, TransferFactory, UserFactory, book
from tests.helpers import image_bytes
from vehicles.models import Blackout


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def token_of():
    """``token_of(user, scope="write")`` → the value to send as ``Authorization: Bearer …``."""

    def make(user, scope=AccessToken.Scope.WRITE, **fields):
        return token_create(user=user, name=fields.pop("name", "test"), scope=scope, **fields)[1]

    return make


@pytest.fixture
def as_user(api, token_of):
    """``as_user(user)`` → an API client sending a read-write token of ``user``."""

    def make(user, scope=AccessToken.Scope.WRITE):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_of(user, scope)}")
        return client

    return make


@pytest.fixture
def territory_staff(db):
    territory = Territory.objects.create(name="Crest", kind="commune", code="26108")
    user = UserFactory(email="mobilite@mairie-crest.example", display_name="Mairie")
    TerritoryStaff.objects.create(territory=territory, user=user, is_admin=True)
    return user


@dataclass
class World:
    """One of each object an endpoint may be about, in ``community``; ``member`` booked ``booking``
    (requested), ``owner`` owns ``vehicle``, ``admin`` administers the community."""

    community: object
    vehicle: object
    booking: object
    pending: object
    member_membership: object
    invitation: object
    blackout: object
    expense: object
    transfer: object
    territory: object
    extras: dict = field(default_factory=dict)


@pytest.fixture
def world(community, admin_user, owner, member, outsider, vehicle, territory_staff):
    start = timezone.now() + timedelta(days=2)
    vehicle.photo.save("car.png", SimpleUploadedFile("car.png", image_bytes()), save=True)
    booking = book(vehicle, member, start, hours=3, status=Booking.Status.REQUESTED)
    expense = ExpenseFactory(vehicle=vehicle, paid_by=member, spent_on=timezone.localdate() - timedelta(days=1))
    return World(
        community=community,
        vehicle=vehicle,
        booking=booking,
        pending=MembershipFactory(community=community, pending=True),
        member_membership=Membership.objects.get(community=community, user=member),
        invitation=Invitation.objects.create(community=community, created_by=admin_user),
        blackout=Blackout.objects.create(
            vehicle=vehicle, starts_at=start + timedelta(days=5), ends_at=start + timedelta(days=6), reason="garage"
        ),
        expense=expense,
        transfer=TransferFactory(
            period__community=community, period__month=date(2026, 1, 1), paid_by=owner, paid_to=member
        ),
        territory=TerritoryStaff.objects.get(user=territory_staff).territory,
    )
