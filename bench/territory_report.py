"""Benchmark the territory reports: a département of 300 communes among 5,000 communities.

Usage (a dedicated PostgreSQL database, created if missing and seeded once, about 5 minutes):

    .venv/bin/python bench/territory_report.py --database-url postgres://postgres@127.0.0.1:5432/colocauto_bench_territory

Data (``bench/territory_setup.py``): 5,000 communities, 50,000 members, 10,000 vehicles, 1,000,000
bookings over the last 3 years with their 880,000 trips and 600,000 ledger charges; the département
holds 1,500 sharing communities in 15 intercommunalities of 20 communes.

It then stores the roll-up of every ended month as the monthly job does (each one timed: the
"roll-up of one month" figures), and measures, with Django's test client in-process (``DEBUG`` off,
a territory staff member logged in, 2 warm-up requests, then ``--runs`` timed ones): the dashboard and
the PDF report of the département, of one of its intercommunalities and of one commune (the query
count must not change with the number of communities), then the open-data feed's files. It prints
Markdown tables for BENCHMARKS.md. ``--months N`` limits the stored roll-ups to the last N months.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date

from ledger_setup import database_label, setup_django


def ended_months(count: int) -> list[date]:
    from django.utils import timezone

    from territories.rollup import month_after, month_first

    month = month_first(timezone.localdate())
    months = []
    for _ in range(count):
        month = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
        months.append(month)
    assert all(month_after(m) <= month_first(timezone.localdate()) for m in months)
    return sorted(months)


def store_rollups(months: list[date]) -> list[tuple[date, float, int, int]]:
    """Refresh each month's roll-up not stored yet: (month, seconds, queries, rows) each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from territories.rollup import RollupMonth, usage_rollup_refresh

    stored = set(RollupMonth.objects.values_list("month", flat=True))
    timings = []
    for month in months:
        if month in stored:
            continue
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            rows = usage_rollup_refresh(month=month)
        seconds = time.perf_counter() - started
        timings.append((month, seconds, len(queries), rows))
        print(f"  roll-up {month:%Y-%m}: {seconds:.1f} s, {len(queries)} queries, {rows:,} rows", flush=True)
    return timings


def time_rollup_again(month: date) -> tuple[float, int, int]:
    """A month refreshed again (the job is idempotent): seconds, queries, rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from territories.rollup import usage_rollup_refresh

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        rows = usage_rollup_refresh(month=month)
    return time.perf_counter() - started, len(queries), rows


def staff_client(territory):
    from django.test import Client

    from communities.models import User
    from territories.models import TerritoryStaff

    user, _created = User.objects.get_or_create(
        email=f"staff-{territory.pk}@bench.example", defaults={"display_name": f"Staff {territory.pk}"}
    )
    TerritoryStaff.objects.get_or_create(territory=territory, user=user)
    client = Client()
    client.force_login(user)
    return client


def measure(client, url: str, runs: int, warmup: int = 2) -> dict:
    """Median and p90 wall-clock ms, median CPU ms of this process, SQL queries and bytes of ``url``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    walls.sort()
    return {
        "median": statistics.median(walls),
        "p90": walls[min(len(walls) - 1, int(len(walls) * 0.9))],
        "cpu": statistics.median(cpus),
        "queries": len(captured.captured_queries),
        "sql_ms": sum(float(q["time"]) for q in captured.captured_queries) * 1000,
        "kib": len(response.content) / 1024,
    }


def sharing_count(territory) -> int:
    from territories.selectors import sharing_communities, territory_tree

    return len(sharing_communities(territory_tree(territory)))


def territory_setup_module():
    import territory_setup

    return territory_setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="postgres://user@host:port/dbname (dedicated)")
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page (default 20)")
    parser.add_argument("--pdf-runs", type=int, default=5, help="timed PDF requests (default 5)")
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database, then seed it again")
    parser.add_argument("--months", type=int, default=36, help="ended months whose roll-up is stored (default 36)")
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("the benchmark runs on PostgreSQL: give a postgres:// URL")
    if args.fresh:
        territory_setup_module().recreate_database(args.database_url)
    setup_django(args.database_url)

    import territory_setup
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from territories.models import Territory

    if not territory_setup.is_seeded():
        print("Seeding (once):", flush=True)
        territory_setup.seed()
    print(f"Database: {database_label()}")

    print("Roll-ups of the ended months not stored yet:", flush=True)
    months = ended_months(args.months)
    timings = store_rollups(months)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE territories_monthlyusage")  # as autovacuum does after a bulk change
    again = time_rollup_again(months[-1])
    print(f"  roll-up {months[-1]:%Y-%m} refreshed again: {again[0]:.1f} s, {again[1]} queries, {again[2]:,} rows")

    departement = Territory.objects.get(code="26")
    epci = Territory.objects.filter(parent=departement).order_by("code").first()
    commune = Territory.objects.filter(parent=epci).order_by("code").first()
    rows = []
    for label, territory in (("département", departement), ("intercommunalité", epci), ("commune", commune)):
        client = staff_client(territory)
        communities = sharing_count(territory)
        dashboard = measure(client, reverse("territory_dashboard", kwargs={"territory_id": territory.pk}), args.runs)
        rows.append((f"Dashboard, {label} ({communities:,} communities)", dashboard))
        print(rows[-1], flush=True)
        pdf_url = reverse("territory_pdf", kwargs={"territory_id": territory.pk})
        pdf = measure(client, pdf_url, args.pdf_runs, warmup=1)
        rows.append((f"PDF report, {label} ({communities:,} communities)", pdf))
        print(rows[-1], flush=True)

    anonymous = Client()
    for name in ("station_information", "vehicle_types", "station_status", "vehicle_status"):
        for label, url in (
            ("instance", reverse(f"gbfs_{name}")),
            ("département", reverse(f"gbfs_territory_{name}", kwargs={"key": "26"})),
        ):
            rows.append((f"GBFS {name}.json, {label}", measure(anonymous, url, args.runs)))
            print(rows[-1], flush=True)

    print("\n| roll-up | seconds | SQL queries | rows |\n| --- | ---: | ---: | ---: |")
    if timings:
        seconds = sorted(t[1] for t in timings)
        print(
            f"| {len(timings)} months, one by one (median / slowest) | {statistics.median(seconds):.1f} / "
            f"{seconds[-1]:.1f} | {max(t[2] for t in timings)} | {max(t[3] for t in timings):,} |"
        )
    print(f"| {months[-1]:%Y-%m} again (idempotent refresh) | {again[0]:.1f} | {again[1]} | {again[2]:,} |")
    print("\n| page | median ms | p90 ms | Python CPU ms | SQL queries | SQL ms | KiB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, m in rows:
        print(
            f"| {label} | {m['median']:.1f} | {m['p90']:.1f} | {m['cpu']:.1f} | {m['queries']} | "
            f"{m['sql_ms']:.1f} | {m['kib']:.0f} |"
        )


if __name__ == "__main__":
    main()
