"""The broker only wakes workers up: every enqueue goes through ``colocauto.core.queue.wake``, which never
fails its caller, and beat sweeps every e-mail outbox so nothing waits on a lost wake-up."""

import logging
import time
from importlib import import_module
from pathlib import Path

import pytest

from bookings.tasks import notify_booking_event
from colocauto.celery import app
from colocauto.core.queue import wake, wake_by_name
from tests.processes import HungServer, broker, free_port

ROOT = Path(__file__).resolve().parents[1]
APPS = ("colocauto", "communities", "vehicles", "bookings", "ledger", "territories")


def test_every_enqueue_in_the_code_goes_through_wake():
    offenders = [
        f"{path.relative_to(ROOT)}: {pattern}"
        for package in APPS
        for path in sorted((ROOT / package).rglob("*.py"))
        if path != ROOT / "colocauto" / "core" / "queue.py"
        for pattern in (".delay(", ".apply_async(", "delay_on_commit(", ".send_task(")
        if pattern in path.read_text()
    ]
    assert offenders == []


@pytest.mark.faults
@pytest.mark.parametrize("state", ["down", "hung"])
def test_waking_a_worker_logs_a_warning_and_carries_on_when_redis_is_down_or_hung(
    state, caplog, db, django_capture_on_commit_callbacks
):
    with HungServer() as hung:
        url = hung.url if state == "hung" else f"redis://127.0.0.1:{free_port()}/0"
        with broker(url), caplog.at_level(logging.WARNING, logger="colocauto.core.queue"):
            began = time.monotonic()
            with django_capture_on_commit_callbacks(execute=True):
                wake(notify_booking_event, 1)
            took = time.monotonic() - began
    assert took < 5
    assert "bookings.tasks.notify_booking_event" in caplog.text
    assert "the periodic sweep will" in caplog.text


def test_beat_sweeps_every_email_outbox():
    sweeps = {entry["task"] for name, entry in app.conf.beat_schedule.items() if name.endswith("-emails-sweep")}
    assert sweeps == {"communities.tasks.notices_sweep", "bookings.tasks.notices_sweep", "ledger.tasks.emails_sweep"}
    for task in sweeps:
        module, name = task.rsplit(".", 1)
        assert callable(getattr(import_module(module), name))


def test_waking_a_task_by_name_queues_it_after_the_commit(db, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr(notify_booking_event, "apply_async", lambda args: queued.append(args))

    with django_capture_on_commit_callbacks(execute=True):
        wake_by_name("bookings.tasks.notify_booking_event", 7)
        assert queued == []

    assert queued == [(7,)]


def test_waking_an_unknown_task_name_logs_a_warning_and_never_fails_the_caller(
    db, caplog, django_capture_on_commit_callbacks
):
    with (
        caplog.at_level(logging.WARNING, logger="colocauto.core.queue"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        wake_by_name("ledger.tasks.no_such_task", 1)

    assert "ledger.tasks.no_such_task" in caplog.text


def test_a_task_named_before_its_module_was_imported_is_found(monkeypatch):
    # A web process imports a tasks module only when something uses it (autodiscovery runs in workers),
    # so waking a task by name must import its module rather than find nothing in the registry.
    import sys

    from colocauto.core.queue import _registered

    name = "territories.tasks.reports_warm_all"
    import_module("territories.tasks")
    monkeypatch.delitem(sys.modules, "territories.tasks")
    monkeypatch.delitem(app.tasks, name)
    assert _registered(name).name == name


def test_in_process_tasks_still_run_after_a_test_borrowed_a_real_broker(db):
    """An eager task borrows a producer (for its serializer) from kombu's registry of pools; a test that
    pointed the tasks at a real broker must not leave that registry holding a closed pool, or every task
    of the later tests in this process fails ("Acquire on closed pool") and their e-mails never go."""
    from colocauto.core.queue import _registered

    ping = _registered("ledger.tasks.stored_balances_verify")
    with broker(f"redis://127.0.0.1:{free_port()}/0"):
        pass
    ping.apply_async()  # creates the producer pool for the usual broker address
    with broker(f"redis://127.0.0.1:{free_port()}/0"):
        pass
    assert ping.apply_async().successful()
