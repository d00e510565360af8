"""The ZIP of a person's data, built from the privacy registry (colocauto.core.privacy) alone.

Layout: ``README.txt`` (each file and column explained, in the person's language), ``data.json``
(every section, machine-readable), ``schema.json`` (the JSON Schema of ``data.json``), ``csv/<section>.csv``
(one table per section) and ``files/`` (the person's own uploads). Rows are streamed into the archive,
so memory stays bounded whatever the history.
"""

import csv
import io
import json
import zipfile
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import IO, Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.duration import duration_iso_string

from colocauto.core.mail import in_language
from colocauto.core.privacy import TYPES, Section, registry

FORMAT = "colocauto-personal-data"
VERSION = 1
CHUNK = 256 * 1024


def plain(value: Any) -> Any:
    """A value as it is written in the JSON file."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return duration_iso_string(value)
    return value


def cell(value: Any) -> str:
    """A value as it is written in a CSV cell."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def schema() -> dict[str, Any]:
    """The JSON Schema of ``data.json``: one array of objects per section, every column described."""
    sections = {}
    for section in registry.ordered():
        sections[section.name] = {
            "description": str(section.description),
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": section.keys,
                "properties": {
                    column.key: {**TYPES[column.type], "description": str(column.description)}
                    for column in section.columns
                },
            },
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Colocauto personal data export",
        "type": "object",
        "required": ["format", "version", "generated_at", "sections"],
        "properties": {
            "format": {"const": FORMAT},
            "version": {"const": VERSION},
            "generated_at": {"type": "string", "format": "date-time"},
            "sections": {
                "type": "object",
                "required": list(sections),
                "additionalProperties": False,
                "properties": sections,
            },
        },
    }


def _row(section: Section, row: dict[str, Any]) -> dict[str, Any]:
    return {key: plain(row.get(key)) for key in section.keys}


def _write_json(archive: zipfile.ZipFile, user: Any, sections: list[Section], generated_at: datetime) -> None:
    with archive.open("data.json", "w", force_zip64=True) as raw:
        out = io.TextIOWrapper(raw, encoding="utf-8")
        head = {"format": FORMAT, "version": VERSION, "generated_at": generated_at.isoformat()}
        out.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "sections": {')
        for index, section in enumerate(sections):
            out.write(("," if index else "") + f"\n{json.dumps(section.name)}: [")
            for number, row in enumerate(section.read(user)):
                out.write(("," if number else "") + "\n  " + json.dumps(_row(section, row), ensure_ascii=False))
            out.write("]")
        out.write("\n}}\n")
        out.flush()
        out.detach()


def _write_csv(archive: zipfile.ZipFile, user: Any, section: Section) -> None:
    with archive.open(f"csv/{section.name}.csv", "w", force_zip64=True) as raw:
        out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        writer = csv.writer(out)
        writer.writerow(section.keys)
        for row in section.read(user):
            writer.writerow([cell(row.get(key)) for key in section.keys])
        out.flush()
        out.detach()


def _write_files(archive: zipfile.ZipFile, user: Any, section: Section, missing: list[str]) -> None:
    if section.files is None:
        return
    for name, stored in section.files(user):
        try:
            handle = stored.open("rb")
        except (FileNotFoundError, ValueError):
            missing.append(name)
            continue
        with handle, archive.open(name, "w", force_zip64=True) as target:
            while chunk := handle.read(CHUNK):
                target.write(chunk)


def build(user: Any, target: IO[bytes], progress: Callable[[int], None] = lambda percent: None) -> None:
    """Write the person's archive to ``target``; ``progress(percent)`` is told as it advances."""
    sections = list(registry.ordered())
    steps = 2 + 2 * len(sections)
    generated_at = timezone.now()
    missing: list[str] = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _write_json(archive, user, sections, generated_at)
        progress(100 // steps)
        for done, section in enumerate(sections, start=1):
            _write_csv(archive, user, section)
            _write_files(archive, user, section, missing)
            progress(100 * (1 + 2 * done) // steps)
        archive.writestr("schema.json", json.dumps(schema(), ensure_ascii=False, indent=2))
        with in_language(user):
            readme = render_to_string(
                "privacy/archive_readme.txt",
                {"person": user, "generated_at": generated_at, "sections": sections, "missing": missing},
            )
        archive.writestr("README.txt", readme)
    progress(100)
