"""Production shape: run the processes docker-compose.yml declares, here, and drive one resident's path.

    .venv/bin/python .ci/production_shape [--postgres postgres://postgres@127.0.0.1:5432/colocauto_shape]

docker compose cannot run on the CI machines (no container registry), so this runs what it would run:
the ``command`` and ``environment`` of every service compose builds from this checkout (web: migrate
then gunicorn with the production settings; worker; beat), read from docker-compose.yml and the
Dockerfile by ``compose.py`` — never restated here, so they cannot drift apart — against the local
PostgreSQL (a fresh database), a Redis server and an SMTP sink of this run's own. Each service starts
once those it depends on pass their compose health check, run as compose runs it. Then, over HTTP
through the documented proxy headers: sign in, book, record a trip, close last month through the
worker, the settle-up e-mails reach the SMTP sink, /healthz/ready is green, and no process logged a
traceback. Bounded in time; everything it started is stopped; on failure every process's log is
printed and the exit status is 1.
"""

import argparse
import json
import os
import secrets
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import redis
import scenario
from browser import Browser
from compose import ROOT, ComposeError, Local, Service, load
from mailsink import MailSink
from processes import Processes, StepFailed, free_port, run, wait_healthy
from psycopg import sql

HARD_LIMIT = 180  # seconds for everything (it usually takes 1 to 2 minutes); .ci/run adds a `timeout`
PUBLIC_HOST = "colocauto.example.org"
CLIENT_ADDRESS = "203.0.113.7"  # what the proxy puts in X-Forwarded-For (TEST-NET-3)
ONE_OFF_TIMEOUT = 60
SEED = Path(__file__).resolve().parent / "seed.py"
VENV_BIN = Path(sys.executable).parent
BEGAN = time.monotonic()


def fresh_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    print(f"    fresh database {name} on {parts.hostname}:{parts.port or 5432}")


def start_redis(processes: Processes, run_dir: Path) -> int:
    port = free_port()
    data = run_dir / "redis"
    data.mkdir()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    processes.start("redis", command, env={"PATH": os.environ["PATH"]}, cwd=data)
    client = redis.Redis(port=port, socket_connect_timeout=1, socket_timeout=1)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            return port
        except redis.RedisError:
            processes.check_running()
            if time.monotonic() > deadline:
                raise StepFailed("redis-server did not answer within 10 s") from None
            time.sleep(0.1)


def site_variables(database_url: str, *, smtp_port: int, run_dir: Path) -> dict[str, str]:
    """What an operator writes in .env (README, "Production with Docker Compose"), for this run."""
    database = urlsplit(database_url)
    return {
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": PUBLIC_HOST,
        "CSRF_TRUSTED_ORIGINS": f"https://{PUBLIC_HOST}",
        "SITE_URL": f"https://{PUBLIC_HOST}",
        "POSTGRES_DB": database.path.lstrip("/"),
        "POSTGRES_USER": database.username or "postgres",
        "POSTGRES_PASSWORD": database.password or "unused-the-local-server-trusts-127.0.0.1",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "false",
        "DEFAULT_FROM_EMAIL": "Colocauto <colocauto@example.org>",
        "GUNICORN_WORKERS": "2",
        # One reverse proxy in front of gunicorn, as the README documents.
        "TRUSTED_PROXY_COUNT": "1",
        # The image collects static files at build time into /app/staticfiles; here, into this run's directory.
        "STATIC_ROOT": str(run_dir / "static"),
    }


def environment_of(service: Service) -> dict[str, str]:
    base = {
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108 (only a fallback for a missing HOME)
        "LANG": "C.UTF-8",
    }
    return {**base, **service.environment}


def one_off(service: Service, command: list[str], what: str) -> str:
    """Like ``docker compose exec <service> <command>``: the service's environment, bounded, must succeed."""
    result = run(command, env=environment_of(service), cwd=ROOT, timeout=ONE_OFF_TIMEOUT)
    if result.returncode != 0:
        raise StepFailed(f"{what} failed (status {result.returncode}):\n{result.stdout[-4000:]}")
    return result.stdout


