from datetime import datetime, time, timedelta
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from colocauto.core.errors import NotAllowed
from communities.models import Membership
from tests.factories import MembershipFactory, UserFactory, VehicleFactory
from tests.helpers import image_bytes
from vehicles import services
from vehicles.exceptions import InvalidAvailability, InvalidBlackout, InvalidPhoto, InvalidVehicle
from vehicles.services import WindowSpec

BASIC = {"name": "Kangoo", "kind": "van", "energy": "diesel", "seats": 5, "gearbox": "manual", "odometer_km": 1000}


def membership_of(user, community):
    return Membership.objects.get(user=user, community=community, status=Membership.Status.ACTIVE)


def test_member_registers_a_vehicle_they_own(community, member):
    vehicle = services.vehicle_create(membership=membership_of(member, community), data=BASIC)
    assert vehicle.owner == member
    assert vehicle.community == community


def test_member_cannot_register_a_vehicle_for_someone_else(community, member, owner):
    with pytest.raises(NotAllowed):
        services.vehicle_create(membership=membership_of(member, community), data={**BASIC, "owner": owner})


def test_member_cannot_register_a_community_owned_vehicle(community, member):
    with pytest.raises(NotAllowed):
        services.vehicle_create(membership=membership_of(member, community), data={**BASIC, "owner": None})


def test_admin_registers_a_community_owned_vehicle(community, admin_user):
    vehicle = services.vehicle_create(membership=membership_of(admin_user, community), data={**BASIC, "owner": None})
    assert vehicle.owner is None


def test_admin_registers_a_vehicle_for_another_member(community, admin_user, member):
    vehicle = services.vehicle_create(membership=membership_of(admin_user, community), data={**BASIC, "owner": member})
    assert vehicle.owner == member


@pytest.mark.parametrize("status", [Membership.Status.PENDING, Membership.Status.LEFT, None])
def test_owner_must_be_an_active_member_of_the_community(community, admin_user, status):
    person = UserFactory(display_name="Nina Neighbour")
    if status is not None:
        MembershipFactory(community=community, user=person, status=status, joined_at=timezone.now())
    with pytest.raises(InvalidVehicle) as refusal:
        services.vehicle_create(membership=membership_of(admin_user, community), data={**BASIC, "owner": person})
    assert "Nina Neighbour" in refusal.value.message


def test_only_admin_or_owner_updates_a_vehicle(community, vehicle, member, owner, admin_user):
    with pytest.raises(NotAllowed):
        services.vehicle_update(membership=membership_of(member, community), vehicle=vehicle, data={"name": "Mine"})
    services.vehicle_update(membership=membership_of(owner, community), vehicle=vehicle, data={"name": "Clio"})
    services.vehicle_update(
        membership=membership_of(admin_user, community), vehicle=vehicle, data={"rate_per_km": Decimal("0.25")}
    )
    vehicle.refresh_from_db()
    assert (vehicle.name, vehicle.rate_per_km) == ("Clio", Decimal("0.250"))


def test_owner_cannot_hand_the_vehicle_to_someone_else(community, vehicle, owner, member):
    with pytest.raises(NotAllowed):
        services.vehicle_update(membership=membership_of(owner, community), vehicle=vehicle, data={"owner": member})


def test_admin_moves_a_vehicle_to_the_community(community, vehicle, admin_user):
    services.vehicle_update(membership=membership_of(admin_user, community), vehicle=vehicle, data={"owner": None})
    vehicle.refresh_from_db()
    assert vehicle.owner is None


def test_community_owned_vehicle_is_managed_by_admins_only(community, admin_user, member):
    vehicle = VehicleFactory(community=community, owner=None)
    with pytest.raises(NotAllowed):
        services.vehicle_set_active(membership=membership_of(member, community), vehicle=vehicle, active=False)
    services.vehicle_set_active(membership=membership_of(admin_user, community), vehicle=vehicle, active=False)
    vehicle.refresh_from_db()
    assert vehicle.is_active is False


def test_bad_field_value_is_refused_with_a_message(community, member):
    with pytest.raises(InvalidVehicle):
        services.vehicle_create(membership=membership_of(member, community), data={**BASIC, "seats": 0})


def test_photo_is_stored_upright_small_and_without_exif(community, member):
    # 0x0112 orientation 6 = rotated; 0x010F = camera make; a phone would add GPS the same way.
    upload = SimpleUploadedFile(
        "IMG_0001.JPG", image_bytes("JPEG", size=(3000, 2000), exif={0x0112: 6, 0x010F: "PhoneCam"})
    )
    vehicle = services.vehicle_create(membership=membership_of(member, community), data=BASIC, photo=upload)
    with vehicle.photo.open("rb") as stored, Image.open(BytesIO(stored.read())) as image:
        assert image.format == "JPEG"
        assert image.size == (853, 1280)
        assert dict(image.getexif()) == {}
    assert vehicle.photo.name.startswith(f"vehicles/{community.pk}/")
    assert "IMG_0001" not in vehicle.photo.name


