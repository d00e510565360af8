"""The ZIP of a whole community: ``tables/<table>.json`` (see ``backups.tables``), ``uploads/`` (vehicle and
incident photos, receipts, under their stored names), ``manifest.json`` (format, version, row counts and the
SHA-256 of every other file) and ``README.txt``. Rows are streamed, so memory stays bounded.
"""

import hashlib
import json
import zipfile
from collections.abc import Callable
from datetime import time
from typing import IO, Any

from django.template.loader import render_to_string
from django.utils import timezone

from backups.tables import FORMAT, TABLES, VERSION, Table
from colocauto.core.mail import in_language
from privacy.archive import CHUNK, plain

MANIFEST = "manifest.json"
README = "README.txt"


def table_path(table: Table) -> str:
    return f"tables/{table.name}.json"


def upload_path(stored_name: str) -> str:
    return f"uploads/{stored_name}"


def _plain(value: Any) -> Any:
    """A value as the JSON files hold it: ``privacy.archive.plain``, and times of day in ISO 8601."""
    return value.isoformat() if isinstance(value, time) else plain(value)


class _Hashed:
    """Writes into the archive and hashes what it wrote."""

    def __init__(self, target: IO[bytes]):
        self.target = target
        self.sha = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.sha.update(data)
        self.target.write(data)


def _write_table(archive: zipfile.ZipFile, table: Table, community_id: int, uploads: dict[str, Any]) -> tuple[str, int]:
    columns = table.columns()
    files = set(table.files())
    count = 0
    with archive.open(table_path(table), "w", force_zip64=True) as raw:
        out = _Hashed(raw)
        out.write(b"[")
        for obj in table.rows(community_id).order_by("pk").iterator(chunk_size=500):
            row = {}
            for column in columns:
                value = getattr(obj, column.attname)
                if column.attname in files:
                    value = value.name if value else ""
                    if value:
                        uploads[value] = getattr(obj, column.attname)
                row[column.attname] = _plain(value)
            out.write((b",\n" if count else b"\n") + json.dumps(row, ensure_ascii=False, sort_keys=True).encode())
            count += 1
        out.write(b"\n]\n")
    return out.sha.hexdigest(), count


def _write_upload(archive: zipfile.ZipFile, name: str, stored: Any) -> str | None:
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, ValueError):
        return None
    with handle, archive.open(upload_path(name), "w", force_zip64=True) as raw:
        out = _Hashed(raw)
        while chunk := handle.read(CHUNK):
            out.write(chunk)
    return out.sha.hexdigest()


def build(community: Any, reader: Any, target: IO[bytes], progress: Callable[[int], None] = lambda p: None) -> None:
    """Write ``community``'s archive to ``target``; the README is in ``reader``'s language."""
    generated_at = timezone.now()
    hashes: dict[str, str] = {}
    counts: dict[str, int] = {}
    uploads: dict[str, Any] = {}
    missing: list[str] = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number, table in enumerate(TABLES, start=1):
            hashes[table_path(table)], counts[table.name] = _write_table(archive, table, community.pk, uploads)
            progress(80 * number // len(TABLES))
        for name, stored in sorted(uploads.items()):
            digest = _write_upload(archive, name, stored)
            if digest is None:
                missing.append(name)
            else:
                hashes[upload_path(name)] = digest
        with in_language(reader):
            readme = render_to_string(
                "backups/archive_readme.txt",
                {
                    "community": community,
                    "generated_at": generated_at,
                    "tables": list(counts.items()),
                    "missing": missing,
                    "version": VERSION,
                },
            )
        hashes[README] = hashlib.sha256(readme.encode()).hexdigest()
        archive.writestr(README, readme)
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "generated_at": generated_at.isoformat(),
            "community": {"id": community.pk, "name": community.name},
            "tables": counts,
            "missing_uploads": missing,
            "files": hashes,
        }
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True))
    progress(100)
