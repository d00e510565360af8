"""Benchmark the monthly job: close last month for 5,000 communities / 50,000 members.

Usage (a dedicated PostgreSQL database; ``--fresh`` drops and recreates it, since ledger rows can
never be deleted and a closed month is never closed twice):

    .venv/bin/python bench/ledger_month_close.py --fresh --mode workers --workers 2 \\
        --database-url postgres://postgres@127.0.0.1:5432/colocauto_bench_close

Each community has 10 members, a lent car (rates) and a co-owned car (shared costs, fixed monthly
costs), five trips and three expenses last month. ``--mode``:

- ``workers``: the production shape. A private redis-server and one Celery worker with ``--workers``
  prefork processes; ``ledger.tasks.month_close_all`` fans out one ``month_close_community`` task per
  community, each of which queues its ``settlement_emails_send``. E-mails go to the locmem backend
  (emptied after each batch, ``bench/mail_backends.py``). Reports the wall time until every period is
  marked mailed, and the worker processes' resident memory along the way.
- ``inline``: one process, tasks in-process (Celery eager, locmem), community after community: the
  time and SQL statements (round trips, BEGIN/COMMIT included) per community (min / median / max:
  constant means no N+1), the process's peak resident memory, and the Python heap's peak
  (tracemalloc) over the first ``--traced`` communities.
- ``smtp``: as ``inline``, but e-mails go over SMTP to a real server on loopback (aiosmtpd,
  ``bench/smtp_sink.py``, in its own process): time per community, and the SMTP connections it took.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from ledger_setup import ROOT, database_label, recreate_database, setup_django

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


def run_job(month, traced: int, smtp_port: int | None = None) -> None:
    """The monthly job, community by community, exactly as the worker runs it (eager tasks)."""
    from django.core import mail
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from colocauto.celery import app
    from ledger import tasks
    from ledger.closing import communities_to_close
    from ledger.models import SettlementPeriod, Transfer

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    setup_test_environment()  # mail.outbox for the locmem backend
    if smtp_port:
        from django.conf import settings

        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", smtp_port, False
        settings.EMAIL_TIMEOUT = 10
    ids = list(communities_to_close(month))
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queries, emails, durations = [], 0, []
    tracemalloc.start()
    started = time.perf_counter()
    cpu_started = time.process_time()
    for position, community_id in enumerate(ids):
        if position == traced:
            heap_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        connection.queries_log.clear()  # the log keeps 9,000 queries: count each community from empty
        begun = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            tasks.month_close_community(community_id, f"{month:%Y-%m}")
        durations.append(time.perf_counter() - begun)
        queries.append(len(captured))
        emails += len(mail.outbox) if not smtp_port else 0
        mail.outbox.clear()
    total = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    if tracemalloc.is_tracing():
        heap_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    periods = SettlementPeriod.objects.filter(month=month, emails_sent_at__isnull=False).count()
    transfers = Transfer.objects.filter(period__month=month).count()
    untraced = durations[traced:] or durations
    print(f"\n{database_label()}; month {month:%Y-%m}; {len(ids):,} communities closed ({periods:,} periods).\n")
    print("| measure | value |")
    print("| --- | ---: |")
    print(f"| total time | {total:.0f} s |")
    print(f"| per community (median, untraced) | {statistics.median(untraced) * 1000:.1f} ms |")
    print(
        f"| CPU time of the job process per community (mean, PostgreSQL not included) | {cpu / len(ids) * 1000:.1f} ms |"
    )
    print(f"| machine load (1-minute average) at the end | {os.getloadavg()[0]:.1f} |")
    print(
        f"| SQL queries per community (min / median / max) | {min(queries)} / {statistics.median(queries):.0f} / {max(queries)} |"
    )
    if not smtp_port:
        print(f"| e-mails sent | {emails:,} |")
    print(f"| transfers in the plans | {transfers:,} |")
    print(
        f"| peak resident memory of the job process | {rss_after / 1024:.0f} MiB (after set-up: {rss_before / 1024:.0f} MiB) |"
    )
    print(
        f"| Python heap peak over the first {min(traced, len(ids)):,} communities (tracemalloc) | {heap_peak / 1024 / 1024:.1f} MiB |"
    )


def free_port() -> int:
    import socket

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
    pids = [pid] + [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
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


def job_processes(worker_pid: int) -> list[int]:
    """The worker, its pool processes, and the PostgreSQL backends serving this database (theirs)."""
    from django.db import connection

    children = [int(child) for child in Path(f"/proc/{worker_pid}/task/{worker_pid}/children").read_text().split()]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        backends = [pid for (pid,) in cursor.fetchall()]
    return [worker_pid, *children, *backends]


def run_workers(month, database_url: str, workers: int) -> None:
    """The job as production runs it: beat's task fans out one task per community to ``workers`` processes."""
    from colocauto.celery import app
    from ledger.closing import communities_to_close
    from ledger.models import SettlementEmail, SettlementPeriod, Transfer

    expected = communities_to_close(month).count()
    port = free_port()
    broker_url = f"redis://127.0.0.1:{port}/0"
    redis = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    log = Path(tempfile.mkstemp(prefix="month-close-worker-", suffix=".log")[1])
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": broker_url,
        "DJANGO_SETTINGS_MODULE": "colocauto.settings",
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'bench'}",
        "BENCH_EMAIL_BACKEND": "mail_backends.EmptiedLocmemBackend",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "celery", "-A", "colocauto", "worker", f"--concurrency={workers}"]
    command += ["--pool=prefork", "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    with log.open("w") as output:
        worker = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "bench_worker.py"), *command[3:]],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        app.conf.broker_url, app.conf.task_always_eager = broker_url, False
        wait_until(lambda: worker.poll() is not None or app.control.ping(timeout=0.5), 60, "the worker")
        if worker.poll() is not None:
            raise SystemExit(f"The worker stopped:\n{log.read_text()[-3000:]}")
        rss_start = rss_mib(worker.pid)
        cpu_start = cpu_seconds(job_processes(worker.pid))
        samples = []  # (seconds, communities mailed, worker memory MiB)
        started = time.perf_counter()
        app.send_task("ledger.tasks.month_close_all", args=[f"{month:%Y-%m}"])
        done = 0
        while done < expected:
            time.sleep(0.5)
            done = SettlementPeriod.objects.filter(month=month, emails_sent_at__isnull=False).count()
            samples.append((time.perf_counter() - started, done, rss_mib(worker.pid)))
            if worker.poll() is not None:
                raise SystemExit(f"The worker stopped:\n{log.read_text()[-3000:]}")
            if samples[-1][0] > 1800:
                raise SystemExit("Not finished after 30 minutes.")
        total = time.perf_counter() - started
        cpu_end = cpu_seconds(job_processes(worker.pid))
        cpu = sum(seconds - cpu_start.get(pid, 0.0) for pid, seconds in cpu_end.items())
        load = os.getloadavg()[0]
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        redis.kill()
    sent = SettlementEmail.objects.filter(period__month=month, sent_at__isnull=False).count()
    transfers = Transfer.objects.filter(period__month=month).count()
    print(f"\n{database_label()}; month {month:%Y-%m}; one Celery worker, {workers} prefork processes.\n")
    print("| measure | value |")
    print("| --- | ---: |")
    print(f"| communities closed and mailed | {done:,} |")
    print(f"| total time (wall, from queueing month_close_all) | {total:.1f} s |")
    print(f"| per community (wall time ÷ communities) | {total / max(done, 1) * 1000:.1f} ms |")
    print(f"| e-mails sent | {sent:,} |")
    print(f"| transfers in the plans | {transfers:,} |")
    print(f"| CPU time of the job: worker processes + their PostgreSQL backends | {cpu:.0f} s |")
    print(
        f"| that CPU time spread over the {os.cpu_count()} cores (the wall time of an idle machine) | {cpu / os.cpu_count():.0f} s |"
    )
    print(f"| machine load (1-minute average) at the end | {load:.1f} |")
    marks = [samples[int(len(samples) * share) - 1] for share in (0.1, 0.5, 1.0)]
    memory = ", ".join(f"{mib:.0f} MiB at {count:,}" for _seconds, count, mib in marks)
    print(f"| worker resident memory (all processes): at start / along the run | {rss_start:.0f} MiB / {memory} |")
    print(f"\nWorker log: {log}")


