"""A Celery worker for the benchmarks: the project's, with the e-mail backend named by
``BENCH_EMAIL_BACKEND`` (settings have no variable for it: production sends over SMTP)."""

import os
import sys

import django
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "colocauto.settings")
django.setup()
settings.EMAIL_BACKEND = os.environ["BENCH_EMAIL_BACKEND"]

from celery.bin.celery import main  # noqa: E402 — after the settings are changed

if __name__ == "__main__":
    sys.argv = ["celery", *sys.argv[1:]]
    sys.exit(main())
