""" "Find a free car" (issue 12, item 2): the one-tap slots, which vehicles are listed for a slot, the estimated
cost, and booking from the list (a refusal said on the page, never a 500)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from bookings import services
from bookings.finder import preset_slot
from bookings.models import Booking
from tests.bookings.conftest import membership_of
from tests.factories import VehicleFactory, book
from vehicles.models import AvailabilityWindow, Blackout

PARIS = ZoneInfo("Europe/Paris")
WEDNESDAY = datetime(2026, 12, 2, 10, 7, tzinfo=PARIS)


def paris(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("preset", "now", "expected"),
    [
        ("soon", paris(2, 10, 7), (paris(2, 10, 15), paris(2, 12, 15))),
        ("soon", paris(2, 10, 15), (paris(2, 10, 15), paris(2, 12, 15))),
        ("soon", paris(2, 23, 50), (paris(3, 0, 0), paris(3, 2, 0))),
        ("tonight", paris(2, 10, 7), (paris(2, 18), paris(2, 23))),
        ("tonight", paris(2, 19, 1), (paris(2, 19, 15), paris(2, 23))),
        ("tonight", paris(2, 21, 59), (paris(2, 22), paris(2, 23))),
        ("tonight", paris(2, 22, 0), (paris(3, 18), paris(3, 23))),
        ("tonight", paris(2, 23, 30), (paris(3, 18), paris(3, 23))),
        ("weekend", paris(2, 10, 7), (paris(5, 9), paris(6, 20))),
        ("weekend", paris(5, 7, 0), (paris(5, 9), paris(6, 20))),
        ("weekend", paris(5, 11, 20), (paris(5, 11, 30), paris(6, 20))),
        ("weekend", paris(6, 8, 0), (paris(6, 9), paris(6, 20))),
        ("weekend", paris(6, 14, 50), (paris(6, 15), paris(6, 20))),
        ("weekend", paris(6, 20, 0), (paris(12, 9), paris(13, 20))),
    ],
)
def test_presets(preset, now, expected):
    assert preset_slot(preset, now=now, tz=PARIS) == expected


def test_presets_read_the_clock_in_the_community_time_zone():
    # 21:30 in UTC is 22:30 in Paris: too late for tonight there, so tomorrow evening.
    now = datetime(2026, 12, 2, 21, 30, tzinfo=UTC)
    assert preset_slot("tonight", now=now, tz=PARIS) == (paris(3, 18), paris(3, 23))
    assert preset_slot("tonight", now=now, tz=ZoneInfo("America/Montreal")) == (
        datetime(2026, 12, 2, 18, tzinfo=ZoneInfo("America/Montreal")),
        datetime(2026, 12, 2, 23, tzinfo=ZoneInfo("America/Montreal")),
    )


def test_two_hours_stay_two_hours_across_the_change_of_clock():
    start, end = preset_slot("soon", now=datetime(2026, 10, 25, 1, 50, tzinfo=PARIS), tz=PARIS)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=2)


def find_url(community, **query):
    url = reverse("booking_find", args=[community.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def fleet(community, owner, vehicle):
    """The Clio (free), a Zoé booked tonight, a Twingo closed in the evening, a Kangoo in the garage, a paused C3."""
    zoe = VehicleFactory(community=community, owner=owner, name="Zoé")
    twingo = VehicleFactory(community=community, owner=owner, name="Twingo")
    kangoo = VehicleFactory(community=community, owner=owner, name="Kangoo")
    paused = VehicleFactory(community=community, owner=owner, name="C3 en pause", is_active=False)
    book(zoe, owner, paris(2, 20), paris(2, 21))
    for day in range(7):
        AvailabilityWindow.objects.create(vehicle=twingo, weekday=day, start_time="08:00", end_time="19:00")
    Blackout.objects.create(vehicle=kangoo, starts_at=paris(2, 12), ends_at=paris(4, 12), reason="Garage")
    return {"clio": vehicle, "zoe": zoe, "twingo": twingo, "kangoo": kangoo, "paused": paused}


def names(response) -> list[str]:
    return [offer["vehicle"].name for offer in response.context["offers"]]


@pytest.mark.time_machine(WEDNESDAY, tick=False)
def test_tonight_lists_only_the_vehicles_free_for_the_whole_slot(client, member, community, fleet):
    client.force_login(member)
    response = client.get(find_url(community, when="tonight"))
    assert response.status_code == 200
    assert names(response) == ["Clio bleue"]
    assert response.context["found"].taken == 3
    html = response.content.decode()
    assert 'aria-current="true"' in html
    assert 'name="starts_at" value="2026-12-02T18:00"' in html
    assert 'name="ends_at" value="2026-12-02T23:00"' in html


@pytest.mark.time_machine(WEDNESDAY, tick=False)
def test_a_chosen_slot_lists_the_vehicles_free_then(client, member, community, fleet):
    client.force_login(member)
    response = client.get(find_url(community, starts_at="2026-12-02T09:00", ends_at="2026-12-02T11:00"))
    # Now 10:07: the start is in the past beyond the grace: the slot itself is refused, said once.
    assert response.context["offers"] == []
    assert response.context["found"].slot_refusal
    response = client.get(find_url(community, starts_at="2026-12-05T09:00", ends_at="2026-12-05T11:00"))
    assert names(response) == ["Clio bleue", "Kangoo", "Twingo", "Zoé"]


@pytest.mark.time_machine(WEDNESDAY, tick=False)
def test_the_rules_and_the_estimate_are_shown(client, member, community, fleet):
    community.owner_approval_required = True
    community.save()
    clio = fleet["clio"]
    clio.rate_per_km, clio.rate_per_hour = Decimal("0.200"), Decimal("0.500")
    clio.save()
    client.force_login(member)
    response = client.get(find_url(community, when="tonight"))
    (offer,) = response.context["offers"]
    # 50 km × 0.20 € + 5 h × 0.50 €, as the trip charge computes it.
    assert offer["estimate"] == Decimal("12.50")
    assert offer["confirmed_at_once"] is False
    html = response.content.decode()
    assert "12,50" in html
    assert "50\u00a0km" in html  # French typography: a non-breaking space before the unit


@pytest.mark.time_machine(WEDNESDAY, tick=False)
def test_no_estimate_for_the_owner_driving_their_own_car(client, owner, community, fleet):
    client.force_login(owner)
    response = client.get(find_url(community, when="tonight"))
    (offer,) = response.context["offers"]
    assert offer["estimate"] is None
    assert offer["confirmed_at_once"] is True


def test_a_non_member_gets_404(client, outsider, community):
    client.force_login(outsider)
    assert client.get(find_url(community, when="tonight")).status_code == 404
    assert client.post(find_url(community), {}).status_code == 404


@pytest.mark.time_machine(WEDNESDAY, tick=False)
def test_booking_from_the_list(client, member, community, fleet):
    client.force_login(member)
    data = {"vehicle": fleet["clio"].pk, "starts_at": "2026-12-02T18:00", "ends_at": "2026-12-02T23:00"}
    response = client.post(find_url(community), data)
    booking = Booking.objects.get(vehicle=fleet["clio"], member=member)
    assert response.status_code == 302
    assert response.url == reverse("booking_detail", args=[community.pk, booking.pk])
    assert (booking.starts_at, booking.ends_at) == (paris(2, 18), paris(2, 23))


@pytest.mark.time_machine(WEDNESDAY, tick=False)
def test_a_slot_taken_meanwhile_is_said_on_the_find_page(client, member, owner, community, fleet):
    client.force_login(member)
    services.booking_create(
        membership=membership_of(owner, community), vehicle=fleet["clio"], starts_at=paris(2, 19), ends_at=paris(2, 20)
    )
    data = {"vehicle": fleet["clio"].pk, "starts_at": "2026-12-02T18:00", "ends_at": "2026-12-02T23:00"}
    response = client.post(find_url(community), data, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith(reverse("booking_find", args=[community.pk]))
    assert "already booked" in response.content.decode() or "déjà réservé" in response.content.decode()
    assert names(response) == []
    assert not Booking.objects.filter(member=member).exists()


@pytest.mark.time_machine(WEDNESDAY, tick=False)
def test_a_paused_vehicle_cannot_be_booked_from_a_stale_list(client, member, community, fleet):
    client.force_login(member)
    data = {"vehicle": fleet["paused"].pk, "starts_at": "2026-12-02T18:00", "ends_at": "2026-12-02T23:00"}
    response = client.post(find_url(community), data, follow=True)
    assert response.status_code == 200
    assert list(response.context["messages"])
    assert not Booking.objects.filter(member=member).exists()


@pytest.mark.time_machine(WEDNESDAY, tick=False)
def test_the_overview_leads_to_the_find_page(client, member, community):
    client.force_login(member)
    html = client.get(reverse("community_detail", args=[community.pk])).content.decode()
    assert f'class="button overview-book" href="{reverse("booking_find", args=[community.pk])}"' in html
