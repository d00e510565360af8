"""Benchmark the API's availability endpoint on the calendar benchmark's large community.

Usage (PostgreSQL; the database is created if missing and seeded once, by ``bench/calendar_week.py``'s seed):

    .venv/bin/python bench/api_availability.py --database-url postgres://postgres@127.0.0.1:5432/colocauto_bench
    .venv/bin/python bench/api_availability.py --scale 10 \\
        --database-url postgres://postgres@127.0.0.1:5432/colocauto_bench_x10

``--scale N`` seeds N times the history (N × 5 years, N × 100,000 bookings; the same density, so a week
holds as many bookings as at 1×). Each URL is requested with a read-write personal access token through
DRF's test client, in-process, warm: the median and p90 of ``--runs`` requests, the Python CPU time, the
SQL query count and the size of the JSON. The "304" rows send the ETag of the previous answer.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import calendar_week  # noqa: E402  (the seed and the database set-up are the calendar benchmark's)


def measure(client, url: str, runs: int, headers: dict) -> tuple[int, float, float, float, int, int]:
    """(status, median wall ms, p90 wall ms, median CPU ms, queries, bytes) of warm requests."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        response = client.get(url, headers=headers)
        assert response.status_code in (200, 304), (url, response.status_code, response.content[:300])
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(url, headers=headers)
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
    walls.sort()
    p90 = walls[min(len(walls) - 1, int(len(walls) * 0.9))]
    return (
        response.status_code,
        statistics.median(walls),
        p90,
        statistics.median(cpus),
        len(captured.captured_queries),
        len(response.content),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="postgres://user@host:port/dbname (dedicated)")
    parser.add_argument("--runs", type=int, default=30, help="timed requests per URL (default 30)")
    parser.add_argument("--scale", type=int, default=1, help="times the calendar benchmark's history (default 1)")
    parser.add_argument("--reseed", action="store_true", help="drop and seed the benchmark community again")
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("the benchmark runs on PostgreSQL: give a postgres:// URL")

    calendar_week.BOOKINGS *= args.scale
    calendar_week.YEARS_OF_HISTORY *= args.scale
    # Thousands of requests from one token and one address: the API's rate limits would answer 429.
    os.environ["API_RATE_PER_TOKEN"] = os.environ["API_RATE_PER_ADDRESS"] = "1000000/minute"
    calendar_week.ensure_database(args.database_url)
    calendar_week.setup_django(args.database_url)

    from django.utils import timezone
    from rest_framework.test import APIClient

    from api.models import AccessToken
    from api.tokens import token_create
    from bookings.models import Booking
    from communities.models import User

    community_id, viewer_id = calendar_week.seed(reseed=args.reseed)
    viewer = User.objects.get(pk=viewer_id)
    AccessToken.objects.filter(user=viewer, name="bench").delete()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_create(user=viewer, name='bench', scope='write')[1]}")
    vehicle_id = Booking.objects.filter(community_id=community_id).order_by("vehicle_id").values("vehicle_id")[0]
    base = f"/api/v1/communities/{community_id}"
    today = timezone.localdate()

    def span(first, days):
        return f"start={first}&end={first + timedelta(days=days - 1)}"

    week, two_months = span(today, 7), span(today, 62)
    urls = [
        ("Community, 30 vehicles, this week", f"{base}/availability/?{week}"),
        ("Community, 30 vehicles, a week 2 years ago", f"{base}/availability/?{span(today - timedelta(days=730), 7)}"),
        ("Community, 30 vehicles, 62 days from today", f"{base}/availability/?{two_months}"),
        ("One vehicle, 62 days from today", f"{base}/vehicles/{vehicle_id['vehicle_id']}/availability/?{two_months}"),
    ]
    total = Booking.objects.filter(community_id=community_id).count()
    print(f"\n{total:,} bookings in the community ({args.scale}× history); {args.runs} runs per URL.\n")
    print("| request | status | median ms | p90 ms | Python CPU ms | SQL queries | JSON KiB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, url in urls:
        for conditional in (False, True):
            headers = {}
            if conditional:
                headers["If-None-Match"] = client.get(url)["ETag"]
                label = "… again with its ETag (If-None-Match)"
            code, median, p90, cpu, queries, size = measure(client, url, args.runs, headers)
            print(f"| {label} | {code} | {median:.1f} | {p90:.1f} | {cpu:.1f} | {queries} | {size / 1024:.0f} |")
    print(f"\nLoad average while measuring: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs).")


if __name__ == "__main__":
    main()
