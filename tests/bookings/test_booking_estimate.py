"""The booking form's estimated cost (issue 12, item 4): the time part plus a per-km example, from the price the
ledger charges for a trip; shown when a link fills the form in, after "See the estimated cost" (no JavaScript,
nothing booked), and as the fragment the form's script asks for."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from bookings.models import Booking
from ledger.services import trip_price
from tests.factories import VehicleFactory

PARIS = ZoneInfo("Europe/Paris")
START = datetime(2027, 3, 10, 14, 0, tzinfo=PARIS)
END = datetime(2027, 3, 10, 18, 30, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _before_the_trip(time_machine):
    time_machine.move_to(datetime(2027, 3, 1, 9, 0, tzinfo=PARIS), tick=False)


@pytest.fixture
def clio(community, owner):
    return VehicleFactory(
        community=community, owner=owner, name="Clio bleue", rate_per_km=Decimal("0.32"), rate_per_hour=Decimal("1.50")
    )


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        user.language = "en"
        user.save(update_fields=["language"])
        client.force_login(user)
        return client

    return sign_in


def times(vehicle) -> dict[str, str]:
    return {"vehicle": str(vehicle.pk), "starts_at": "2027-03-10T14:00", "ends_at": "2027-03-10T18:30"}


def expected_text(vehicle) -> str:
    time_part = trip_price(vehicle=vehicle, km=0, starts_at=START, ends_at=END)
    total = trip_price(vehicle=vehicle, km=50, starts_at=START, ends_at=END)
    assert (time_part, total) == (Decimal("6.75"), Decimal("22.75"))  # 4.5 h × €1.50; + 50 km × €0.32
    return "€6.75 for the time, + €0.32 per km, that is €22.75 for 50 km."


def test_a_link_that_fills_in_the_form_shows_its_estimate(signed_in, community, member, clio):
    url = reverse("booking_create", args=[community.pk])
    html = signed_in(member).get(url, {"vehicle": clio.pk, "start": "2027-03-10T14:00", "end": "2027-03-10T18:30"})
    assert expected_text(clio) in html.content.decode()
    assert "Choose a vehicle and times to see the estimated cost." in signed_in(member).get(url).content.decode()


def test_see_the_estimated_cost_shows_it_on_the_form_and_books_nothing(signed_in, community, member, clio):
    url = reverse("booking_create", args=[community.pk])
    response = signed_in(member).post(url, {**times(clio), "note": "Au marché", "preview": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert expected_text(clio) in html
    assert 'value="2027-03-10T18:30"' in html and "Au marché" in html  # nothing typed is lost
    assert not Booking.objects.exists()

    signed_in(member).post(url, times(clio))  # "Book" still books
    assert Booking.objects.get().vehicle == clio


def test_the_fragment_follows_the_times_and_the_vehicle(signed_in, community, member, owner, clio):
    url = reverse("booking_estimate", args=[community.pk])
    assert expected_text(clio) in signed_in(member).get(url, times(clio)).content.decode()
    half = {**times(clio), "ends_at": "2027-03-10T14:30"}
    assert (
        "€0.75 for the time, + €0.32 per km, that is €16.75 for 50 km."
        in signed_in(member).get(url, half).content.decode()
    )
    backwards = {**times(clio), "ends_at": "2027-03-10T13:00"}
    assert "Choose a vehicle and times" in signed_in(member).get(url, backwards).content.decode()
    own = signed_in(owner).get(url, times(clio)).content.decode()
    assert "your own vehicle: no charge for this trip." in own


def test_the_fragment_is_not_found_for_a_non_member(signed_in, community, outsider, clio):
    response = signed_in(outsider).get(reverse("booking_estimate", args=[community.pk]), times(clio))
    assert response.status_code == 404
