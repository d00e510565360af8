"""A real Celery worker keeps its database connection from one task to the next: the monthly job is
thousands of small tasks, and a new PostgreSQL connection for each would cost about as much as the task."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from communities.models import Community
from ledger import services
from ledger.models import SettlementPeriod
from tests.ledger.conftest import make_trip
from tests.processes import HAS_REDIS_SERVER, CeleryWorker, RedisServer, broker, wait_for, worker_env

pytestmark = [
    pytest.mark.faults,
    pytest.mark.real_clock,  # a Celery worker closes the month by its own clock
    pytest.mark.postgres("the worker needs a database server"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not HAS_REDIS_SERVER, reason="needs redis-server"),
]


def other_connections() -> dict[int, object]:
    """The connections to the test database other than this test's own: backend pid → when it was opened."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, backend_start FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return dict(cursor.fetchall())


def test_a_worker_runs_the_monthly_tasks_over_one_database_connection(trio, last_month, mid_last_month, tmp_path):
    Community.objects.update(created_at=timezone.now() - timedelta(days=365))
    services.trip_charge(trip=make_trip(trio["car"], trio["b"], 100, ended_at=mid_last_month))
    services.trip_charge(trip=make_trip(trio["car"], trio["c"], 50, ended_at=mid_last_month))
    log = tmp_path / "worker.log"
    before = other_connections()  # e.g. a connection an earlier test of this process left open
    with RedisServer() as redis, CeleryWorker(worker_env(broker_url=redis.url), log):
        from ledger.tasks import month_close_all

        with broker(redis.url):
            month_close_all.delay(f"{last_month:%Y-%m}")  # then the close, then the e-mails: three tasks
        wait_for(
            lambda: SettlementPeriod.objects.filter(emails_sent_at__isnull=False).exists(),
            timeout=60,
            what="the month closed and mailed",
            log=log,
        )
        opened = [started for pid, started in other_connections().items() if pid not in before]
        period = SettlementPeriod.objects.get()

    assert len(opened) == 1  # still open after its last task, not closed after each
    assert opened[0] < period.created_at  # opened before the close: the e-mails task reused it
