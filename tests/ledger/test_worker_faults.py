"""A real Celery worker SIGKILLed in the middle of the monthly e-mails: after the lease, the sweep of a
restarted worker sends every missing e-mail, and a second copy only ever goes to someone whose message
was already handed to the mail server when the worker died (the window documented in README)."""

import time
from collections import Counter
from decimal import Decimal

import pytest

from communities.models import Membership, User
from ledger import closing, services
from ledger.models import SettlementEmail, SettlementPeriod
from ledger.tasks import settlement_emails_send
from tests.factories import VehicleFactory
from tests.ledger.conftest import add_member, make_trip
from tests.mailserver import MailServer, SmtpSink
from tests.processes import HAS_REDIS_SERVER, CeleryWorker, RedisServer, broker, wait_for, worker_env

pytestmark = [
    pytest.mark.faults,
    pytest.mark.postgres("the worker needs a database server"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not HAS_REDIS_SERVER, reason="needs redis-server"),
]

LEASE = 3  # seconds, instead of 10 minutes


@pytest.fixture
def closed_month(community, last_month, mid_last_month):
    """Six people in last month's plan: five drivers each owe the owner of the car they drove."""
    owner, _membership = add_member(community, "Olga", role=Membership.Role.ADMIN)
    car = VehicleFactory(community=community, owner=owner, name="Zoe", rate_per_km=Decimal("0.300"))
    for index, name in enumerate(["Bruno", "Chloe", "Driss", "Emma", "Farid"]):
        driver, _membership = add_member(community, name)
        services.trip_charge(trip=make_trip(car, driver, 10 * (index + 1), ended_at=mid_last_month))
    return closing.month_close(community=community, month=last_month)


def test_a_worker_killed_during_the_monthly_emails_leaves_nobody_without_theirs(closed_month, tmp_path):
    everyone = sorted(
        User.objects.filter(memberships__community=closed_month.community).values_list("email", flat=True)
    )
    sink = SmtpSink(delay=1.0)  # a slow mail server: one second to accept each message
    log = tmp_path / "worker.log"
    with MailServer(sink) as mail, RedisServer() as redis:
        env = worker_env(
            broker_url=redis.url,
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(mail.port),
            EMAIL_USE_TLS="false",
            MAIL_CLAIM_LEASE_SECONDS=str(LEASE),
            MAIL_SWEEP_SECONDS="1",
        )
        with CeleryWorker(env, log) as worker:
            with broker(redis.url):
                settlement_emails_send.delay(closed_month.pk)
            # Killed while the server is taking in the second message (its claim held, not marked sent).
            wait_for(lambda: len(sink.handed_over) >= 2, timeout=30, what="the second e-mail", log=log)
            worker.kill()
            handed_over_before_the_kill = {address for message in sink.handed_over for address in message}
        orphans = {
            claim.pk: claim.claimed_at
            for claim in SettlementEmail.objects.filter(sent_at=None).exclude(claimed_at=None)
        }
        assert orphans, "the dead worker should have left a claim whose send never finished"

        sink.delay = 0
        with CeleryWorker(env, log, beat=True):  # the restarted worker, with the beat schedule and its sweep
            wait_for(
                lambda: SettlementPeriod.objects.filter(pk=closed_month.pk, emails_sent_at__isnull=False).exists(),
                timeout=40,
                what="every settlement e-mail marked sent",
                log=log,
            )
            time.sleep(0.5)  # let a message being accepted right now land in the sink

    received = Counter(sink.addresses())
    assert sorted(received) == everyone  # every member got their e-mail
    second_copies = {address for address, count in received.items() if count > 1}
    assert second_copies <= handed_over_before_the_kill  # only within the documented window
    assert max(received.values()) <= 2
    assert SettlementEmail.objects.filter(sent_at__isnull=True).count() == 0
    for claim in SettlementEmail.objects.filter(pk__in=orphans):  # sent again after the lease, not before
        assert (claim.sent_at - orphans[claim.pk]).total_seconds() >= LEASE
