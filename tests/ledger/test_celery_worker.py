"""The monthly job end to end through a real Celery worker and Redis, as in production.

A worker process is started against the test database and a Redis broker; the job is queued
twice through the broker (as a missed beat and its catch-up would), and the test checks that the
month is closed once: one period, one posting per allocation, one e-mail per person.
"""

import os
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from communities.models import Community
from ledger import services
from ledger.models import SettlementEmail, SettlementPeriod, Transaction, Transfer
from tests.ledger.conftest import make_trip

ROOT = Path(__file__).resolve().parents[2]
BROKER_DB = 13  # a Redis database of its own, so queued test tasks never mix with anything else

pytestmark = [
    pytest.mark.real_clock,
    pytest.mark.postgres("the worker needs a database server"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL), as on CI"),
]


def _worker_env() -> dict[str, str]:
    db = connection.settings_dict
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    redis = (
        os.environ["REDIS_URL"].rsplit("/", 1)[0] if os.environ["REDIS_URL"].count("/") > 2 else os.environ["REDIS_URL"]
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "DJANGO_ALLOW"))}
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}",
        REDIS_URL=f"{redis.rstrip('/')}/{BROKER_DB}",
        DJANGO_SETTINGS_MODULE="colocauto.settings",
    )
    env.pop("EMAIL_HOST", None)
    return env


def _celery(*args: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "colocauto", *args]


def _wait_for(condition, *, env: dict[str, str], timeout: float = 90, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}; worker log:\n{Path(env['WORKER_LOG']).read_text()[-4000:]}")


@pytest.fixture
def worker(tmp_path):
    env = _worker_env()
    log_path = tmp_path / "worker.log"
    env["WORKER_LOG"] = str(log_path)
    log = log_path.open("w")
    subprocess.run([*_celery("purge", "-f")], env=env, cwd=ROOT, check=True, capture_output=True, timeout=60)
    process = subprocess.Popen(
        _celery("worker", "--pool=solo", "--loglevel=INFO", "--without-gossip", "--without-mingle"),
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        ping = subprocess.run(
            _celery("inspect", "ping", "--timeout", "5"), env=env, cwd=ROOT, capture_output=True, timeout=60
        )
        for _attempt in range(20):
            if ping.returncode == 0:
                break
            time.sleep(1)
            ping = subprocess.run(
                _celery("inspect", "ping", "--timeout", "5"), env=env, cwd=ROOT, capture_output=True, timeout=60
            )
        assert ping.returncode == 0, "the Celery worker did not answer"
        yield env
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        output = log_path.read_text()
        assert "Traceback" not in output, output[-4000:]


def test_the_monthly_job_runs_once_through_a_real_worker_even_when_queued_twice(
    worker, trio, mid_last_month, last_month
):
    services.trip_charge(trip=make_trip(trio["car"], trio["b"], 100, ended_at=mid_last_month))
    services.trip_charge(trip=make_trip(trio["car"], trio["c"], 50, ended_at=mid_last_month + timedelta(hours=5)))
    month = f"{last_month:%Y-%m}"
    # The job closes communities that existed before the month ended.
    Community.objects.filter(pk=trio["car"].community_id).update(created_at=mid_last_month - timedelta(days=30))

    for _run in range(2):
        subprocess.run(
            _celery("call", "ledger.tasks.month_close_all", "--args", f'["{month}"]'),
            env=worker,
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=60,
        )

    def emails_sent() -> bool:
        return SettlementEmail.objects.filter(sent_at__isnull=False).count() == 3

    _wait_for(emails_sent, env=worker, what="the settle-up e-mails")
    time.sleep(2)  # let the second queued run finish too, then count again

    assert SettlementPeriod.objects.filter(community=trio["car"].community, month=last_month).count() == 1
    assert SettlementEmail.objects.count() == 3
    assert Transaction.objects.filter(kind=Transaction.Kind.TRIP_CHARGE).count() == 2
    plan = sorted((t.payer.user.display_name, t.payee.user.display_name, t.amount) for t in Transfer.objects.all())
    assert plan == [("Bruno", "Anne", Decimal("30.00")), ("Chloe", "Anne", Decimal("15.00"))]