def test_photo_with_too_many_pixels_is_refused(community, member, monkeypatch):
    monkeypatch.setattr(services, "PHOTO_MAX_MEGAPIXELS", 1)
    upload = SimpleUploadedFile("huge.png", image_bytes("PNG", size=(1500, 1000)))
    with translation.override("en"), pytest.raises(InvalidPhoto) as refusal:
        services.vehicle_create(membership=membership_of(member, community), data=BASIC, photo=upload)
    assert "megapixels" in refusal.value.message
    assert not community.vehicles.exists()


def test_photo_that_is_not_an_image_is_refused(community, member):
    upload = SimpleUploadedFile("car.jpg", b"just some text, not a picture")
    with pytest.raises(InvalidPhoto):
        services.vehicle_create(membership=membership_of(member, community), data=BASIC, photo=upload)
    assert not community.vehicles.exists()


def test_replacing_a_photo_deletes_the_old_file(community, owner, django_capture_on_commit_callbacks):
    membership = membership_of(owner, community)
    vehicle = services.vehicle_create(
        membership=membership, data=BASIC, photo=SimpleUploadedFile("a.png", image_bytes("PNG"))
    )
    old_name = vehicle.photo.name
    with django_capture_on_commit_callbacks(execute=True):
        services.vehicle_update(
            membership=membership, vehicle=vehicle, data={}, photo=SimpleUploadedFile("b.png", image_bytes("PNG"))
        )
    assert vehicle.photo.name != old_name
    assert not vehicle.photo.storage.exists(old_name)
    assert vehicle.photo.storage.exists(vehicle.photo.name)


# Weekly windows


def test_windows_replace_the_previous_ones(community, vehicle, owner):
    membership = membership_of(owner, community)
    services.availability_replace(membership=membership, vehicle=vehicle, windows=[WindowSpec(0, time(8), time(12))])
    services.availability_replace(
        membership=membership,
        vehicle=vehicle,
        windows=[WindowSpec(1, time(8), time(12)), WindowSpec(1, time(14), time(0))],
    )
    windows = vehicle.availability_windows.values_list("weekday", "start_time", "end_time")
    assert list(windows) == [(1, time(8), time(12)), (1, time(14), time(0))]


def test_no_window_means_always_available(community, vehicle, owner):
    membership = membership_of(owner, community)
    services.availability_replace(membership=membership, vehicle=vehicle, windows=[WindowSpec(0, time(8), time(12))])
    services.availability_replace(membership=membership, vehicle=vehicle, windows=[])
    assert not vehicle.availability_windows.exists()


def test_window_ending_at_midnight_is_accepted(community, vehicle, owner):
    window = services.window_add(
        membership=membership_of(owner, community), vehicle=vehicle, weekday=5, start_time=time(0), end_time=time(0)
    )
    assert window.end_time == time(0)


def test_window_ending_before_it_starts_is_refused(community, vehicle, owner):
    with pytest.raises(InvalidAvailability) as refusal:
        services.window_add(
            membership=membership_of(owner, community),
            vehicle=vehicle,
            weekday=2,
            start_time=time(18),
            end_time=time(9),
        )
    assert "18:00" in refusal.value.message


def test_overlapping_windows_on_the_same_day_are_refused(community, vehicle, owner):
    membership = membership_of(owner, community)
    services.window_add(membership=membership, vehicle=vehicle, weekday=0, start_time=time(8), end_time=time(12))
    with pytest.raises(InvalidAvailability) as refusal:
        services.window_add(membership=membership, vehicle=vehicle, weekday=0, start_time=time(11), end_time=time(0))
    assert "08:00–12:00" in refusal.value.message
    assert vehicle.availability_windows.count() == 1


def test_back_to_back_windows_and_other_days_do_not_overlap(community, vehicle, owner):
    windows = [WindowSpec(0, time(8), time(12)), WindowSpec(0, time(12), time(0)), WindowSpec(1, time(8), time(12))]
    services.availability_replace(membership=membership_of(owner, community), vehicle=vehicle, windows=windows)
    assert vehicle.availability_windows.count() == 3


def test_member_cannot_change_windows_of_someone_elses_vehicle(community, vehicle, member):
    with pytest.raises(NotAllowed):
        services.availability_replace(membership=membership_of(member, community), vehicle=vehicle, windows=[])


# Blackouts


def test_blackout_is_added_and_deleted_by_the_owner(community, vehicle, owner):
    membership = membership_of(owner, community)
    start = timezone.now() + timedelta(days=1)
    blackout = services.blackout_add(
        membership=membership, vehicle=vehicle, starts_at=start, ends_at=start + timedelta(days=2), reason=" garage "
    )
    assert blackout.reason == "garage"
    services.blackout_delete(membership=membership, blackout=blackout)
    assert not vehicle.blackouts.exists()


def test_blackout_ending_before_it_starts_is_refused(community, vehicle, owner):
    start = timezone.now() + timedelta(days=1)
    with pytest.raises(InvalidBlackout):
        services.blackout_add(
            membership=membership_of(owner, community), vehicle=vehicle, starts_at=start, ends_at=start
        )