def start_services(processes: Processes, services: dict[str, Service], *, before_waiting=None) -> None:
    """Start the services in waves: each once every service it depends on is healthy."""
    healthy: set[str] = set()
    waiting = dict(services)
    while waiting:
        wave = [service for service in waiting.values() if set(service.depends_on) & set(services) <= healthy]
        if not wave:
            raise ComposeError(f"circular depends_on among {sorted(waiting)}")
        for service in wave:
            processes.start(service.name, service.command, env=environment_of(service), cwd=ROOT)
        if before_waiting and healthy:
            before_waiting()
            before_waiting = None
        for service in wave:
            if service.healthcheck is None:
                raise ComposeError(f"{service.name} has no health check")
            within = max(service.start_period, 30)
            wait_healthy(
                processes,
                service.name,
                service.healthcheck,
                env=environment_of(service),
                cwd=ROOT,
                within=within,
                timeout=service.healthcheck_timeout,
            )
            healthy.add(service.name)
            del waiting[service.name]


def check_logs(processes: Processes, services: dict[str, Service]) -> None:
    for name in services:
        if "Traceback" in processes.log(name):
            raise StepFailed(f"{name} logged a traceback")


def phase(title: str) -> None:
    print(f"==> [{time.monotonic() - BEGAN:5.1f} s] {title}", flush=True)


def production_shape(database_url: str, run_dir: Path, processes: Processes, sink: MailSink) -> None:
    phase("Local stand-ins for the images: PostgreSQL, Redis, an SMTP sink")
    fresh_database(database_url)
    redis_port = start_redis(processes, run_dir)
    sink.start()
    print(f"    redis-server on 127.0.0.1:{redis_port}, SMTP sink on 127.0.0.1:{sink.port}")
    database = urlsplit(database_url)
    local = Local(
        addresses={"postgres": (database.hostname, database.port or 5432), "redis": ("127.0.0.1", redis_port)},
        web_port=free_port(),
        run_dir=run_dir,
    )
    services = load(site_variables(database_url, smtp_port=sink.port, run_dir=run_dir), local)
    web, worker = services["web"], services["worker"]

    phase(f"The image's build step: collectstatic (services in docker-compose.yml: {', '.join(services)})")
    one_off(web, ["python", "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], "collectstatic")

    seeded: dict = {}

    def seed() -> None:
        phase("Seed the scenario's data (with web's environment), while the next services start")
        seeded.update(json.loads(one_off(web, ["python", str(SEED)], "seed").splitlines()[-1]))

    phase("Start the services as compose does, each once the services it depends on are healthy")
    start_services(processes, services, before_waiting=seed)

    def close_month(month: str) -> None:
        task = json.dumps([month])
        one_off(worker, ["celery", "-A", "colocauto", "call", "ledger.tasks.month_close_all", "--args", task], "queue")

    phase(f"Scenario over HTTP: 127.0.0.1:{local.web_port} as https://{PUBLIC_HOST}, through the proxy headers")
    browser = Browser(port=local.web_port, host=PUBLIC_HOST, client_address=CLIENT_ADDRESS)
    scenario.run(browser=browser, seed=seeded, sink=sink, close_month=close_month, poll=processes.check_running)
    for message in sink.received():
        print(f"    e-mail to {message['To']}: {message['Subject']}")
    processes.check_running()
    check_logs(processes, services)


def _stop(signal_number, _frame):
    raise StepFailed(f"stopped by signal {signal.Signals(signal_number).name}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432/colocauto_shape",
        help="the database to use; it is dropped and created afresh",
    )
    arguments = parser.parse_args()
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGALRM, _stop)
    signal.alarm(HARD_LIMIT)
    failure = ""
    with tempfile.TemporaryDirectory(prefix="colocauto-shape-") as directory:
        run_dir = Path(directory)
        for name in ("logs", "data", "tmp", "static"):
            (run_dir / name).mkdir()
        processes = Processes(run_dir / "logs")
        sink = MailSink(free_port())
        try:
            production_shape(arguments.postgres, run_dir, processes, sink)
        except (StepFailed, ComposeError) as error:
            failure = str(error)
        except Exception:  # anything else is a failure too, shown with its traceback and the logs
            failure = traceback.format_exc()
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)  # the clean-up must not be cut short
            if failure:
                print(f"\nFAILED: {failure}")
                processes.print_logs()
            phase("Stop everything this run started")
            processes.stop_all()
            sink.stop()
    verdict = "FAILED" if failure else "passed"
    print(f"Production shape {verdict} in {time.monotonic() - BEGAN:.0f} s (limit {HARD_LIMIT} s).")
    return 1 if failure else 0


if __name__ == "__main__":
    sys.exit(main())
