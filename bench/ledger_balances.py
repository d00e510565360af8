"""Benchmark a community's balances at 1× and 16× history (target: the same time, within 20 %).

Usage (a dedicated database; created if missing, seeded once):

    .venv/bin/python bench/ledger_balances.py --database-url postgres://postgres@127.0.0.1:5432/colocauto_bench_ledger

Two benchmark communities of 40 members and the pool: one with ``--entries`` ledger entries (1×), one
with ``--history`` times as many (16×, same members, same amounts' distribution). It times
``ledger.selectors.balances_for`` (the stored balances and the member list) and the whole balances and
settle-up pages through Django's test client, warm, with their SQL query counts; the pages of both
communities are requested in turn, round after round, so both see the same machine load, and the
medians are compared. Other communities' entries (``--noise``) sit in the same tables, as in production.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from datetime import date, timedelta
from decimal import Decimal
from functools import partial

from ledger_setup import database_label, new_users, setup_django

COMMUNITY_NAME = "Bench ledger — Les Balances"
MEMBERS = 40


def seed(entries: int, noise: int, history: int) -> tuple[int, int]:
    """The benchmark communities' ids (1× and ``history``×), with ``entries`` and ``history`` × ``entries``
    entries (two per transaction) among their members."""
    from django.db import transaction
    from django.utils import timezone

    from communities.models import Community, Membership
    from ledger.models import Account, Entry, Transaction

    long_name = f"{COMMUNITY_NAME} ×{history}"
    community = Community.objects.filter(name=COMMUNITY_NAME).first()
    longer = Community.objects.filter(name=long_name).first()
    if community is not None and longer is not None:
        return community.pk, longer.pk
    started = time.perf_counter()
    rng = random.Random(42)
    # One database transaction per batch, as postings arrive in production (and so the deferred balance
    # check of each batch runs at its commit). Names are given last: a seeding cut short is never reused.
    with transaction.atomic():
        communities = [
            Community.objects.create(name=f"{name} (seeding)", municipality="Crest", postal_code="26400")
            for name in (COMMUNITY_NAME, long_name)
        ]
        communities += [
            Community.objects.create(name=f"Bench ledger noise {index}", municipality="Die", postal_code="26150")
            for index in range(2)
        ]
    joined = timezone.now() - timedelta(days=800)
    counts = [entries, entries * history, noise, noise]
    for community, count in zip(communities, counts, strict=True):
        with transaction.atomic():
            users = new_users(f"bal{community.pk}", MEMBERS)
            Membership.objects.bulk_create(
                Membership(community=community, user=user, status="active", joined_at=joined) for user in users
            )
            accounts = Account.objects.bulk_create(Account(community=community, user=user) for user in users)
            accounts.append(Account.objects.create(community=community, kind=Account.Kind.POOL))
        first_day = date(2023, 1, 1)
        for batch_start in range(0, count // 2, 10_000):
            size = min(10_000, count // 2 - batch_start)
            with transaction.atomic():
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
    for community, name in zip(communities, (COMMUNITY_NAME, long_name), strict=False):
        Community.objects.filter(pk=community.pk).update(name=name)
    from django.db import connection

    # What autovacuum does soon after a bulk load: statistics, and the visibility map that lets the
    # sum read the (account, amount) index alone.
    with connection.cursor() as cursor:
        for table in ("ledger_entry", "ledger_account", "ledger_transaction"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(
        f"Seeded {entries:,} + {entries * history:,} + 2 × {noise:,} entries in {time.perf_counter() - started:.1f} s."
    )
    return communities[0].pk, communities[1].pk


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
    parser.add_argument("--history", type=int, default=16, help="the longer community has this many times more")
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
    from ledger.selectors import balances_for

    short_id, long_id = seed(args.entries, args.noise, args.history)
    print(f"\n{database_label()}; load average before: {os.getloadavg()[0]:.2f}.\n")
    print(
        "| community | entries | `balances_for` | balances page | settle page | SQL queries (selector / balances / settle) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    results = {}
    clients = {}
    for label, community_id in (("1×", short_id), (f"{args.history}×", long_id)):
        membership = Membership.objects.filter(community_id=community_id).select_related("community", "user").first()
        count = Entry.objects.filter(account__community_id=community_id).count()
        with CaptureQueriesContext(connection) as queries:
            rows = balances_for(membership)
        selector_queries = len(queries)  # read now: each request of the test client empties the query log
        assert sum(row.amount for row in rows) == 0, "balances must sum to zero"
        client = Client()
        client.force_login(membership.user)
        urls = [reverse(name, args=[community_id]) for name in ("ledger_balances", "ledger_settle")]
        page_queries = []
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            page_queries.append(len(captured))
        clients[label] = (membership, client, urls)
        results[label] = {"count": count, "queries": (selector_queries, *page_queries), "times": [[], [], []]}
    # Interleaved: one call of each measure for each community, round after round.
    for _round in range(args.runs + 1):
        for label, (membership, client, urls) in clients.items():
            times = results[label]["times"]
            calls = (partial(balances_for, membership), partial(client.get, urls[0]), partial(client.get, urls[1]))
            for index, call in enumerate(calls):
                started = time.perf_counter()
                call()
                if _round:  # the first round warms up
                    times[index].append((time.perf_counter() - started) * 1000)
    medians = {}
    for label, result in results.items():
        medians[label] = [statistics.median(times) for times in result["times"]]
        selector_ms, balances_ms, settle_ms = medians[label]
        queries = " / ".join(str(count) for count in result["queries"])
        print(
            f"| {label} | {result['count']:,} | {selector_ms:.1f} ms | {balances_ms:.1f} ms | {settle_ms:.1f} ms | {queries} |"
        )
    short, long = medians.values()
    print(
        f"\n{args.history}× / 1×: balances_for {long[0] / short[0]:.2f}, balances page {long[1] / short[1]:.2f}, "
        f"settle page {long[2] / short[2]:.2f}; load average after: {os.getloadavg()[0]:.2f}."
    )


if __name__ == "__main__":
    main()
