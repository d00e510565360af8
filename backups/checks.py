"""Reading a community archive and checking it before anything is imported: the ZIP, the manifest's hashes,
the format version, every file, the references between rows, and every invariant of the ledger."""

import hashlib
import json
import zipfile
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

from backups.archive import MANIFEST, table_path, upload_path
from backups.errors import ArchiveRefused
from backups.tables import ADDED, FORMAT, TABLES, VERSION, tables_of

Rows = dict[str, list[dict[str, Any]]]


def open_archive(path: Any) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise ArchiveRefused(_("This file is not a readable ZIP archive."), code="archive_not_zip") from error


def read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError as error:
        raise ArchiveRefused(
            _("The archive has no manifest.json: it is not a Colocauto community archive."), code="archive_no_manifest"
        ) from error
    except (ValueError, zipfile.BadZipFile) as error:
        raise ArchiveRefused(_("The archive's manifest.json cannot be read."), code="archive_no_manifest") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveRefused(_("The archive is not a Colocauto community archive."), code="archive_no_manifest")
    if manifest.get("version") not in range(1, VERSION + 1) or isinstance(manifest.get("version"), bool):
        raise ArchiveRefused(
            _("The archive's format version %(version)s is not one this server reads (it reads %(known)s).")
            % {"version": manifest.get("version"), "known": f"1–{VERSION}"},
            code="archive_unknown_version",
            params={"version": manifest.get("version"), "known": f"1–{VERSION}"},
        )
    return manifest


def check_files(archive: zipfile.ZipFile, manifest: dict[str, Any]) -> None:
    """Every file the manifest lists is there with its hash, and nothing else is."""
    listed = manifest.get("files") or {}
    names = set(archive.namelist()) - {MANIFEST}
    for name, digest in sorted(listed.items()):
        if name not in names:
            raise ArchiveRefused(
                _("The file %(name)s listed in the manifest is missing from the archive.") % {"name": name},
                code="archive_file_missing",
                params={"name": name},
            )
        sha = hashlib.sha256()
        try:
            with archive.open(name) as handle:
                while chunk := handle.read(256 * 1024):
                    sha.update(chunk)
        except (zipfile.BadZipFile, OSError) as error:
            raise ArchiveRefused(
                _("The file %(name)s of the archive is corrupt.") % {"name": name}, code="archive_hash_mismatch"
            ) from error
        if sha.hexdigest() != digest:
            raise ArchiveRefused(
                _("The file %(name)s does not match its SHA-256 in the manifest: the archive was changed or damaged.")
                % {"name": name},
                code="archive_hash_mismatch",
                params={"name": name},
            )
    for table in tables_of(manifest["version"]):
        if table_path(table) not in listed:
            raise ArchiveRefused(
                _("The file %(name)s is missing from the archive.") % {"name": table_path(table)},
                code="archive_file_missing",
                params={"name": table_path(table)},
            )
    extra = sorted(names - set(listed))
    if extra:
        raise ArchiveRefused(
            _("The file %(name)s is in the archive but not in its manifest.") % {"name": extra[0]},
            code="archive_file_unlisted",
            params={"name": extra[0]},
        )


