"""Benchmark "My account" for a member with 13,000 statement lines (target: under 60 ms, under 100 KiB).

Usage (a dedicated database; created if missing, seeded once):

    .venv/bin/python bench/ledger_statement.py --database-url postgres://postgres@127.0.0.1:5432/colocauto_bench_statement

It seeds a community whose heaviest member has ``--lines`` lines spread over ten years (about 110 a month),
among ``--members`` members, plus two other communities of ``--noise`` entries each in the same tables, then
times through Django's test client (server side: middlewares, session, template) the pages a person opens:
this month, a month nine years ago, every line since the start (its latest page, and a page near the start),
as the member and as an admin reading their account (an undo form on every line). It also streams the CSV
of every line (time, bytes, peak Python memory) and builds one year's PDF.

The same script measures the code before the change (no ``Entry.date``, the whole statement on one page):
run it from a checkout of that commit against another database; pages it does not have are skipped.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import tracemalloc
from datetime import date, timedelta
from decimal import Decimal

from ledger_setup import database_label, new_users, setup_django

COMMUNITY_NAME = "Bench statement — Les Relevés"
FIRST_DAY = date(2017, 1, 1)


def seed(lines: int, members: int, noise: int, last_day: date) -> int:
    """The benchmark community's id; its first member has ``lines`` lines between FIRST_DAY and ``last_day``."""
    from django.db import connection, transaction
    from django.utils import timezone

    from communities.models import Community, Membership
    from ledger.models import Account, Entry, Transaction
    from vehicles.models import Vehicle

    community = Community.objects.filter(name=COMMUNITY_NAME).first()
    if community is not None:
        return community.pk
    started = time.perf_counter()
    rng = random.Random(13)
    dated = any(field.name == "date" for field in Entry._meta.get_fields())  # Entry.date: after the change
    span = (last_day - FIRST_DAY).days + 1
    with transaction.atomic():
        main = Community.objects.create(name=COMMUNITY_NAME, municipality="Crest", postal_code="26400")
        plan = [(main, members, lines)] + [
            (
                Community.objects.create(
                    name=f"Bench statement noise {index}", municipality="Die", postal_code="26150"
                ),
                members,
                noise // 2,
            )
            for index in range(2)
        ]
        joined = timezone.now() - timedelta(days=span + 30)
        for community, count, transactions in plan:
            users = new_users(f"st{community.pk}", count)
            Membership.objects.bulk_create(
                Membership(
                    community=community,
                    user=user,
                    status="active",
                    role="admin" if index == 1 else "member",
                    joined_at=joined,
                )
                for index, user in enumerate(users)
            )
            accounts = Account.objects.bulk_create(Account(community=community, user=user) for user in users)
            car = Vehicle.objects.create(community=community, owner=users[1], name="Clio", rate_per_km=Decimal("0.3"))
            days = sorted(FIRST_DAY + timedelta(days=rng.randrange(span)) for _ in range(transactions))
            for batch in range(0, transactions, 5000):
                records = Transaction.objects.bulk_create(
                    Transaction(
                        community=community,
                        kind="trip_charge",
                        date=day,
                        vehicle=car,
                        description=f"{rng.randrange(5, 400)} km",
                    )
                    for day in days[batch : batch + 5000]
                )
                rows = []
                for record in records:
                    # In the main community every transaction is the heavy member's (accounts[0]) line.
                    debit = accounts[0] if community is main else rng.choice(accounts)
                    credit = rng.choice([account for account in accounts if account is not debit])
                    amount = Decimal(rng.randrange(100, 20_000)) / 100
                    extra = {"date": record.date} if dated else {}
                    rows += [
                        Entry(transaction=record, account=debit, amount=-amount, **extra),
                        Entry(transaction=record, account=credit, amount=amount, **extra),
                    ]
                Entry.objects.bulk_create(rows, batch_size=10_000)
    with connection.cursor() as cursor:
        for table in ("ledger_entry", "ledger_account", "ledger_transaction"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"Seeded {lines:,} lines + 2 × {noise:,} entries in {time.perf_counter() - started:.1f} s.")
    return main.pk


def median_ms(function, runs: int) -> tuple[float, float]:
    """The median wall time and the median CPU time of this process (the server's Python work, without the
    database's nor the time spent waiting for a core on a loaded machine), in ms."""
    function()  # warm: connection, caches, plans
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


