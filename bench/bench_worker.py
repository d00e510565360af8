"""A Celery worker for the benchmarks: the project's, with the e-mail backend named by
``BENCH_EMAIL_BACKEND`` (settings have no variable for it: production sends over SMTP).

With ``BENCH_STATEMENTS_DIR``, each pool process counts the SQL statements it sends (round trips,
BEGIN/COMMIT of each transaction included) and writes its running total to a file named after its pid in that directory
after each task."""

import os
import sys
from pathlib import Path

import django
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "colocauto.settings")
django.setup()
settings.EMAIL_BACKEND = os.environ["BENCH_EMAIL_BACKEND"]

from celery.bin.celery import main  # noqa: E402 — after the settings are changed
from celery.signals import task_postrun, worker_process_init  # noqa: E402
from django.db import connection  # noqa: E402

STATEMENTS_DIR = os.environ.get("BENCH_STATEMENTS_DIR")
statements = [0]


def count(execute, sql, params, many, context):
    statements[0] += 1
    return execute(sql, params, many, context)


@worker_process_init.connect
def _count_statements(**_kwargs) -> None:
    if STATEMENTS_DIR:
        connection.execute_wrappers.append(count)
        commit = connection.commit

        def counted_commit():  # BEGIN (sent by psycopg before the transaction's first statement) and COMMIT
            statements[0] += 2
            commit()

        connection.commit = counted_commit


@task_postrun.connect
def _write_count(**_kwargs) -> None:
    if STATEMENTS_DIR:
        Path(STATEMENTS_DIR, str(os.getpid())).write_text(str(statements[0]))


if __name__ == "__main__":
    sys.argv = ["celery", *sys.argv[1:]]
    sys.exit(main())