def read_rows(archive: zipfile.ZipFile, manifest: dict[str, Any]) -> Rows:
    """Every table's rows, as the current format version has them: an older archive's rows get the columns
    added since (``tables.ADDED``), and the tables it could not hold are empty."""
    rows: Rows = {}
    later = [ADDED[version] for version in sorted(ADDED) if version > manifest["version"]]
    held = tables_of(manifest["version"])
    for table in TABLES:
        if table not in held:
            rows[table.name] = []
            continue
        try:
            data = json.loads(archive.read(table_path(table)))
        except ValueError as error:
            raise ArchiveRefused(
                _("The file %(name)s is not valid JSON.") % {"name": table_path(table)}, code="archive_bad_table"
            ) from error
        for _tables, columns_added in later:
            for name, value in columns_added.get(table.name, {}).items():
                for row in data if isinstance(data, list) else ():
                    if isinstance(row, dict) and name not in row:
                        row[name] = value(row)
        columns = {column.attname for column in table.columns()}
        if not isinstance(data, list) or any(not isinstance(row, dict) or set(row) != columns for row in data):
            raise ArchiveRefused(
                _("The rows of %(name)s do not have the columns of format version %(version)s.")
                % {"name": table_path(table), "version": VERSION},
                code="archive_bad_table",
                params={"name": table_path(table)},
            )
        rows[table.name] = data
    if len(rows["communities"]) != 1:
        raise ArchiveRefused(_("The archive must hold exactly one community."), code="archive_bad_table")
    missing = set(manifest.get("missing_uploads") or [])
    listed = manifest.get("files") or {}
    for table in TABLES:
        for column in table.files():
            for row in rows[table.name]:
                name = row[column]
                if name and name not in missing and upload_path(name) not in listed:
                    raise ArchiveRefused(
                        _("The file %(name)s is missing from the archive.") % {"name": upload_path(name)},
                        code="archive_file_missing",
                        params={"name": upload_path(name)},
                    )
    return rows


def check_references(rows: Rows) -> None:
    """Every reference points at a row of the archive, and every row belongs to its one community."""
    ids = {name: {row["id"] for row in table_rows} for name, table_rows in rows.items()}
    community_id = rows["communities"][0]["id"]
    for table in TABLES:
        references = table.references()
        for row in rows[table.name]:
            for column, target in references.items():
                value = row[column]
                if value is None:
                    continue
                if value not in ids[target] or (target == "communities" and value != community_id):
                    raise ArchiveRefused(
                        _("%(table)s row %(id)s points at %(target)s row %(value)s, which is not in the archive.")
                        % {"table": table.name, "id": row["id"], "target": target, "value": value},
                        code="archive_dangling_reference",
                        params={"table": table.name, "id": row["id"], "column": column},
                    )


def _amount(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation as error:
        raise ArchiveRefused(_("An amount of the archive is not a number."), code="archive_bad_table") from error


def check_ledger(rows: Rows) -> dict[int, Decimal]:
    """The ledger's invariants: each transaction sums to zero, each stored balance is the sum of its account's
    entries, and the community's balances sum to zero. Returns each account's balance (by its archive id)."""
    by_transaction: dict[int, Decimal] = defaultdict(Decimal)
    by_account: dict[int, Decimal] = defaultdict(Decimal)
    for entry in rows["entries"]:
        amount = _amount(entry["amount"])
        by_transaction[entry["transaction_id"]] += amount
        by_account[entry["account_id"]] += amount
    for transaction in rows["transactions"]:
        total = by_transaction.get(transaction["id"], Decimal(0))
        if total != 0:
            raise ArchiveRefused(
                _("Transaction %(id)s of the archive is unbalanced: its entries sum to %(total)s, not zero.")
                % {"id": transaction["id"], "total": total},
                code="archive_unbalanced_transaction",
                params={"id": transaction["id"], "total": str(total)},
            )
    balances = {}
    for account in rows["accounts"]:
        stored, summed = _amount(account["balance"]), by_account.get(account["id"], Decimal(0))
        if stored != summed:
            raise ArchiveRefused(
                _("Account %(id)s of the archive has a balance of %(stored)s but its entries sum to %(summed)s.")
                % {"id": account["id"], "stored": stored, "summed": summed},
                code="archive_balance_mismatch",
                params={"id": account["id"], "stored": str(stored), "summed": str(summed)},
            )
        balances[account["id"]] = stored
    total = sum(balances.values(), Decimal(0))
    if total != 0:
        raise ArchiveRefused(
            _("The community's balances in the archive sum to %(total)s instead of zero.") % {"total": total},
            code="archive_community_unbalanced",
            params={"total": str(total)},
        )
    return balances
