"""Who may change a vehicle (vehicles.rules), the stable codes of vehicle refusals, and where pages show them."""

from datetime import time, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking
from colocauto.core.errors import DomainError, NotAllowed
from colocauto.core.web import attempt
from communities.models import Membership, User
from tests.helpers import image_bytes
from vehicles import rules, services
from vehicles.exceptions import InvalidBlackout, InvalidPhoto, InvalidVehicle
from vehicles.forms import WindowFormSet

BASIC = {"name": "Kangoo", "kind": "van", "energy": "diesel", "seats": 5, "gearbox": "manual", "odometer_km": 1000}


def membership_of(user, community):
    return Membership.objects.get(user=user, community=community, status=Membership.Status.ACTIVE)


@pytest.fixture(autouse=True)
def _english(people):
    User.objects.filter(pk__in=[p.pk for p in people.values() if p]).update(language="en")


def test_admins_and_the_owner_manage_a_vehicle_and_nobody_else(community, admin_user, owner, member, vehicle):
    assert rules.can_manage(membership_of(admin_user, community), vehicle)
    assert rules.can_manage(membership_of(owner, community), vehicle)
    assert not rules.can_manage(membership_of(member, community), vehicle)
    former = membership_of(owner, community)
    former.status = Membership.Status.LEFT
    assert not rules.can_manage(former, vehicle)


def test_vehicle_refusals_carry_stable_codes(community, admin_user, member, owner, vehicle):
    mine, theirs = membership_of(member, community), membership_of(owner, community)
    later = timezone.now() + timedelta(days=2)
    cases = {
        "vehicle_manager_only": lambda: services.vehicle_set_active(membership=mine, vehicle=vehicle, active=False),
        "vehicle_owner_admin_only": lambda: services.vehicle_create(membership=mine, data={**BASIC, "owner": owner}),
        "implausible_rate": lambda: services.vehicle_update(
            membership=theirs, vehicle=vehicle, data={"rate_per_km": "22"}
        ),
        "blackout_ends_before_start": lambda: services.blackout_add(
            membership=theirs, vehicle=vehicle, starts_at=later, ends_at=later - timedelta(hours=1)
        ),
        "blackout_over": lambda: services.blackout_add(
            membership=theirs, vehicle=vehicle, starts_at=later - timedelta(days=9), ends_at=later - timedelta(days=8)
        ),
        "invalid_availability": lambda: services.window_add(
            membership=theirs, vehicle=vehicle, weekday=1, start_time=time(18), end_time=time(9)
        ),
        "invalid_photo": lambda: services.vehicle_create(
            membership=mine, data=BASIC, photo=SimpleUploadedFile("car.jpg", b"not a picture")
        ),
    }
    for code, call in cases.items():
        with pytest.raises(DomainError) as refusal:
            call()
        assert refusal.value.code == code
    assert isinstance(refusal.value, InvalidPhoto) and InvalidPhoto("x").field == "photo"
    assert (InvalidVehicle("x").code, InvalidBlackout("x").code) == ("invalid_vehicle", "invalid_blackout")
    assert issubclass(type(NotAllowed("x")), DomainError)


def test_a_photo_the_service_refuses_is_explained_next_to_the_photo_field(client, member, community, monkeypatch):
    monkeypatch.setattr(services, "PHOTO_MAX_MEGAPIXELS", 1)
    client.force_login(member)
    upload = SimpleUploadedFile("huge.png", image_bytes("PNG", size=(1500, 1000)), content_type="image/png")
    data = {"name": "Berlingo", "kind": "van", "energy": "diesel", "seats": "5", "gearbox": "manual"}
    data |= {
        "odometer_km": "1000",
        "cost_model": "rates",
        "rate_per_km": "0.2",
        "rate_per_hour": "0",
        "fixed_monthly_cost": "0",
    }

    response = client.post(reverse("vehicle_create", args=[community.pk]), {**data, "photo": upload})

    assert response.status_code == 200
    form = response.context["form"]
    assert "megapixels" in " ".join(form.errors["photo"])
    assert not form.non_field_errors()
    assert not community.vehicles.exists()


def test_an_availability_refusal_of_the_service_is_shown_above_the_windows():
    formset = WindowFormSet(
        {
            "windows-TOTAL_FORMS": "1",
            "windows-INITIAL_FORMS": "0",
            "windows-0-weekday": "1",
            "windows-0-start_time": "08:00",
            "windows-0-end_time": "12:00",
        },
        prefix="windows",
    )
    assert formset.is_valid()

    def refuse(**kwargs):
        raise DomainError("The vehicle changed meanwhile.")

    assert attempt(formset, refuse) is None
    assert formset.non_form_errors() == ["The vehicle changed meanwhile."]


def test_a_blackout_over_a_booking_warns_that_the_booking_is_not_cancelled(client, owner, member, community, vehicle):
    start = timezone.now() + timedelta(days=3)
    booking = Booking.objects.create(
        community=community, vehicle=vehicle, member=member, starts_at=start, ends_at=start + timedelta(hours=2)
    )
    client.force_login(owner)
    local = timezone.localtime(start, timezone.get_fixed_timezone(0))
    response = client.post(
        reverse("vehicle_blackout_add", args=[community.pk, vehicle.pk]),
        {
            "starts_at": (local - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (local + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "reason": "garage",
        },
        follow=True,
    )

    assert "1 booking already falls in this period; it is not cancelled" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED
