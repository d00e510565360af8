"""The settings the test suite runs with: the project's own, read from the environment as in production,
with only what makes tests fast changed. Subprocesses the tests start (a Celery worker, ``manage.py check
--deploy``) use ``colocauto.settings`` itself."""

from colocauto.settings import *  # noqa: F403

# The default hasher costs ~0.3 s per user; the strength of test passwords is not under test.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
