"""Weekly availability windows and blackouts, in the community's time zone."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from bookings.availability import availability_problem, unavailable_periods
from tests.factories import VehicleFactory
from vehicles.models import AvailabilityWindow, Blackout, Vehicle

PARIS = ZoneInfo("Europe/Paris")


def paris(*args):
    return datetime(*args, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def window(vehicle, weekday, start, end):
    return AvailabilityWindow.objects.create(vehicle=vehicle, weekday=weekday, start_time=start, end_time=end)


def test_vehicle_without_windows_is_always_available(vehicle):
    assert availability_problem(vehicle=vehicle, starts_at=paris(2030, 1, 7, 3), ends_at=paris(2030, 1, 9, 3)) is None


def test_booking_inside_a_window_is_accepted(vehicle):
    window(vehicle, 0, time(8), time(20))  # 2030-01-07 is a Monday
    assert availability_problem(vehicle=vehicle, starts_at=paris(2030, 1, 7, 8), ends_at=paris(2030, 1, 7, 20)) is None


def test_booking_outside_the_windows_is_refused(vehicle):
    window(vehicle, 0, time(8), time(20))
    problem = availability_problem(vehicle=vehicle, starts_at=paris(2030, 1, 7, 19), ends_at=paris(2030, 1, 7, 21))
    assert problem == "These times are outside the vehicle's availability. It can be booked Mon 08:00–20:00."


def test_booking_may_span_touching_windows_across_midnight(vehicle):
    window(vehicle, 0, time(8), time(0))
    window(vehicle, 1, time(0), time(12))
    assert availability_problem(vehicle=vehicle, starts_at=paris(2030, 1, 7, 18), ends_at=paris(2030, 1, 8, 12)) is None
    assert availability_problem(vehicle=vehicle, starts_at=paris(2030, 1, 7, 18), ends_at=paris(2030, 1, 8, 13))


def test_windows_keep_their_wall_clock_times_across_daylight_saving(vehicle):
    # 2030-03-31 is the Sunday clocks go forward in Paris; 2030-10-27 the Sunday they go back.
    window(vehicle, 6, time(8), time(20))
    for day in (datetime(2030, 3, 31), datetime(2030, 10, 27)):
        start = paris(day.year, day.month, day.day, 8)
        end = paris(day.year, day.month, day.day, 20)
        assert availability_problem(vehicle=vehicle, starts_at=start, ends_at=end) is None
        assert availability_problem(vehicle=vehicle, starts_at=paris(day.year, day.month, day.day, 7), ends_at=end)


def test_blackout_refuses_with_its_reason(vehicle):
    Blackout.objects.create(
        vehicle=vehicle, starts_at=paris(2030, 1, 7, 10), ends_at=paris(2030, 1, 8, 10), reason="at the garage"
    )
    problem = availability_problem(vehicle=vehicle, starts_at=paris(2030, 1, 7, 9), ends_at=paris(2030, 1, 7, 11))
    assert problem.startswith("The vehicle is unavailable from ")
    assert problem.endswith(": at the garage")


def test_booking_touching_a_blackout_is_accepted(vehicle):
    Blackout.objects.create(vehicle=vehicle, starts_at=paris(2030, 1, 7, 10), ends_at=paris(2030, 1, 8, 10))
    assert availability_problem(vehicle=vehicle, starts_at=paris(2030, 1, 7, 8), ends_at=paris(2030, 1, 7, 10)) is None


def test_unavailable_periods_are_the_gaps_and_blackouts_merged(vehicle, community):
    window(vehicle, 0, time(8), time(0))
    window(vehicle, 1, time(0), time(12))
    Blackout.objects.create(
        vehicle=vehicle, starts_at=paris(2030, 1, 7, 10), ends_at=paris(2030, 1, 7, 11), reason="tyres"
    )
    free = VehicleFactory(community=community)
    periods = unavailable_periods(
        vehicles=[vehicle, free], range_start=paris(2030, 1, 7), range_end=paris(2030, 1, 9), tz=PARIS
    )
    assert periods[free.pk] == []
    assert periods[vehicle.pk] == [
        (paris(2030, 1, 7, 0).astimezone(UTC), paris(2030, 1, 7, 8).astimezone(UTC), "unavailable"),
        (paris(2030, 1, 7, 10).astimezone(UTC), paris(2030, 1, 7, 11).astimezone(UTC), "tyres"),
        (paris(2030, 1, 8, 12).astimezone(UTC), paris(2030, 1, 9, 0).astimezone(UTC), "unavailable"),
    ]


def test_unavailable_periods_on_the_short_daylight_saving_day(vehicle):
    window(vehicle, 6, time(1), time(4))
    periods = unavailable_periods(
        vehicles=[vehicle], range_start=paris(2030, 3, 31), range_end=paris(2030, 4, 1), tz=PARIS
    )[vehicle.pk]
    # 01:00 CET is 00:00 UTC; 04:00 CEST is 02:00 UTC: two hours of real time are open.
    assert [(start.hour, end.hour) for start, end, _label in periods] == [(23, 0), (2, 22)]


def test_unavailable_periods_use_prefetched_rows(vehicle, community):
    others = [VehicleFactory(community=community) for _ in range(3)]
    for car in [vehicle, *others]:
        window(car, 2, time(9), time(17))
        Blackout.objects.create(vehicle=car, starts_at=paris(2030, 1, 9, 10), ends_at=paris(2030, 1, 9, 11))
    vehicles = list(Vehicle.objects.filter(community=community).prefetch_related("availability_windows", "blackouts"))
    with CaptureQueriesContext(connection) as queries:
        unavailable_periods(vehicles=vehicles, range_start=paris(2030, 1, 7), range_end=paris(2030, 1, 14), tz=PARIS)
    assert len(queries) == 0
    plain = list(Vehicle.objects.filter(community=community))
    with CaptureQueriesContext(connection) as queries:
        result = unavailable_periods(
            vehicles=plain, range_start=paris(2030, 1, 7), range_end=paris(2030, 1, 14), tz=PARIS
        )
    assert len(queries) == 2
    assert all(len(periods) == 3 for periods in result.values())


def test_refusal_outside_the_windows_says_when_the_vehicle_can_be_booked(vehicle):
    for weekday in range(5):
        window(vehicle, weekday, time(8), time(19))
    window(vehicle, 5, time(9), time(13))
    window(vehicle, 6, time(9), time(12))
    window(vehicle, 6, time(14), time(0))
    problem = availability_problem(vehicle=vehicle, starts_at=paris(2030, 1, 7, 18), ends_at=paris(2030, 1, 7, 21))
    assert problem == (
        "These times are outside the vehicle's availability. "
        "It can be booked Mon–Fri 08:00–19:00, Sat 09:00–13:00, Sun 09:00–12:00 / 14:00–24:00."
    )
