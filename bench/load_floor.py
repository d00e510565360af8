"""Server CPU per request of the busiest pages against a floor, and a bounded mixed load, on gunicorn as the
production shape runs it (issue 13).

Usage (PostgreSQL; the calendar benchmark's community is seeded first if missing, see bench/calendar_week.py):

    .venv/bin/python bench/load_floor.py --database-url postgres://postgres@127.0.0.1:5432/colocauto_bench \
        --redis-url redis://127.0.0.1:6379/14

gunicorn is started with docker-compose.yml's ``web`` command and environment, translated to this machine by
.ci/production_shape (``COLOCAUTO_ENV=production``, 2 workers, access log, static files collected first), with
one change: ``DJANGO_SETTINGS_MODULE=bench.floor_settings``, the product's settings whose URLconf adds the
**floor**, a bare Django view that runs one trivial query (bench/floor_urls.py). Every request says what the
documented reverse proxy adds (``Host``, ``X-Forwarded-Proto: https``, ``X-Forwarded-For``) and, like a browser,
``Accept-Encoding: gzip``; the pages are asked for by the benchmark community's member, signed in.

1. **CPU per request.** For each page, in interleaved rounds, a closed loop of 2 clients (one per worker) runs
   for ``--cpu-seconds``; the CPU time that the gunicorn workers (and, separately, their PostgreSQL backends)
   spent meanwhile, read from /proc, is divided by the number of requests. The ratio to the floor's is the
   figure issue 13 sets targets for.
2. **Mixed load.** ``--concurrency`` clients in a closed loop (each sends its next request when the previous
   one is answered: the load is bounded) for ``--duration`` seconds over the week calendar, balances, a
   booking's detail and home; then the same with the floor alone. Requests per second, p50/p95/p99, errors.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / ".ci"))  # production_shape.compose: docker-compose.yml read for this machine
PUBLIC_HOST = "colocauto.bench.example"
CLIENT_ADDRESS = "203.0.113.7"
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    signed_in: bool = True


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/<pid>/stat, fields 14 and 15)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
    return found


class Server:
    """gunicorn as docker-compose.yml's ``web`` service runs it, on a free local port."""

    def __init__(self, *, database_url: str, redis_url: str, secret_key: str, run_dir: Path):
        from production_shape.compose import Local, load
        from production_shape.processes import free_port

        database = urlsplit(database_url)
        self.database = database.path.lstrip("/")
        self.port = free_port()
        variables = {
            "SECRET_KEY": secret_key,
            "ALLOWED_HOSTS": PUBLIC_HOST,
            "CSRF_TRUSTED_ORIGINS": f"https://{PUBLIC_HOST}",
            "SITE_URL": f"https://{PUBLIC_HOST}",
            "POSTGRES_DB": self.database,
            "POSTGRES_USER": database.username or "postgres",
            "POSTGRES_PASSWORD": database.password or "unused-the-local-server-trusts-127.0.0.1",
            "GUNICORN_WORKERS": "2",
            "TRUSTED_PROXY_COUNT": "1",
            "STATIC_ROOT": str(run_dir / "static"),
            "LOG_LEVEL": "WARNING",
        }
        redis = urlsplit(redis_url)
        local = Local(
            addresses={
                "postgres": (database.hostname or "127.0.0.1", database.port or 5432),
                "redis": (redis.hostname or "127.0.0.1", redis.port or 6379),
            },
            web_port=self.port,
            run_dir=run_dir,
        )
        web = load(variables, local)["web"]
        # web runs "python manage.py migrate --noinput && exec gunicorn ...": migrations are run once here with
        # the product's settings; gunicorn with the benchmark's (manage.py cannot start from them: importing
        # the colocauto package reads the settings that are being imported).
        script = web.command[-1]
        if web.command[:2] != ["sh", "-c"] or "&& exec gunicorn " not in script:
            raise SystemExit(f"docker-compose.yml's web command changed: {web.command}")
        self.command = ["sh", "-c", "exec gunicorn " + script.split("&& exec gunicorn ", 1)[1]]
        self.environment = {
            **web.environment,
            "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}",
            "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108 (a fallback only)
            "LANG": "C.UTF-8",
            "REDIS_URL": redis_url,  # this machine's Redis database, not the container's /0
        }
        self.log = run_dir / "web.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        subprocess.run(  # noqa: S603 - the image's build step
            [ROOT / ".venv" / "bin" / "python", "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            env=self.environment,
            cwd=ROOT,
            check=True,
        )
        subprocess.run(  # noqa: S603 - what web runs before gunicorn
            [ROOT / ".venv" / "bin" / "python", "manage.py", "migrate", "--noinput", "--verbosity", "0"],
            env=self.environment,
            cwd=ROOT,
            check=True,
        )
        environment = {**self.environment, "DJANGO_SETTINGS_MODULE": "bench.floor_settings"}
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - docker-compose.yml's command
                self.command, env=environment, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited: see {self.log}")
            try:
                if request(self.port, "/healthz/ready")[0] == 200 and len(self.workers()) == 2:
                    return
            except OSError:
                pass
            time.sleep(0.25)
        raise SystemExit(f"gunicorn did not become ready within 60 s: see {self.log}")

    def workers(self) -> list[int]:
        assert self.process is not None
        return children(self.process.pid)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # the group this script started, nothing else
            self.process.wait(timeout=30)


