"""Shared set-up for the ledger benchmarks: a dedicated PostgreSQL database and fast bulk seeding.

Seeding writes rows in bulk (no services), but always as the services would: every transaction's
entries sum to zero, so the database's deferred balance check accepts them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


def _on_server(url: str, statements) -> None:
    """Run ``statements(connection, name)`` on the server of ``url``, connected to its ``postgres`` database
    (a database cannot be created or dropped from inside itself)."""
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as connection:
        statements(connection, parts.path.lstrip("/"))


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in ``url`` when it does not exist yet."""
    from psycopg import sql

    def create_if_missing(connection, name: str) -> None:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created database {name}.")

    _on_server(url, create_if_missing)


def recreate_database(url: str) -> None:
    """Drop the PostgreSQL database named in ``url`` and create it empty (``--fresh``)."""
    from psycopg import sql

    def drop_and_create(connection, name: str) -> None:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print(f"Recreated database {name}.")

    _on_server(url, drop_and_create)


def setup_django(url: str | None) -> None:
    if url:
        if url.startswith("postgres"):
            ensure_database(url)
        os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "false")  # no per-query logging: measure what production does
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # no line per task: the figures are the output
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "colocauto.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)


def new_users(prefix: str, count: int):
    """``count`` users in one bulk insert (no password: they never log in)."""
    from communities.models import User

    users = [
        User(email=f"{prefix}-{index}@bench.example", display_name=f"{prefix} {index}", password="!")
        for index in range(count)
    ]
    return User.objects.bulk_create(users, batch_size=5000)


def database_label() -> str:
    from django.db import connection

    vendor = connection.vendor
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    return vendor
