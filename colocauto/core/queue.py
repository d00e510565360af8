"""The one way the app asks a worker to do something: ``wake(task, *args)``, or ``wake_by_name(name, *args)``
from a service, which never imports the tasks that call it.

The database is the source of truth for work to do (an e-mail claim row, an event whose
``notified_at`` is empty); the broker only wakes a worker up sooner. So waking never fails the
caller: it runs after the transaction commits, gives a down or hung broker the short timeouts of
``CELERY_BROKER_*`` (settings.py), and on failure logs a warning — the periodic sweeps of
``colocauto/celery.py`` then do the work once the broker is back.
"""

import importlib
import logging
from typing import Any

from celery import Task, current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def wake(task: Task[Any, Any], *args: Any) -> None:
    """Queue ``task(*args)`` once the current transaction commits (at once outside one); never raises."""
    transaction.on_commit(lambda: _publish(task.name, args, task))


def wake_by_name(name: str, *args: Any) -> None:
    """``wake`` for the task registered as ``name`` (e.g. ``"ledger.tasks.transfer_paid_email"``): a service
    names the task instead of importing its module, since the tasks module imports the services."""
    transaction.on_commit(lambda: _publish(name, args))


def _registered(name: str) -> Task[Any, Any]:
    """The task called ``name``, importing its module first: a web process imports tasks modules only
    when something uses them, and Celery's autodiscovery runs in workers, not there."""
    if name not in current_app.tasks:
        importlib.import_module(name.rpartition(".")[0])
    return current_app.tasks[name]


def _publish(name: str, args: tuple[Any, ...], task: Task[Any, Any] | None = None) -> None:
    try:
        (task or _registered(name)).apply_async(args=args)
    except Exception as error:  # whatever the broker (or an in-process task) raised, or an unknown name
        # In-process (no broker: dev, tests) the task itself ran and failed; the sweep retries it too.
        logger.warning(
            "Could not run %s%r now (%s: %s); the periodic sweep will.", name, args, type(error).__name__, error
        )
