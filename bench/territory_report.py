"""Benchmark the territory reports: a département of 300 communes among 5,000 communities.

Usage (a dedicated PostgreSQL database, created if missing and seeded once, about 5 minutes):

    .venv/bin/python bench/territory_report.py --database-url postgres://postgres@127.0.0.1:5432/colocauto_bench_territory

Data (``bench/territory_setup.py``): 5,000 communities, 50,000 members, 10,000 vehicles, 1,000,000
bookings over the last 3 years with their 880,000 trips and 600,000 ledger charges; the département
holds 1,500 sharing communities in 15 intercommunalities of 20 communes.

It then stores the roll-up of each ended month the dashboard reads, as the monthly job does (each one
timed: the "roll-up of one month" figures; ``--skip-rollup`` skips the final re-run of the last one), and
measures, with Django's test client in-process (``DEBUG`` off, a territory staff member logged in,
2 warm-up requests, then ``--runs`` timed ones): the dashboard (warm, as after the job's cache warming,
and with the cache emptied before each request) and the PDF report of the département, of one of its
intercommunalities, of one commune and of a département with 5 communities (query counts must not change
with the number of communities), then the open-data feed's files. It prints Markdown tables for
BENCHMARKS.md. ``--fresh`` drops the database and seeds it again.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import date

from ledger_setup import database_label, recreate_database, setup_django


def report_months(extra: int) -> list[date]:
    """The ended months the dashboard reads (those of the years holding the last 24), plus ``extra`` older ones."""
    from django.utils import timezone

    from territories.periods import periods_of_years
    from territories.reports import dashboard_years

    today = timezone.localdate()
    months = sorted({day for period in periods_of_years(dashboard_years(today), today) for day in period.month_starts})
    for _ in range(extra):
        first = months[0]
        months.insert(0, date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1))
    return months


def small_departement():
    """A second département of the same depth with 5 sharing communities, to compare query counts with."""
    from communities.models import Community
    from territories.models import Territory, TerritoryConsent

    departement, _created = Territory.objects.get_or_create(
        code="05", defaults={"name": "Hautes-Alpes (Bench territory)", "kind": Territory.Kind.DEPARTEMENT}
    )
    epci, _created = Territory.objects.get_or_create(
        code="200067452", defaults={"name": "CC du Briançonnais", "kind": Territory.Kind.EPCI, "parent": departement}
    )
    commune, _created = Territory.objects.get_or_create(
        code="05023", defaults={"name": "Briançon", "kind": Territory.Kind.COMMUNE, "parent": epci}
    )
    if not TerritoryConsent.objects.filter(territory=commune).exists():
        communities = Community.objects.filter(name__startswith="Bench territory elsewhere").order_by("pk")[:5]
        TerritoryConsent.objects.bulk_create(TerritoryConsent(community=c, territory=commune) for c in communities)
    return departement


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


def fill_territory_usage() -> tuple[float, int, int]:
    """Sum every territory's roll-up that is not in step yet (a database seeded before it existed):
    seconds, queries, rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from territories.models import TerritoryUsage
    from territories.usage import territory_usage_sync

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        territory_usage_sync()
    return time.perf_counter() - started, len(queries), TerritoryUsage.objects.count()


