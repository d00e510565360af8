"""Benchmark the API's booking list (``GET /api/v1/communities/{id}/bookings/``) on the large communities.

Usage (PostgreSQL; the database is created if missing and each community seeded once):

    .venv/bin/python bench/api_bookings.py --database-url postgres://postgres@127.0.0.1:5432/colocauto_bench

The 1× community is the calendar benchmark's (``bench/calendar_week.py``: 30 vehicles, 100,000 bookings over
5 years); ``--scale N`` (default 10) adds one with N times the history (N × 100,000 bookings over N × 5
years, the same density). Each list is requested with a personal access token through Django's test
client, in-process, ``DEBUG`` off (3 warm-up requests, then ``--runs`` timed ones), and again with the
``If-None-Match`` of its answer (the 304 a polling client gets). Prints a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import calendar_week  # noqa: E402


def lists(community_id: int, viewer_id: int, vehicle_id: int, total: int) -> list[tuple[str, str]]:
    from django.utils import timezone

    now = timezone.now()
    monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    week = {"start": monday.isoformat(), "end": (monday + timedelta(days=7)).isoformat()}
    base = f"/api/v1/communities/{community_id}/bookings/"
    return [
        ("All, first page (50)", base),
        ("This week, 30 vehicles (the calendar a client polls)", f"{base}?{urlencode(week)}"),
        ("This week, one vehicle", f"{base}?{urlencode({**week, 'vehicle': vehicle_id})}"),
        (
            "Requested and confirmed, from now",
            f"{base}?{urlencode({'start': now.isoformat()})}&status=requested&status=confirmed",
        ),
        ("One member's bookings, first page", f"{base}?member={viewer_id}"),
        ("All, last page (200 per page)", f"{base}?page_size=200&page={(total + 199) // 200}"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="postgres://user@host:port/dbname (dedicated)")
    parser.add_argument("--runs", type=int, default=30, help="timed requests per list (default 30)")
    parser.add_argument("--scale", type=int, default=10, help="history of the larger community, × 1× (default 10)")
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("the benchmark runs on PostgreSQL: give a postgres:// URL")

    # The benchmark's thousand requests a minute must not meet the API's rate limits.
    os.environ["API_RATE_PER_TOKEN"] = os.environ["API_RATE_PER_ADDRESS"] = "1000000/minute"
    calendar_week.ensure_database(args.database_url)
    calendar_week.setup_django(args.database_url)

    from django.db import connection
    from django.test import Client

    from api.models import AccessToken
    from api.tokens import token_create
    from bookings.models import Booking
    from communities.models import User

    communities = [("1×", calendar_week.seed(reseed=False))]
    if args.scale > 1:
        bigger = calendar_week.seed(
            reseed=False,
            name=f"{calendar_week.COMMUNITY_NAME} ×{args.scale}",
            bookings=calendar_week.BOOKINGS * args.scale,
            years=calendar_week.YEARS_OF_HISTORY * args.scale,
        )
        communities.append((f"{args.scale}×", bigger))

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(",")[0]
    print(f"\n{version}; {args.runs} runs per list.\n")
    print(
        "| community | list | rows | median ms | p90 ms | Python CPU ms | SQL queries | KiB | 304: median ms | 304: queries |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, (community_id, viewer_id) in communities:
        viewer = User.objects.get(pk=viewer_id)
        AccessToken.objects.filter(user=viewer, name="bench").delete()
        token = token_create(user=viewer, name="bench", scope=AccessToken.Scope.READ)[1]
        client = Client(headers={"Authorization": f"Bearer {token}"})
        bookings = Booking.objects.filter(community_id=community_id)
        total = bookings.count()
        vehicle_id = bookings.order_by("vehicle_id").values_list("vehicle_id", flat=True)[0]
        for name, url in lists(community_id, viewer_id, vehicle_id, total):
            median, p90, cpu, queries, size = calendar_week.measure(client, url, args.runs)
            response = client.get(url)
            rows = response.json()["count"]
            etag = response["ETag"]
            median_304, _p90, _cpu, queries_304, _size = calendar_week.measure(
                client, url, args.runs, status=304, HTTP_IF_NONE_MATCH=etag
            )
            print(
                f"| {label} ({total:,}) | {name} | {rows:,} | {median:.1f} | {p90:.1f} | {cpu:.1f} | {queries} "
                f"| {size / 1024:.0f} | {median_304:.1f} | {queries_304} |"
            )
    print(f"\nLoad average while measuring: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs).")


if __name__ == "__main__":
    main()
