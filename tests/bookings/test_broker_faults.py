"""Redis down or hung never fails a booking: the request answers within seconds, the booking and its
notice row are saved, and the notice is sent once a worker can run (the sweep of the beat schedule)."""

import threading
import time

import pytest
from django.db import connection
from django.urls import reverse

from bookings.models import Booking, BookingEvent
from bookings.tasks import notices_sweep
from tests.bookings.conftest import local
from tests.mailserver import MailServer, SmtpSink
from tests.processes import HAS_REDIS_SERVER, CeleryWorker, HungServer, RedisServer, broker, free_port, wait_for
from tests.processes import worker_env as make_worker_env

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

FAST = 5  # seconds: the broker timeouts are 2 s; a request waiting on a dead broker took 30 s or failed


def post_booking(client, member, vehicle) -> tuple[int, float]:
    """Book through the web form, as the member; returns the status code and the seconds it took."""
    client.force_login(member)
    start = local(2, 10)
    data = {"vehicle": vehicle.pk, "starts_at": f"{start:%Y-%m-%dT%H:%M}", "ends_at": f"{start:%Y-%m-%d}T12:00"}
    began = time.monotonic()
    response = client.post(reverse("booking_create", args=[vehicle.community_id]), data)
    return response.status_code, time.monotonic() - began


def test_a_booking_is_saved_and_answered_at_once_when_redis_is_down(client, member, owner, vehicle, mailoutbox):
    with broker(f"redis://127.0.0.1:{free_port()}/0"):  # nobody listens there
        status, took = post_booking(client, member, vehicle)

    assert status == 302
    assert took < FAST
    event = BookingEvent.objects.get(booking=Booking.objects.get())
    assert event.notified_at is None and mailoutbox == []

    assert notices_sweep() == 1  # the beat's sweep, once a worker runs
    assert [m.to for m in mailoutbox] == [["owner@example.org"]]


def test_a_booking_is_answered_within_seconds_when_redis_hangs(client, member, owner, vehicle, mailoutbox):
    outcome: dict = {}

    def book():
        try:
            outcome["status"], outcome["took"] = post_booking(client, member, vehicle)
        finally:
            connection.close()  # this thread's own database connection

    with HungServer() as hung, broker(hung.url):
        request = threading.Thread(target=book, daemon=True)
        request.start()
        request.join(timeout=20)
        assert not request.is_alive(), "the booking request hung on the broker"

    assert outcome["status"] == 302
    assert outcome["took"] < FAST
    assert BookingEvent.objects.get().notified_at is None

    assert notices_sweep() == 1
    assert [m.to for m in mailoutbox] == [["owner@example.org"]]


@pytest.mark.skipif(not HAS_REDIS_SERVER, reason="needs redis-server")
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker needs a database server")
def test_a_notice_saved_while_redis_was_down_is_sent_by_the_worker_once_redis_is_back(
    client, member, owner, vehicle, tmp_path
):
    port = free_port()
    with broker(f"redis://127.0.0.1:{port}/0"):
        status, took = post_booking(client, member, vehicle)
    assert (status, took < FAST) == (302, True)
    event = BookingEvent.objects.get()
    assert event.notified_at is None

    with (
        MailServer(SmtpSink()) as mail,
        RedisServer(port) as redis,
        CeleryWorker(
            make_worker_env(
                broker_url=redis.url,
                EMAIL_HOST="127.0.0.1",
                EMAIL_PORT=str(mail.port),
                EMAIL_USE_TLS="false",
                MAIL_SWEEP_SECONDS="1",
            ),
            tmp_path / "worker.log",
            beat=True,
        ),
    ):
        wait_for(
            lambda: mail.sink.addresses() == ["owner@example.org"], timeout=60, what="the booking notice"
        )  # a worker and beat start first: slow on a busy machine
        event.refresh_from_db()
        wait_for(
            lambda: BookingEvent.objects.filter(pk=event.pk, notified_at__isnull=False).exists(),
            timeout=10,
            what="the notice marked sent",
        )
    assert mail.sink.addresses() == ["owner@example.org"]