class QueryCounter:
    """Counts the SQL statements run while active (DEBUG off: Django's own query log is not kept)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--lines", type=int, default=13_000)
    parser.add_argument("--members", type=int, default=12)
    parser.add_argument("--noise", type=int, default=200_000, help="entries in each of two other communities")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--skip-pdf", action="store_true")
    args = parser.parse_args()
    setup_django(args.database_url)

    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from communities.models import Membership

    try:
        from ledger import statement_selectors as selectors
    except ImportError:  # revisions before the statement's reads had their own module
        from ledger import selectors
    from ledger.models import Account, Entry
    from ledger.posting import local_today

    community_id = seed(args.lines, args.members, args.noise, date.today())
    memberships = list(
        Membership.objects.filter(community_id=community_id).select_related("user", "community").order_by("user_id")
    )
    heavy, admin = memberships[0], memberships[1]
    account = Account.objects.get(community_id=community_id, user=heavy.user)
    count = Entry.objects.filter(account=account).count()
    today = local_today(heavy.community)
    url = reverse("ledger_account", args=[community_id])
    paged = hasattr(selectors, "statement_page")

    deep = None
    if paged:
        start = list(Entry.objects.filter(account=account).order_by("date", "transaction_id")[100:101])[0]
        deep = str(selectors.LinePosition(start.date, start.transaction_id))
    old_month = f"{today.year - 9}-{today.month:02d}"
    cases = [
        ("this month", {}),
        (f"a month nine years ago ({old_month})", {"month": old_month}),
        ("every line since the start: latest page" if paged else "every line since the start (one page)", {"all": 1}),
    ]
    if deep:
        cases.append(("every line since the start: a page near the start", {"all": 1, "before": deep}))

    print(f"\n{database_label()}; the member has {count:,} lines; two other communities hold 2 × {args.noise:,}.\n")
    print("| page | viewer | median (wall) | median (CPU) | HTML | SQL queries |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for viewer, membership, extra in (("the member", heavy, {}), ("an admin", admin, {"member": heavy.user_id})):
        client = Client()
        client.force_login(membership.user)
        for label, params in cases:
            query = {**params, **extra}
            queries = QueryCounter()
            with connection.execute_wrapper(queries):
                response = client.get(url, query)
            assert response.status_code == 200, response.status_code
            size = len(response.content)
            started = time.perf_counter()
            client.get(url, query)
            runs = args.runs if time.perf_counter() - started < 1 else 3  # the old whole statement: 4 s a request
            wall, cpu = median_ms(lambda client=client, query=query: client.get(url, query), runs)
            print(f"| {label} | {viewer} | {wall:.1f} ms | {cpu:.1f} ms | {size / 1024:,.1f} KiB | {queries.count} |")

    client = Client()
    client.force_login(heavy.user)
    csv_url = reverse("ledger_statement_csv", args=[community_id])
    tracemalloc.start()
    started, started_cpu = time.perf_counter(), time.process_time()
    response = client.get(csv_url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    csv_ms, csv_cpu = (time.perf_counter() - started) * 1000, (time.process_time() - started_cpu) * 1000
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows = body.count(b"\n") - 1
    print(
        f"\nCSV of every line: {csv_ms:,.0f} ms ({csv_cpu:,.0f} ms CPU), {len(body) / 1024:,.0f} KiB, {rows:,} rows, "
    )
    print(f"peak Python memory {peak / 1024 / 1024:.1f} MiB, streamed: {response.streaming}.")

    if not args.skip_pdf:
        pdf_url = reverse("ledger_statement_pdf", args=[community_id])
        year = today.year - 1
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(pdf_url, {"year": year} if paged else {"month": f"{year}-01"})
        pdf_ms, pdf_cpu = (time.perf_counter() - started) * 1000, (time.process_time() - started_cpu) * 1000
        what = f"the year {year}" if paged else f"the month {year}-01"
        size = len(response.content) / 1024
        print(
            f"PDF of {what}: {pdf_ms:,.0f} ms ({pdf_cpu:,.0f} ms CPU), {size:,.0f} KiB, status {response.status_code}."
        )


if __name__ == "__main__":
    main()
