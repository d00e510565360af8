"""Shared parts of the monthly-job benchmark (``bench/ledger_month_close.py``): the seeded communities,
and measuring the processes of a Celery worker (resident memory, CPU time of the worker and of the
PostgreSQL backends serving it)."""

from __future__ import annotations

import os
import socket
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

MEMBERS = 10


def seed(communities: int, month) -> None:
    from django.db import transaction
    from django.utils import timezone

    from bookings.models import Booking, Trip
    from colocauto.core.clock import midnight
    from communities.models import Community, Membership, User
    from ledger.models import Account, Entry, Expense, Transaction
    from ledger.posting import community_tz
    from vehicles.models import Vehicle

    if Community.objects.filter(name__startswith="Bench close ").exists():
        print("Already seeded.")
        return
    started = time.perf_counter()
    long_ago = timezone.now() - timedelta(days=400)
    chunk = 250
    for first in range(0, communities, chunk):
        with transaction.atomic():
            batch = Community.objects.bulk_create(
                Community(name=f"Bench close {index}", municipality="Crest", postal_code="26400")
                for index in range(first, min(first + chunk, communities))
            )
            users = User.objects.bulk_create(
                User(email=f"close-{c.pk}-{i}@bench.example", display_name=f"M{i} {c.pk}", password="!")
                for c in batch
                for i in range(MEMBERS)
            )
            people = {c.pk: users[n * MEMBERS : (n + 1) * MEMBERS] for n, c in enumerate(batch)}
            Membership.objects.bulk_create(
                Membership(
                    community=c, user=u, status="active", joined_at=long_ago, role="admin" if i == 0 else "member"
                )
                for c in batch
                for i, u in enumerate(people[c.pk])
            )
            vehicles = Vehicle.objects.bulk_create(
                vehicle
                for c in batch
                for vehicle in (
                    Vehicle(community=c, owner=people[c.pk][0], name="Clio", rate_per_km=Decimal("0.300")),
                    Vehicle(
                        community=c,
                        owner=people[c.pk][1],
                        name="Kangoo",
                        cost_model="shared_costs",
                        fixed_monthly_cost=Decimal("40.00"),
                    ),
                )
            )
            lent = {v.community_id: v for v in vehicles if v.cost_model == "rates"}
            shared = {v.community_id: v for v in vehicles if v.cost_model == "shared_costs"}
            mid = midnight(month + timedelta(days=14), community_tz(batch[0]))
            plan = []  # (vehicle, driver index, km, hour)
            for c in batch:
                plan += [(c, lent[c.pk], 2, 40, 8), (c, lent[c.pk], 3, 60, 11)]
                plan += [(c, shared[c.pk], 1, 100, 8), (c, shared[c.pk], 4, 50, 11), (c, shared[c.pk], 5, 30, 14)]
            bookings = Booking.objects.bulk_create(
                Booking(
                    community=c,
                    vehicle=v,
                    member=people[c.pk][d],
                    starts_at=mid + timedelta(hours=h),
                    ends_at=mid + timedelta(hours=h + 2),
                    status="completed",
                )
                for c, v, d, _km, h in plan
            )
            trips = Trip.objects.bulk_create(
                Trip(
                    booking=b,
                    vehicle=v,
                    driver=people[c.pk][d],
                    start_odometer=10_000,
                    end_odometer=10_000 + km,
                    distance_km=km,
                    started_at=b.starts_at,
                    ended_at=b.ends_at,
                )
                for b, (c, v, d, km, _h) in zip(bookings, plan, strict=True)
            )
            expenses = Expense.objects.bulk_create(
                Expense(
                    community=c,
                    vehicle=v,
                    category=category,
                    amount=Decimal(amount),
                    spent_on=month + timedelta(days=day),
                    paid_by=people[c.pk][payer],
                    created_by=people[c.pk][payer],
                    cost_model=v.cost_model,
                )
                for c in batch
                for v, category, amount, day, payer in (
                    (shared[c.pk], "fuel", "60.00", 9, 4),
                    (shared[c.pk], "maintenance", "120.00", 19, 1),
                    (lent[c.pk], "fuel", "30.00", 12, 2),
                )
            )
            # Postings made during the month (trip charges on the lent car, the fuel its driver paid),
            # written in bulk as the services would: each transaction sums to zero.
            accounts = Account.objects.bulk_create(
                Account(community=c, user=people[c.pk][i]) for c in batch for i in (0, 2, 3)
            )
            account = {(a.community_id, a.user_id): a for a in accounts}
            lent_trips = [t for t in trips if t.vehicle.cost_model == "rates"]
            lent_expenses = [e for e in expenses if e.cost_model == "rates"]
            records = Transaction.objects.bulk_create(
                [
                    Transaction(
                        community_id=t.vehicle.community_id,
                        kind="trip_charge",
                        date=t.ended_at.date(),
                        trip=t,
                        vehicle=t.vehicle,
                        idempotency_key=f"trip:{t.pk}",
                    )
                    for t in lent_trips
                ]
                + [
                    Transaction(
                        community_id=e.community_id,
                        kind="expense",
                        date=e.spent_on,
                        expense=e,
                        vehicle=e.vehicle,
                        author=e.created_by,
                        idempotency_key=f"expense:{e.pk}",
                    )
                    for e in lent_expenses
                ]
            )
            entries = []
            for record, t in zip(records, lent_trips, strict=False):
                amount = Decimal(t.distance_km) * Decimal("0.30")
                owner = account[(record.community_id, t.vehicle.owner_id)]
                entries += [
                    Entry(
                        transaction=record,
                        account=account[(record.community_id, t.driver_id)],
                        amount=-amount,
                        date=record.date,
                    ),
                    Entry(transaction=record, account=owner, amount=amount, date=record.date),
                ]
            for record, e in zip(records[len(lent_trips) :], lent_expenses, strict=True):
                owner = account[(record.community_id, e.vehicle.owner_id)]
                entries += [
                    Entry(
                        transaction=record,
                        account=account[(record.community_id, e.paid_by_id)],
                        amount=e.amount,
                        date=record.date,
                    ),
                    Entry(transaction=record, account=owner, amount=-e.amount, date=record.date),
                ]
            Entry.objects.bulk_create(entries)
            ids = [c.pk for c in batch]
            Community.objects.filter(pk__in=ids).update(created_at=long_ago)
            Vehicle.objects.filter(community_id__in=ids).update(created_at=long_ago)
        print(f"  seeded {min(first + chunk, communities):,} communities", flush=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"Seeded {communities:,} communities, {communities * MEMBERS:,} members in {time.perf_counter() - started:.0f} s."
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"Timed out waiting for {what}.")
        time.sleep(0.2)


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its children (the prefork pool), in MiB."""
    pids = [pid, *children_of(pid)]
    total = 0
    for each in pids:
        for line in Path(f"/proc/{each}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def cpu_seconds(pids) -> dict[int, float]:
    """User + system CPU time of each process still running (Linux /proc), in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    times = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        times[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return times


class CpuMeter:
    """CPU time of a worker's processes and of the PostgreSQL backends serving them, sampled along the run:
    a backend that closes during the run (a worker reconnects every few hundred tasks) still counts, up to
    its last sample (the last half second of its life is lost)."""

    def __init__(self, worker_pid: int) -> None:
        self.worker_pid = worker_pid
        self.start = cpu_seconds(job_processes(worker_pid))  # pids alive before the run: count their increase
        self.last: dict[int, float] = dict(self.start)
        self.python_pids = {worker_pid, *children_of(worker_pid)}

    def sample(self) -> None:
        self.python_pids.update(children_of(self.worker_pid))
        self.last.update(cpu_seconds(job_processes(self.worker_pid)))

    def total(self) -> tuple[float, float, float]:
        """Seconds since the start: (the worker's main process, its pool processes, the PostgreSQL backends)."""
        main = pool = database = 0.0
        for pid, seconds in self.last.items():
            used = seconds - self.start.get(pid, 0.0)
            if pid == self.worker_pid:
                main += used
            elif pid in self.python_pids:
                pool += used
            else:
                database += used
        return main, pool, database


def children_of(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def job_processes(worker_pid: int) -> list[int]:
    """The worker, its pool processes, and the PostgreSQL backends serving this database (theirs)."""
    from django.db import connection

    children = children_of(worker_pid)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        backends = [pid for (pid,) in cursor.fetchall()]
    return [worker_pid, *children, *backends]
