"""A corrupt or changed archive is refused with its code and a clear message, and nothing is imported."""

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from backups import checks, restore
from backups.errors import ArchiveRefused
from backups.restore import community_import
from bookings.models import Booking
from communities.models import Community, User
from ledger.models import Entry, Transaction
from tests.backups.history import community_with_history
from tests.backups.test_round_trip import export

pytestmark = pytest.mark.django_db


@pytest.fixture
def files():
    """The archive of a community with a history, as {name: content}."""
    with zipfile.ZipFile(io.BytesIO(export(community_with_history()))) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(files, tmp_path, *, rehash=True) -> str:
    """Write ``files`` as an archive; ``rehash``: the manifest's hashes follow the changes (a careful forger)."""
    files = dict(files)
    if rehash:
        manifest = json.loads(files["manifest.json"])
        manifest["files"] = {
            name: hashlib.sha256(content).hexdigest() for name, content in files.items() if name != "manifest.json"
        }
        files["manifest.json"] = json.dumps(manifest).encode()
    path = tmp_path / "changed.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return str(path)


def _edit(files, table, change):
    rows = json.loads(files[f"tables/{table}.json"])
    change(rows)
    return {**files, f"tables/{table}.json": json.dumps(rows).encode()}


def _refused(path, code, words):
    before = (Community.objects.count(), User.objects.count(), Booking.objects.count(), Entry.objects.count())
    with pytest.raises(CommandError) as refusal:
        call_command("community_import", path)
    assert f"({code})" in str(refusal.value)
    assert words in str(refusal.value)
    assert "Nothing was imported" in str(refusal.value)
    after = (Community.objects.count(), User.objects.count(), Booking.objects.count(), Entry.objects.count())
    assert after == before


def test_a_file_that_is_not_a_zip_is_refused(tmp_path):
    path = tmp_path / "backup.zip"
    path.write_bytes(b"PK\x03\x04 not really")
    _refused(str(path), "archive_not_zip", "not a readable ZIP")


def test_an_edited_amount_with_the_old_hash_is_refused(files, tmp_path):
    changed = _edit(files, "entries", lambda rows: rows[0].update(amount="999.99"))
    _refused(_zip(changed, tmp_path, rehash=False), "archive_hash_mismatch", "tables/entries.json does not match")


def test_an_edited_amount_with_a_new_hash_is_refused_as_unbalanced(files, tmp_path):
    changed = _edit(files, "entries", lambda rows: rows[0].update(amount="999.99"))
    _refused(_zip(changed, tmp_path), "archive_unbalanced_transaction", "entries sum to")


def test_a_stored_balance_that_is_not_the_sum_of_the_entries_is_refused(files, tmp_path):
    def change(rows):
        account = next(row for row in rows if row["balance"] != "0.00")
        account["balance"] = "1000.00"

    _refused(_zip(_edit(files, "accounts", change), tmp_path), "archive_balance_mismatch", "entries sum to")


def test_a_dropped_upload_is_refused(files, tmp_path):
    receipt = next(name for name in files if name.startswith("uploads/receipts/"))
    changed = {name: content for name, content in files.items() if name != receipt}
    _refused(_zip(changed, tmp_path, rehash=False), "archive_file_missing", receipt)
    _refused(_zip(changed, tmp_path), "archive_file_missing", receipt)


def test_a_dropped_table_is_refused(files, tmp_path):
    changed = {name: content for name, content in files.items() if name != "tables/transfers.json"}
    _refused(_zip(changed, tmp_path), "archive_file_missing", "tables/transfers.json")


def test_a_file_added_to_the_archive_is_refused(files, tmp_path):
    _refused(_zip({**files, "uploads/extra.png": b"x"}, tmp_path, rehash=False), "archive_file_unlisted", "extra.png")


def test_an_unknown_format_version_is_refused(files, tmp_path):
    manifest = json.loads(files["manifest.json"])
    manifest["version"] = 99
    changed = {**files, "manifest.json": json.dumps(manifest).encode()}
    _refused(_zip(changed, tmp_path, rehash=False), "archive_unknown_version", "version 99")


