"""Parallel POST /bookings/ for one slot against real PostgreSQL: exactly one 201, and a 409
``booking_conflict`` naming the winner's interval for every other request."""

import threading
from datetime import datetime

import pytest
from django.db import connections
from rest_framework.test import APIClient

from bookings.models import Booking
from tests.bookings.conftest import local
from tests.factories import CommunityFactory, MembershipFactory, UserFactory, VehicleFactory

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
    barrier = threading.Barrier(THREADS)
    responses: list = [None] * THREADS

    def post(index: int) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens[index]}")
        try:
            barrier.wait(timeout=10)
            responses[index] = client.post(url, body, format="json")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * (THREADS - 1)
    booking = Booking.objects.get(vehicle=vehicle)
    for response in responses:
        if response.status_code == 409:
            body = response.json()
            assert body["code"] == "booking_conflict"
            # The refusal names the winner when it has committed (it is waited for, under a second).
            if "params" in body:
                assert datetime.fromisoformat(body["params"]["starts_at"]) == booking.starts_at
                assert datetime.fromisoformat(body["params"]["ends_at"]) == booking.ends_at