def request(port: int, path: str, session: str | None = None) -> tuple[int, int]:
    """(status, bytes received) of one GET, with what the reverse proxy and a browser add."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {
        "Host": PUBLIC_HOST,
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": CLIENT_ADDRESS,
        "Accept-Encoding": "gzip",
    }
    if session:
        headers["Cookie"] = f"sessionid={session}"
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, len(response.read())
    finally:
        connection.close()


def drive(
    port: int, pages: list[Page], session: str, *, seconds: float, concurrency: int
) -> list[tuple[str, int, float]]:
    """A closed loop: ``concurrency`` clients each send their next request once the previous one is answered,
    going round ``pages``. (page name, status, seconds) of every request."""
    results: list[tuple[str, int, float]] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(offset: int) -> None:
        mine = []
        turn = offset
        while time.monotonic() < stop:
            page = pages[turn % len(pages)]
            turn += 1
            started = time.perf_counter()
            try:
                status, _size = request(port, page.path, session if page.signed_in else None)
            except OSError:
                status = 0
            mine.append((page.name, status, time.perf_counter() - started))
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def backends(database: str) -> list[int]:
    """The PostgreSQL processes serving the benchmark database (the workers' persistent connections)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
            " AND backend_type = 'client backend'",
            [database],
        )
        return [row[0] for row in cursor.fetchall()]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="postgres://user@host:port/dbname (dedicated)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0", help="a Redis database of your own")
    parser.add_argument("--cpu-seconds", type=float, default=6.0, help="seconds per page and round (CPU phase)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of the CPU phase (default 3)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of the mixed load (default 60)")
    parser.add_argument("--concurrency", type=int, default=4, help="clients of the mixed load (default 4)")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "bench"))
    from ledger_setup import ensure_database

    ensure_database(args.database_url)
    secret_key = secrets.token_urlsafe(64)
    os.environ.update(
        {"DATABASE_URL": args.database_url, "REDIS_URL": args.redis_url, "SECRET_KEY": secret_key, "DEBUG": "false"}
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "colocauto.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from calendar_week import seed
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from bookings.models import Booking
    from communities.models import User

    community_id, viewer_id = seed(reseed=False)
    signed_in = Client()
    signed_in.force_login(User.objects.get(pk=viewer_id))  # a session row, as a login writes it
    session = signed_in.cookies["sessionid"].value
    booking = Booking.objects.filter(community_id=community_id, member_id=viewer_id).order_by("-starts_at").first()
    next_week = timezone.localdate() + timedelta(days=7)
    calendar = reverse("calendar", kwargs={"community_id": community_id})
    floor = Page("floor (bare Django view, one query)", "/bench-floor/", signed_in=False)
    week = Page("week calendar, 30 vehicles (next week)", f"{calendar}?view=week&date={next_week}")
    home = Page("home", reverse("home"))
    detail = Page("booking detail", reverse("booking_detail", kwargs={"community_id": community_id, "pk": booking.pk}))
    balances = Page("balances", reverse("ledger_balances", kwargs={"community_id": community_id}))
    overview = Page("community overview", reverse("community_detail", kwargs={"community_id": community_id}))
    cpu_pages = [floor, week, home, detail, balances, overview]

    with tempfile.TemporaryDirectory(prefix="colocauto-load-") as run_dir:
        server = Server(
            database_url=args.database_url, redis_url=args.redis_url, secret_key=secret_key, run_dir=Path(run_dir)
        )
        server.start()
        try:
            for page in cpu_pages:  # every page answers, warm: templates loaded, connections open
                status, size = request(server.port, page.path, session if page.signed_in else None)
                if status != 200:
                    raise SystemExit(f"{page.name}: {page.path} answered {status}")
                drive(server.port, [page], session, seconds=1.5, concurrency=2)
            totals = {page.name: [0.0, 0.0, 0, 0] for page in cpu_pages}  # worker CPU, DB CPU, requests, bytes
            for _round in range(args.rounds):
                for page in cpu_pages:
                    workers = server.workers()
                    before = (
                        sum(map(cpu_seconds, workers)),
                        {pid: cpu_seconds(pid) for pid in backends(server.database)},
                    )
                    done = drive(server.port, [page], session, seconds=args.cpu_seconds, concurrency=2)
                    # A backend that ended meanwhile (CONN_MAX_AGE) is left out; one that started counts in full.
                    after = sum(map(cpu_seconds, workers)), {pid: cpu_seconds(pid) for pid in backends(server.database)}
                    errors = [status for _name, status, _seconds in done if status != 200]
                    if errors:
                        raise SystemExit(f"{page.name}: {len(errors)} errors ({errors[:5]})")
                    total = totals[page.name]
                    total[0] += after[0] - before[0]
                    total[1] += sum(cpu - before[1].get(pid, 0.0) for pid, cpu in after[1].items() if cpu)
                    total[2] += len(done)
            for page in cpu_pages:
                totals[page.name][3] = request(server.port, page.path, session if page.signed_in else None)[1]

            floor_cpu = totals[floor.name][0] / totals[floor.name][2]
            print(f"\nServer CPU per request, {args.rounds} interleaved rounds of {args.cpu_seconds:g} s per page")
            print("(closed loop of 2 clients; gunicorn 2 sync workers, COLOCAUTO_ENV=production):\n")
            print(
                "| page | requests | worker CPU ms / request | × floor | PostgreSQL CPU ms / request | bytes sent (gzip) |"
            )
            print("| --- | ---: | ---: | ---: | ---: | ---: |")
            for page in cpu_pages:
                worker_cpu, db_cpu, count, size = totals[page.name]
                print(
                    f"| {page.name} | {count} | {worker_cpu / count * 1000:.2f} | {worker_cpu / count / floor_cpu:.1f} "
                    f"| {db_cpu / count * 1000:.2f} | {size:,} |"
                )

            mixed = [week, balances, detail, home]
            print(
                f"\nMixed load: {args.concurrency} clients in a closed loop for {args.duration:g} s, then the floor alone:\n"
            )
            print("| load | page | requests | requests/s | p50 ms | p95 ms | p99 ms | errors |")
            print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
            for label, pages in (("mixed", mixed), ("floor", [floor])):
                done = drive(server.port, pages, session, seconds=args.duration, concurrency=args.concurrency)
                groups = [("all", done)] if len(pages) > 1 else []
                groups += [(page.name, [row for row in done if row[0] == page.name]) for page in pages]
                for name, rows in groups:
                    latencies = [seconds * 1000 for _name, _status, seconds in rows]
                    errors = sum(1 for _name, status, _seconds in rows if status != 200)
                    print(
                        f"| {label} | {name} | {len(rows)} | {len(rows) / args.duration:.1f} | "
                        f"{statistics.median(latencies):.1f} | {percentile(latencies, 0.95):.1f} | "
                        f"{percentile(latencies, 0.99):.1f} | {errors} |"
                    )
        finally:
            server.stop()
    print(f"\nLoad average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs).")


if __name__ == "__main__":
    main()