def test_a_reference_to_a_row_not_in_the_archive_is_refused(files, tmp_path):
    changed = _edit(files, "bookings", lambda rows: rows[0].update(vehicle_id=987654))
    _refused(_zip(changed, tmp_path), "archive_dangling_reference", "987654")


def test_a_row_of_another_community_is_refused(files, tmp_path):
    changed = _edit(files, "vehicles", lambda rows: rows[0].update(community_id=rows[0]["community_id"] + 1))
    _refused(_zip(changed, tmp_path), "archive_dangling_reference", "communities")


def test_a_row_the_database_refuses_is_refused(files, tmp_path):
    def change(rows):
        rows[0]["ends_at"] = rows[0]["starts_at"]  # a booking must end after it starts

    _refused(_zip(_edit(files, "bookings", change), tmp_path), "archive_rows_refused", "booking_ends_after_start")


def test_a_value_that_is_not_of_its_column_is_refused(files, tmp_path):
    changed = _edit(files, "trips", lambda rows: rows[0].update(started_at="yesterday"))
    _refused(_zip(changed, tmp_path), "archive_rows_refused", "yesterday")


def test_a_community_whose_balances_do_not_sum_to_zero_is_refused():
    rows = {
        "transactions": [],
        "entries": [{"transaction_id": 1, "account_id": 5, "amount": "4.00"}],
        "accounts": [{"id": 5, "balance": "4.00"}],
    }
    with pytest.raises(ArchiveRefused) as refusal:
        checks.check_ledger(rows)
    assert refusal.value.code == "archive_community_unbalanced"


def test_a_refusal_after_rows_were_inserted_imports_nothing(files, tmp_path, monkeypatch):
    """The last proof (stored balances after import) runs inside the import's transaction: it rolls all back."""
    monkeypatch.setattr(restore, "stored_balance_mismatches", lambda community_id: ["a mismatch"])
    before = (Community.objects.count(), Transaction.objects.count())
    with pytest.raises(ArchiveRefused) as refusal:
        community_import(archive_path=_zip(files, tmp_path, rehash=False))
    assert refusal.value.code == "archive_balance_mismatch"
    assert (Community.objects.count(), Transaction.objects.count()) == before
    stored = {path.relative_to(settings.MEDIA_ROOT) for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()}
    assert len(stored) == 3  # the source's photos and receipt; none of the refused import's copies


def test_an_archive_holds_no_secret(files):
    users = json.loads(files["tables/users.json"])
    assert users and all(
        set(user) == {"id", "email", "display_name", "language", "erased_at", "former_number"} for user in users
    )
    columns = {
        key
        for name, content in files.items()
        if name.startswith("tables/")
        for row in json.loads(content)
        for key in row
    }
    assert not columns & {"password", "token", "iban", "phone", "last_login", "is_superuser"}
    text = b"".join(files.values())
    hashes = User.objects.filter(email__in=[user["email"] for user in users]).values_list("password", flat=True)
    assert all(secret.encode() not in text for secret in hashes)
    assert not any(name.startswith("tables/invitations") or "feed" in name for name in files)


def test_the_same_archive_imported_twice_is_refused_naming_the_first_copy_unless_asked_again(files, tmp_path):
    path = _zip(files, tmp_path, rehash=False)
    first = community_import(archive_path=path).community
    name = json.loads(files["manifest.json"])["community"]["name"]

    _refused(path, "archive_already_imported", f"as community #{first.pk} “{name}”")

    call_command("community_import", path, "--again")
    assert Community.objects.filter(name=name).count() == 3  # the source, the first copy, the copy asked again


def test_a_refused_archive_is_not_remembered_as_imported(files, tmp_path):
    changed = _edit(files, "entries", lambda rows: rows[0].update(amount="999.99"))
    _refused(_zip(changed, tmp_path), "archive_unbalanced_transaction", "entries sum to")
    community_import(archive_path=_zip(files, tmp_path))  # the right archive still goes in
