"""Benchmark the calendar on a large community: 30 vehicles, 100,000 bookings over several years.

Usage (PostgreSQL; the database is created if missing and seeded once):

    .venv/bin/python bench/calendar_week.py --database-url postgres://postgres@127.0.0.1:5432/colocauto_bench

It measures the server time of the calendar pages (Django test client, in-process, warm: median of
``--runs`` requests) and their SQL query count, for weeks with and without bookings, and prints a
Markdown table for BENCHMARKS.md. ``--reseed`` drops the benchmark community and seeds it again.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from ledger_setup import ensure_database

ROOT = Path(__file__).resolve().parent.parent
COMMUNITY_NAME = "Bench — Les Grands Chênes"
VEHICLES = 30
MEMBERS = 60
BOOKINGS = 100_000
YEARS_OF_HISTORY = 5
DAYS_AHEAD = 60  # future bookings stay within the community's maximum advance, as in real use


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "false")  # no per-query logging: measure what production does
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "colocauto.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed(
    *, reseed: bool, name: str = COMMUNITY_NAME, bookings: int = BOOKINGS, years: int = YEARS_OF_HISTORY
) -> tuple[int, int]:
    """The benchmark community (id) and the member the pages are rendered for (user id); another ``name``
    seeds another community, e.g. with more ``bookings`` over more ``years`` of history."""
    from django.db import connection, transaction
    from django.utils import timezone

    from bookings.models import Booking
    from communities.models import Community, Membership, User
    from vehicles.models import AvailabilityWindow, Blackout, Vehicle

    community = Community.objects.filter(name=name).first()
    if community and reseed:
        Booking.objects.filter(community=community).delete()
        Vehicle.objects.filter(community=community).delete()
        community.delete()
        community = None
    if community:
        viewer = Membership.objects.filter(community=community).order_by("pk").first().user_id
        return community.pk, viewer

    started = time.perf_counter()
    rng = random.Random(42)
    with transaction.atomic():
        community = Community.objects.create(
            name=name, municipality="Die", postal_code="26150", max_advance=timedelta(days=90)
        )
        users = User.objects.bulk_create(
            User(email=f"bench-{community.pk}-{n}@example.org", display_name=f"Membre {n:02d}", password="!")
            for n in range(MEMBERS)
        )
        now = timezone.now()
        Membership.objects.bulk_create(
            Membership(community=community, user=user, status=Membership.Status.ACTIVE, joined_at=now) for user in users
        )
        vehicles = Vehicle.objects.bulk_create(
            Vehicle(community=community, owner=users[n], name=f"Véhicule {n + 1:02d}", plate=f"BE-{n:03d}-NC")
            for n in range(VEHICLES)
        )
        # A third of the fleet is only available 07:00–22:00; every vehicle has a few blackouts.
        AvailabilityWindow.objects.bulk_create(
            AvailabilityWindow(vehicle=v, weekday=day, start_time="07:00", end_time="22:00")
            for v in vehicles[::3]
            for day in range(7)
        )
        first_day = date.today() - timedelta(days=365 * years)
        span = (date.today() + timedelta(days=DAYS_AHEAD) - first_day).days
        blackouts = []
        for v in vehicles:
            for _ in range(20):
                start = datetime.combine(first_day, datetime.min.time(), UTC) + timedelta(
                    days=rng.randrange(span), hours=8
                )
                length = timedelta(hours=rng.choice([9, 33, 57]))
                blackouts.append(Blackout(vehicle=v, starts_at=start, ends_at=start + length, reason="Révision"))
        Blackout.objects.bulk_create(blackouts)
    print(f"Seeded community, {MEMBERS} members, {VEHICLES} vehicles in {time.perf_counter() - started:.1f} s.")

    # Bookings: back-to-back-free sequences per vehicle, so the exclusion constraint is respected.
    started = time.perf_counter()
    per_vehicle = bookings // VEHICLES
    total_minutes = span * 24 * 60
    mean_step = total_minutes // per_vehicle  # average start-to-start distance, in minutes
    batch: list[Booking] = []
    created = 0
    now = timezone.now()
    for index, vehicle in enumerate(vehicles):
        count = per_vehicle + (1 if index < bookings % VEHICLES else 0)
        moment = datetime.combine(first_day, datetime.min.time(), UTC) + timedelta(hours=6)
        for _ in range(count):
            length = timedelta(minutes=30 * rng.randint(2, 16))
            gap = timedelta(minutes=30 * rng.randint(1, max(2, 2 * (mean_step - 270) // 30)))
            start, end = moment, moment + length
            if end <= now:
                status = Booking.Status.CANCELLED if rng.random() < 0.08 else Booking.Status.COMPLETED
            else:
                status = Booking.Status.REQUESTED if rng.random() < 0.2 else Booking.Status.CONFIRMED
            batch.append(
                Booking(
                    community=community,
                    vehicle=vehicle,
                    member=users[rng.randrange(MEMBERS)],
                    starts_at=start,
                    ends_at=end,
                    status=status,
                )
            )
            moment = end + gap
            if len(batch) == 5000:
                Booking.objects.bulk_create(batch)
                created += len(batch)
                batch = []
    Booking.objects.bulk_create(batch)
    created += len(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics, as autovacuum would give a live database
    print(f"Seeded {created:,} bookings in {time.perf_counter() - started:.1f} s.")
    return community.pk, users[0].pk


def measure(client, url: str, runs: int, *, status: int = 200, **headers) -> tuple[float, float, float, int, int]:
    """(median wall ms, p90 wall ms, median CPU ms of this process, queries, bytes) of warm requests
    answering ``status`` (``headers``: Django test-client ``HTTP_…`` keywords)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        response = client.get(url, **headers)
        assert response.status_code == status, (url, response.status_code)
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(url, **headers)
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    walls.sort()
    p90 = walls[min(len(walls) - 1, int(len(walls) * 0.9))]
    return statistics.median(walls), p90, statistics.median(cpus), len(captured.captured_queries), len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="postgres://user@host:port/dbname (dedicated)")
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--reseed", action="store_true", help="drop and seed the benchmark community again")
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("the benchmark runs on PostgreSQL: give a postgres:// URL")

    ensure_database(args.database_url)
    setup_django(args.database_url)

    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from bookings.models import Booking
    from communities.models import User

    community_id, viewer_id = seed(reseed=args.reseed)
    client = Client()
    client.force_login(User.objects.get(pk=viewer_id))
    vehicle_id = (
        Booking.objects.filter(community_id=community_id).order_by("vehicle_id").values_list("vehicle_id", flat=True)
    )[0]

    today = timezone.localdate()
    calendar = reverse("calendar", kwargs={"community_id": community_id})
    one_vehicle = reverse("calendar_vehicle", kwargs={"community_id": community_id, "vehicle_id": vehicle_id})
    mine = reverse("my_bookings", kwargs={"community_id": community_id})
    pages = [
        ("Community week, 30 vehicles (2 years ago)", f"{calendar}?view=week&date={today - timedelta(days=730)}"),
        ("Community week, 30 vehicles (DST: 2025-10-26)", f"{calendar}?view=week&date=2025-10-26"),
        ("Community week, 30 vehicles (this week)", f"{calendar}?view=week&date={today}"),
        ("Community week, 30 vehicles (next week)", f"{calendar}?view=week&date={today + timedelta(days=7)}"),
        (
            "Community week, 30 vehicles (next week, vehicles 21–30)",
            f"{calendar}?view=week&date={today + timedelta(days=7)}&page=3",
        ),
        ("Community week, 30 vehicles (in a year: empty)", f"{calendar}?view=week&date={today + timedelta(days=365)}"),
        ("Community day, 30 vehicles (tomorrow)", f"{calendar}?view=day&date={today + timedelta(days=1)}"),
        ("Community month (this month)", f"{calendar}?view=month&date={today}"),
        ("One vehicle, week (next week)", f"{one_vehicle}?view=week&date={today + timedelta(days=7)}"),
        ("One vehicle, month (this month)", f"{one_vehicle}?view=month&date={today}"),
        ("My bookings (the viewer has ~1,600 bookings)", mine),
    ]

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(",")[0]
    total = Booking.objects.filter(community_id=community_id).count()
    mine_count = Booking.objects.filter(community_id=community_id, member_id=viewer_id).count()
    print(
        f"\n{version}; {total:,} bookings in the community ({mine_count:,} of the viewer); {args.runs} runs per page.\n"
    )
    print("| page | median ms | p90 ms | Python CPU ms | SQL queries | HTML KiB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for label, url in pages:
        median, p90, cpu, queries, size = measure(client, url, args.runs)
        print(f"| {label} | {median:.1f} | {p90:.1f} | {cpu:.1f} | {queries} | {size / 1024:.0f} |")
    print(f"\nLoad average while measuring: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs).")


if __name__ == "__main__":
    main()