def test_blackout_already_over_is_refused(community, vehicle, owner):
    end = timezone.now() - timedelta(hours=1)
    with pytest.raises(InvalidBlackout):
        services.blackout_add(
            membership=membership_of(owner, community), vehicle=vehicle, starts_at=end - timedelta(days=1), ends_at=end
        )


def test_member_cannot_block_someone_elses_vehicle(community, vehicle, member):
    start = timezone.now() + timedelta(days=1)
    with pytest.raises(NotAllowed):
        services.blackout_add(
            membership=membership_of(member, community),
            vehicle=vehicle,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
        )


def test_blackout_in_year_one_is_refused(community, vehicle, owner):
    starts_at = datetime(1, 1, 1, tzinfo=ZoneInfo("Europe/Paris"))
    with translation.override("en"), pytest.raises(InvalidBlackout) as refusal:
        services.blackout_add(
            membership=membership_of(owner, community),
            vehicle=vehicle,
            starts_at=starts_at,
            ends_at=datetime(9999, 12, 31, 23, 59, tzinfo=ZoneInfo("Europe/Paris")),
        )
    assert refusal.value.message == "Enter a date between the years 1900 and 2999."


def test_vehicle_name_is_kept_on_one_line(community, member):
    vehicle = services.vehicle_create(
        membership=membership_of(member, community), data={**BASIC, "name": "Kangoo\n\rde\x00 Léa"}
    )
    assert vehicle.name == "Kangoo de Léa"


# --- Cost model: a switch waits for the 1st of the next month -----------------------------------------


def _first_of_next_month(vehicle):
    from vehicles.selectors import local_today

    today = local_today(vehicle)
    return (today.replace(day=28) + timedelta(days=4)).replace(day=1)


def test_a_cost_model_switch_takes_effect_on_the_first_of_the_next_month(community, vehicle, owner):
    from vehicles.selectors import cost_model_on, cost_model_schedule, local_today

    services.vehicle_update(
        membership=membership_of(owner, community), vehicle=vehicle, data={"cost_model": "shared_costs"}
    )

    vehicle.refresh_from_db()
    starts_on = _first_of_next_month(vehicle)
    assert cost_model_on(vehicle, local_today(vehicle)) == "rates"
    assert cost_model_on(vehicle, starts_on - timedelta(days=1)) == "rates"
    assert cost_model_on(vehicle, starts_on) == "shared_costs"
    schedule = cost_model_schedule(vehicle)
    assert (schedule.in_force, schedule.next_model, schedule.starts_on) == ("rates", "shared_costs", starts_on)


def test_choosing_the_model_in_force_again_cancels_a_pending_switch(community, vehicle, owner):
    from vehicles.selectors import cost_model_on, cost_model_schedule

    membership = membership_of(owner, community)
    services.vehicle_update(membership=membership, vehicle=vehicle, data={"cost_model": "shared_costs"})
    services.vehicle_update(membership=membership, vehicle=vehicle, data={"cost_model": "rates"})

    vehicle.refresh_from_db()
    assert cost_model_schedule(vehicle).next_model is None
    assert cost_model_on(vehicle, _first_of_next_month(vehicle)) == "rates"
    assert not vehicle.cost_model_periods.exists()


def test_an_edit_that_keeps_the_cost_model_schedules_no_switch(community, vehicle, owner):
    services.vehicle_update(
        membership=membership_of(owner, community), vehicle=vehicle, data={"cost_model": "rates", "name": "Clio"}
    )

    assert not vehicle.cost_model_periods.exists()


def test_a_switch_once_in_force_is_kept_for_its_months_when_the_model_changes_again(community, vehicle, owner):
    from vehicles.models import CostModelPeriod
    from vehicles.selectors import cost_model_on, local_today

    # Switched to shared costs in an earlier month: rates until the 1st of this month.
    this_month = local_today(vehicle).replace(day=1)
    CostModelPeriod.objects.create(vehicle=vehicle, cost_model="rates", ends_on=this_month)
    vehicle.cost_model = "shared_costs"
    vehicle.save()

    services.vehicle_update(membership=membership_of(owner, community), vehicle=vehicle, data={"cost_model": "rates"})

    vehicle.refresh_from_db()
    assert cost_model_on(vehicle, this_month - timedelta(days=1)) == "rates"
    assert cost_model_on(vehicle, this_month) == "shared_costs"
    assert cost_model_on(vehicle, _first_of_next_month(vehicle)) == "rates"


@pytest.mark.parametrize("field", ["rate_per_km", "rate_per_hour", "daily_cap", "fixed_monthly_cost"])
@pytest.mark.parametrize("value", [0.25, float("nan"), Decimal("Infinity")])
def test_vehicle_amounts_given_as_floats_nan_or_infinities_are_refused(community, vehicle, owner, field, value):
    from colocauto.core.amounts import InvalidAmount

    with pytest.raises(InvalidAmount):
        services.vehicle_update(membership=membership_of(owner, community), vehicle=vehicle, data={field: value})

    vehicle.refresh_from_db()
    assert vehicle.rate_per_km == Decimal("0.300") and vehicle.fixed_monthly_cost == 0