def consent_change(departement, client, url: str) -> tuple[float, int, dict]:
    """A community of the département withdraws its consent (the service, timed: seconds and queries),
    then the dashboard is asked with an empty cache; the consent is given again afterwards."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from communities.models import Membership
    from territories import services
    from territories.models import TerritoryConsent

    consent = (
        TerritoryConsent.objects.filter(withdrawn_at=None, territory__parent__parent=departement)
        .exclude(community__territory_consents__territory__parent=departement)
        .order_by("pk")
        .first()
    )
    admin = Membership.objects.get(community_id=consent.community_id, role=Membership.Role.ADMIN, status="active")
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        services.consent_withdraw(membership=admin, consent=consent)
    seconds = time.perf_counter() - started
    cache.clear()
    after = measure(client, url, runs=1, warmup=0, cold=True)
    services.consent_grant(membership=admin, territory=consent.territory)
    return seconds, len(queries), after


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


def measure(client, url: str, runs: int, warmup: int = 2, cold: bool = False) -> dict:
    """Median and p90 wall-clock ms, median CPU ms of this process, SQL queries and bytes of ``url``;
    ``cold``: the cache is emptied before each request (the first view after the data changed)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    walls, cpus = [], []
    for _ in range(runs):
        if cold:
            cache.clear()
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
    if cold:
        cache.clear()
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="postgres://user@host:port/dbname (dedicated)")
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page (default 20)")
    parser.add_argument("--cold-runs", type=int, default=5, help="timed requests with an empty cache (default 5)")
    parser.add_argument("--redis-url", help="cache in this Redis database (emptied!), as in production")
    parser.add_argument("--pdf-runs", type=int, default=5, help="timed PDF requests (default 5)")
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database, then seed it again")
    parser.add_argument("--skip-rollup", action="store_true", help="measure the pages only (roll-ups already stored)")
    parser.add_argument("--extra-months", type=int, default=0, help="also store the roll-up of N older months")
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("the benchmark runs on PostgreSQL: give a postgres:// URL")
    if args.redis_url:
        os.environ["REDIS_URL"] = args.redis_url
    if args.fresh:
        recreate_database(args.database_url)
    setup_django(args.database_url)

    import territory_setup
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from territories.models import Territory

    if not territory_setup.is_seeded():
        print("Seeding (once):", flush=True)
        territory_setup.seed()
    from django.conf import settings

    print(f"Database: {database_label()}; cache: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}")

    print("Roll-ups of the ended months not stored yet:", flush=True)
    months = report_months(args.extra_months)
    timings = store_rollups(months)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE territories_monthlyusage")  # as autovacuum does after a bulk change
    fill = fill_territory_usage()
    print(f"  territories' roll-up brought in step: {fill[0]:.1f} s, {fill[1]} queries, {fill[2]:,} rows", flush=True)
    again = None
    if not args.skip_rollup:
        again = time_rollup_again(months[-1])
        print(f"  roll-up {months[-1]:%Y-%m} refreshed again: {again[0]:.1f} s, {again[1]} queries, {again[2]:,} rows")

    departement = Territory.objects.get(code="26")
    epci = Territory.objects.filter(parent=departement).order_by("code").first()
    commune = Territory.objects.filter(parent=epci).order_by("code").first()
    rows = []
    small = small_departement()
    for label, territory in (
        ("département", departement),
        ("intercommunalité", epci),
        ("commune", commune),
        ("small département", small),
    ):
        client = staff_client(territory)
        communities = sharing_count(territory)
        dashboard_url = reverse("territory_dashboard", kwargs={"territory_id": territory.pk})
        rows.append((f"Dashboard, {label} ({communities:,} communities)", measure(client, dashboard_url, args.runs)))
        print(rows[-1], flush=True)
        cold = measure(client, dashboard_url, args.cold_runs, warmup=0, cold=True)
        rows.append((f"Dashboard, {label}, cache emptied before each request", cold))
        print(rows[-1], flush=True)
        if territory == departement:
            seconds, queries, after = consent_change(departement, client, dashboard_url)
            print(f"  a community withdrew its consent: {seconds * 1000:.0f} ms, {queries} queries", flush=True)
            rows.append((f"Dashboard, {label}, first request after a consent was withdrawn", after))
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

    print(f"\nLoad average while measuring: {' / '.join(f'{x:.1f}' for x in os.getloadavg())} (1 / 5 / 15 min)")
    print("\n| roll-up | seconds | SQL queries | rows |\n| --- | ---: | ---: | ---: |")
    if timings:
        seconds = sorted(t[1] for t in timings)
        print(
            f"| {len(timings)} months, one by one (median / slowest) | {statistics.median(seconds):.1f} / "
            f"{seconds[-1]:.1f} | {max(t[2] for t in timings)} | {max(t[3] for t in timings):,} |"
        )
    if again:
        print(f"| {months[-1]:%Y-%m} again (idempotent refresh) | {again[0]:.1f} | {again[1]} | {again[2]:,} |")
    print(f"| territories' roll-up brought in step | {fill[0]:.1f} | {fill[1]} | {fill[2]:,} |")
    print("\n| page | median ms | p90 ms | Python CPU ms | SQL queries | SQL ms | KiB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, m in rows:
        print(
            f"| {label} | {m['median']:.1f} | {m['p90']:.1f} | {m['cpu']:.1f} | {m['queries']} | "
            f"{m['sql_ms']:.1f} | {m['kib']:.0f} |"
        )


if __name__ == "__main__":
    main()