def run_smtp(month, database_url: str, traced: int) -> None:
    """``inline`` with a real SMTP server on loopback, in its own process."""
    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "smtp_sink.py"), str(port)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert sink.stdout is not None
        sink.stdout.readline()  # "ready"
        command = [sys.executable, __file__, "--database-url", database_url, "--job-only", "--traced", str(traced)]
        subprocess.run([*command, "--smtp-port", str(port)], check=True)
    finally:
        sink.send_signal(signal.SIGTERM)
        counts = sink.communicate(timeout=30)[0].strip()
    print(f"| SMTP server (aiosmtpd, loopback): connections, messages | {counts} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--communities", type=int, default=5000)
    parser.add_argument("--mode", choices=["workers", "inline", "smtp"], default="inline")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (mode workers)")
    parser.add_argument("--traced", type=int, default=200)
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    parser.add_argument("--job-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--smtp-port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fresh and not args.job_only:
        recreate_database(args.database_url)
    setup_django(args.database_url)

    from django.utils import timezone

    from colocauto.core.clock import previous_month

    month = previous_month(timezone.localdate())
    if args.job_only:
        run_job(month, args.traced, args.smtp_port)
        return
    seed(args.communities, month)
    if args.mode == "workers":
        run_workers(month, args.database_url, args.workers)
        return
    if args.mode == "smtp":
        run_smtp(month, args.database_url, args.traced)
        return
    # A fresh process, so its peak memory is the job's, not the seeding's.
    command = [
        sys.executable,
        __file__,
        "--database-url",
        args.database_url,
        "--job-only",
        "--traced",
        str(args.traced),
    ]
    subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
