"""The one way the app asks a worker to do something: ``wake(task, *args)``.

The database is the source of truth for work to do (an e-mail claim row, an event whose
``notified_at`` is empty); the broker only wakes a worker up sooner. So waking never fails the
caller: it runs after the transaction commits, gives a down or hung broker the short timeouts of
``CELERY_BROKER_*`` (settings.py), and on failure logs a warning — the periodic sweeps of
``colocauto/celery.py`` then do the work once the broker is back.
"""

import logging

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)


def wake(task: Task, *args) -> None:
    """Queue ``task(*args)`` once the current transaction commits (at once outside one); never raises."""
    transaction.on_commit(lambda: _publish(task, args))


def _publish(task: Task, args: tuple) -> None:
    try:
        task.apply_async(args=args)
    except Exception as error:  # whatever the broker (or an in-process task) raised
        # In-process (no broker: dev, tests) the task itself ran and failed; the sweep retries it too.
        logger.warning(
            "Could not run %s%r now (%s: %s); the periodic sweep will.", task.name, args, type(error).__name__, error
        )
