"""An archive made by an earlier Colocauto is still read: version 1 (before recurring bookings, the onboarding
checklist and inactive members) imports with the same balances, statements and calendar, and the columns and
tables added since take the values their migrations gave existing rows. A version from the future is refused."""

import hashlib
import io
import json
import zipfile

import pytest

from backups.restore import community_import
from backups.tables import ADDED, VERSION
from communities.models import Membership
from ledger.stored_balances import stored_balance_mismatches
from tests.backups.history import community_with_history, inactive_periods, what_people_see
from tests.backups.test_round_trip import export

pytestmark = pytest.mark.django_db


def as_version(content: bytes, version: int) -> bytes:
    """``content`` (an archive of the current version) as version ``version`` wrote it: without the tables and
    columns added later, its manifest saying that version, with matching hashes."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    for added_in, (tables, columns) in ADDED.items():
        if added_in <= version:
            continue
        for table in tables:
            del files[f"tables/{table}.json"]
        for table, names in columns.items():
            rows = json.loads(files[f"tables/{table}.json"])
            for row in rows:
                for name in names:
                    del row[name]
            files[f"tables/{table}.json"] = json.dumps(rows).encode()
    manifest = json.loads(files["manifest.json"])
    manifest["version"] = version
    manifest["files"] = {
        name: hashlib.sha256(data).hexdigest() for name, data in files.items() if name != "manifest.json"
    }
    files["manifest.json"] = json.dumps(manifest).encode()
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return target.getvalue()


def test_a_version_1_archive_imports_with_the_same_balances_statements_and_calendar(tmp_path):
    source = community_with_history()
    path = tmp_path / "old.zip"
    path.write_bytes(as_version(export(source), 1))

    copy = community_import(archive_path=path).community

    seen, expected = what_people_see(copy), what_people_see(source)
    assert seen["series"] == []  # version 1 had no recurring bookings: the dates are there, as single bookings
    for part in expected.keys() - {"series"}:
        assert seen[part] == expected[part], part
    assert stored_balance_mismatches(copy.pk) == []
    # As the migrations did for communities that existed: rules set when created, default months, none inactive.
    assert copy.rules_reviewed_at == copy.created_at
    assert copy.inactivity_months == 6
    assert inactive_periods(copy) == []
    assert not Membership.objects.filter(community=copy, checklist_hidden_at__isnull=False).exists()


def test_a_version_2_archive_keeps_its_recurring_bookings(tmp_path):
    source = community_with_history()
    path = tmp_path / "v2.zip"
    path.write_bytes(as_version(export(source), 2))

    copy = community_import(archive_path=path).community

    assert what_people_see(copy)["series"] == what_people_see(source)["series"]
    assert inactive_periods(copy) == []


@pytest.mark.parametrize("version", [0, VERSION + 1, "1", True])
def test_a_version_this_server_does_not_know_is_refused(tmp_path, version):
    from django.core.management import CommandError, call_command

    content = export(community_with_history())
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(files["manifest.json"])
    manifest["version"] = version
    files["manifest.json"] = json.dumps(manifest).encode()
    path = tmp_path / "future.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    with pytest.raises(CommandError) as refusal:
        call_command("community_import", str(path))
    assert "(archive_unknown_version)" in str(refusal.value)
