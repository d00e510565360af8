"""The round trip the issue asks for: export a community, import it with ``manage.py community_import`` into an
empty database on a fresh server (a subprocess with its own database and media folder), and find the same
balances, statements and calendar."""

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from tests.backups.history import community_with_history, what_people_see
from tests.backups.test_round_trip import export

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.django_db, pytest.mark.postgres("a second PostgreSQL database")]


def _server_url(name: str) -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory):
    """A migrated database with no data, and the environment of a server using it."""
    name = f"{settings.DATABASES['default']['NAME']}_import_target"[:63]
    with psycopg.connect(_server_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DATABASE_URL": _server_url(name),
        "MEDIA_ROOT": str(tmp_path_factory.mktemp("target-media")),
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PYTHONPATH": str(ROOT),
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    yield env
    with psycopg.connect(_server_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_community_imported_into_an_empty_database_shows_the_same_balances_statements_and_calendar(
    empty_server, tmp_path
):
    source = community_with_history()
    path = tmp_path / "backup.zip"
    path.write_bytes(export(source))

    done = subprocess.run(
        [sys.executable, "-m", "tests.backups.show_imported", str(path)],
        cwd=ROOT,
        env=empty_server,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert done.returncode == 0, done.stderr[-3000:]
    shown = json.loads(done.stdout.strip().splitlines()[-1])
    assert shown.pop("people_with_a_password") == []  # created on the new server: they sign in by e-mail code
    assert shown.pop("stored_balance_mismatches") == 0
    assert shown == json.loads(json.dumps(what_people_see(source)))
