"""Parallel POST /bookings/ for one slot against real PostgreSQL: exactly one 201, and a 409
``booking_conflict`` naming the winner's interval for every other request."""

from datetime import datetime
from functools import partial

import pytest
from rest_framework.test import APIClient

from bookings.models import Booking
from tests.bookings.conftest import local
from tests.factories import CommunityFactory, MembershipFactory, UserFactory, VehicleFactory
from tests.ledger.test_concurrency import in_parallel

pytestmark = [
    pytest.mark.postgres("exclusion constraint"),
    pytest.mark.django_db(transaction=True),
]

THREADS = 8


def test_parallel_posts_for_one_slot_give_one_201_and_409s(token_of):
    community = CommunityFactory(owner_approval_required=False)
    vehicle = VehicleFactory(community=community)
    tokens = [token_of(MembershipFactory(community=community, user=UserFactory()).user) for _ in range(THREADS)]
    url = f"/api/v1/communities/{community.pk}/bookings/"
    body = {"vehicle": vehicle.pk, "starts_at": local(3, 10).isoformat(), "ends_at": local(3, 12).isoformat()}

    def post(token: str):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client.post(url, body, format="json")

    responses = in_parallel(None, each=[partial(post, token) for token in tokens])

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * (THREADS - 1)
    booking = Booking.objects.get(vehicle=vehicle)
    for response in responses:
        if response.status_code == 409:
            refusal = response.json()
            assert refusal["code"] == "booking_conflict"
            # The refusal names the winner once it has committed (the service waits for it, under a second).
            if "params" in refusal:
                assert datetime.fromisoformat(refusal["params"]["starts_at"]) == booking.starts_at
                assert datetime.fromisoformat(refusal["params"]["ends_at"]) == booking.ends_at
