"""Benchmark a community's balances with 100,000 ledger entries (target: under 20 ms on PostgreSQL).

Usage (a dedicated database; created if missing, seeded once):

    .venv/bin/python bench/ledger_balances.py --database-url postgres://postgres@127.0.0.1:5432/colocauto_bench_ledger

It times ``ledger.selectors.balances_for`` (the one aggregate query the balances page, the account
page and the settle-up page use, plus the member list) warm, as the median of ``--runs`` calls, and
the whole balances page through Django's test client, with their SQL query counts. Other
communities' entries (``--noise``) sit in the same tables, as in production.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date, timedelta
from decimal import Decimal

from ledger_setup import database_label, new_users, setup_django

COMMUNITY_NAME = "Bench ledger — Les Balances"
MEMBERS = 40


def seed(entries: int, noise: int) -> int:
    """The benchmark community's id, with ``entries`` entries (two per transaction) among its members."""
    from django.db import transaction
    from django.utils import timezone

    from communities.models import Community, Membership
    from ledger.models import Account, Entry, Transaction

    community = Community.objects.filter(name=COMMUNITY_NAME).first()
    if community is not None:
        return community.pk
    started = time.perf_counter()
    rng = random.Random(42)
    with transaction.atomic():
        communities = [Community.objects.create(name=COMMUNITY_NAME, municipality="Crest", postal_code="26400")]
        communities += [
            Community.objects.create(name=f"Bench ledger noise {index}", municipality="Die", postal_code="26150")
            for index in range(2)
        ]
        joined = timezone.now() - timedelta(days=800)
        for community, count in zip(communities, [entries, noise, noise], strict=True):
            users = new_users(f"bal{community.pk}", MEMBERS)
            Membership.objects.bulk_create(
                Membership(community=community, user=user, status="active", joined_at=joined) for user in users
            )
            accounts = Account.objects.bulk_create(Account(community=community, user=user) for user in users)
            accounts.append(Account.objects.create(community=community, kind=Account.Kind.POOL))
            first_day = date(2023, 1, 1)
            for batch_start in range(0, count // 2, 10_000):
                size = min(10_000, count // 2 - batch_start)
                records = Transaction.objects.bulk_create(
                    Transaction(
                        community=community, kind="expense", date=first_day + timedelta(days=rng.randrange(1000))
                    )
                    for _ in range(size)
                )
                rows = []
                for record in records:
                    credit, debit = rng.sample(accounts, 2)
                    amount = Decimal(rng.randrange(1, 20_000)) / 100
                    rows += [
                        Entry(transaction=record, account=credit, amount=amount, date=record.date),
                        Entry(transaction=record, account=debit, amount=-amount, date=record.date),
                    ]
                Entry.objects.bulk_create(rows, batch_size=10_000)
    from django.db import connection

    # What autovacuum does soon after a bulk load: statistics, and the visibility map that lets the
    # sum read the (account, amount) index alone.
    with connection.cursor() as cursor:
        for table in ("ledger_entry", "ledger_account", "ledger_transaction"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"Seeded {entries:,} + 2 × {noise:,} entries in {time.perf_counter() - started:.1f} s.")
    return communities[0].pk


def median_ms(function, runs: int) -> float:
    function()  # warm: connection, caches, plans
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--noise", type=int, default=100_000, help="entries in each of two other communities")
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    setup_django(args.database_url)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from communities.models import Membership
    from ledger.models import Entry
    from ledger.posting import account_balances
    from ledger.selectors import balances_for

    community_id = seed(args.entries, args.noise)
    membership = Membership.objects.filter(community_id=community_id).select_related("community", "user").first()
    count = Entry.objects.filter(account__community_id=community_id).count()

    with CaptureQueriesContext(connection) as queries:
        rows = balances_for(membership)
    selector_queries = len(queries)  # read now: each request of the test client empties the query log
    assert sum(row.amount for row in rows) == 0, "balances must sum to zero"
    selector_ms = median_ms(lambda: balances_for(membership), args.runs)
    aggregate_ms = median_ms(lambda: account_balances(community_id), args.runs)

    client = Client()
    client.force_login(membership.user)
    url = reverse("ledger_balances", args=[community_id])
    with CaptureQueriesContext(connection) as page_queries:
        assert client.get(url).status_code == 200
    page_query_count = len(page_queries)
    page_ms = median_ms(lambda: client.get(url), max(args.runs // 5, 5))

    print(f"\n{database_label()}, {count:,} entries in the community, {len(rows)} balances.\n")
    print("| measure | median | SQL queries |")
    print("| --- | ---: | ---: |")
    print(f"| one aggregate query (`account_balances`) | {aggregate_ms:.1f} ms | 1 |")
    print(f"| `balances_for` (balances + member list) | {selector_ms:.1f} ms | {selector_queries} |")
    print(f"| balances page, server side (test client) | {page_ms:.1f} ms | {page_query_count} |")


if __name__ == "__main__":
    main()
