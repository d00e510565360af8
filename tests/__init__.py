# The project package first: importing it starts Celery (colocauto/celery.py), which reads the settings, and
# so imports tests.settings in full before anything asks for it. The other way round, tests.settings would be
# half-imported when Celery reads it.
import colocauto  # noqa: F401
