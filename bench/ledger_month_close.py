"""Benchmark the monthly job: close last month for 5,000 communities / 50,000 members.

Usage (a dedicated PostgreSQL database; ``--fresh`` drops and recreates it, since ledger rows can
never be deleted and a closed month is never closed twice):

    .venv/bin/python bench/ledger_month_close.py --fresh --mode workers --workers 2 \\
        --database-url postgres://postgres@127.0.0.1:5432/colocauto_bench_close

Each community has 10 members, a lent car (rates) and a co-owned car (shared costs, fixed monthly
costs), five trips and three expenses last month. ``--mode``:

- ``workers``: the production shape. A private redis-server and one Celery worker with ``--workers``
  prefork processes; ``ledger.tasks.month_close_all`` fans out one ``month_close_community`` task per
  community, which closes it and sends its e-mails. E-mails go to the locmem backend (emptied after
  each batch, ``bench/mail_backends.py``). Reports the wall time until every period is marked mailed,
  the CPU time of the worker's processes and of their PostgreSQL backends, the pool's SQL statements
  per community, and the worker processes' resident memory along the way. ``BENCH_WORKER_OPTIONS``
  (environment) adds options to the worker's command line, e.g. ``--prefetch-multiplier=4``.
- ``inline``: one process, tasks in-process (Celery eager, locmem), community after community: the
  wall and CPU time and SQL statements (round trips, BEGIN/COMMIT included) per community (min /
  median / max: constant means no N+1), the process's peak resident memory, and the Python heap's
  peak (tracemalloc) over the first ``--traced`` communities (times are taken after those).
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
from pathlib import Path

from ledger_setup import ROOT, database_label, recreate_database, setup_django
from month_close_support import CpuMeter, free_port, rss_mib, seed, wait_until


def run_job(month, traced: int, smtp_port: int | None = None) -> None:
    """The monthly job, community by community, exactly as the worker runs it (eager tasks)."""
    from django.core import mail
    from django.db import connection

    from colocauto.celery import app
    from ledger import tasks
    from ledger.closing import communities_to_close
    from ledger.models import SettlementPeriod, Transfer

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    mail.outbox = []  # where the locmem backend keeps messages (without the test environment's template signals)
    if smtp_port:
        from django.conf import settings

        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", smtp_port, False
        settings.EMAIL_TIMEOUT = 10
    ids = list(communities_to_close(month))
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    statements = [0]

    def count(execute, sql, params, many, context):  # a round trip each, without the debug cursor's cost
        statements[0] += 1
        return execute(sql, params, many, context)

    commit = connection.commit

    def counted_commit():  # BEGIN (sent by psycopg before the transaction's first statement) and COMMIT
        statements[0] += 2
        commit()

    connection.commit = counted_commit
    queries, emails, durations, cpu_times = [], 0, [], []
    tracemalloc.start()
    started = time.perf_counter()
    for position, community_id in enumerate(ids):
        if position == traced:
            heap_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        statements[0] = 0
        begun, cpu_begun = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(count):
            tasks.month_close_community(community_id, f"{month:%Y-%m}")
        durations.append(time.perf_counter() - begun)
        cpu_times.append(time.process_time() - cpu_begun)
        queries.append(statements[0])
        emails += len(mail.outbox) if not smtp_port else 0
        mail.outbox.clear()
    total = time.perf_counter() - started
    if tracemalloc.is_tracing():
        heap_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    periods = SettlementPeriod.objects.filter(month=month, emails_sent_at__isnull=False).count()
    transfers = Transfer.objects.filter(period__month=month).count()
    untraced, untraced_cpu = durations[traced:] or durations, cpu_times[traced:] or cpu_times
    print(f"\n{database_label()}; month {month:%Y-%m}; {len(ids):,} communities closed ({periods:,} periods).\n")
    print("| measure | value |\n| --- | ---: |")
    print(f"| total time (the first {min(traced, len(ids))} under tracemalloc) | {total:.0f} s |")
    print(f"| per community, wall (median after the traced ones) | {statistics.median(untraced) * 1000:.1f} ms |")
    print(
        "| per community, CPU of the job process (median / mean after the traced ones; PostgreSQL not included) "
        f"| {statistics.median(untraced_cpu) * 1000:.1f} / {statistics.mean(untraced_cpu) * 1000:.1f} ms |"
    )
    print(f"| machine load (1-minute average) at the end | {os.getloadavg()[0]:.1f} |")
    print(
        f"| SQL statements per community (min / median / max) | {min(queries)} / {statistics.median(queries):.0f} / {max(queries)} |"
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
    counts = Path(tempfile.mkdtemp(prefix="month-close-statements-"))
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": broker_url,
        "DJANGO_SETTINGS_MODULE": "colocauto.settings",
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'bench'}",
        "BENCH_EMAIL_BACKEND": "mail_backends.EmptiedLocmemBackend",
        "BENCH_STATEMENTS_DIR": str(counts),
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "celery", "-A", "colocauto", "worker", f"--concurrency={workers}"]
    command += ["--pool=prefork", "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    command += os.environ.get("BENCH_WORKER_OPTIONS", "").split()
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
        meter = CpuMeter(worker.pid)
        samples = []  # (seconds, communities mailed, worker memory MiB)
        started = time.perf_counter()
        app.send_task("ledger.tasks.month_close_all", args=[f"{month:%Y-%m}"])
        done = 0
        while done < expected:
            time.sleep(0.5)
            done = SettlementPeriod.objects.filter(month=month, emails_sent_at__isnull=False).count()
            samples.append((time.perf_counter() - started, done, rss_mib(worker.pid)))
            meter.sample()
            if worker.poll() is not None:
                raise SystemExit(f"The worker stopped:\n{log.read_text()[-3000:]}")
            if samples[-1][0] > 1800:
                raise SystemExit("Not finished after 30 minutes.")
        total = time.perf_counter() - started
        meter.sample()
        main_cpu, pool_cpu, database_cpu = meter.total()
        python_cpu = main_cpu + pool_cpu
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
    cpu, cores, per = python_cpu + database_cpu, os.cpu_count(), 1000 / max(done, 1)
    print(
        f"| CPU time of the worker's processes: main + pool | {python_cpu:.1f} s ({main_cpu * per:.1f} + {pool_cpu * per:.1f} ms per community) |"
    )
    print(
        f"| CPU time of their PostgreSQL backends | {database_cpu:.1f} s ({database_cpu * per:.1f} ms per community) |"
    )
    print(f"| CPU time of the job in all | {cpu:.1f} s ({cpu * per:.1f} ms per community) |")
    print(
        f"| that CPU time spread over the {cores} cores (the least wall time this machine can give) | {cpu / cores:.1f} s |"
    )
    print(f"| machine load (1-minute average) at the end | {load:.1f} |")
    marks = [samples[int(len(samples) * share) - 1] for share in (0.1, 0.5, 1.0)]
    memory = ", ".join(f"{mib:.0f} MiB at {count:,}" for _seconds, count, mib in marks)
    print(f"| worker resident memory (all processes): at start / along the run | {rss_start:.0f} MiB / {memory} |")
    statements = sum(int(each.read_text() or 0) for each in counts.iterdir())
    print(f"| SQL statements (round trips) of the pool processes, per community | {statements / max(done, 1):.1f} |")
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
