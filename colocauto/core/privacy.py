"""The privacy registry: every app says, in its own ``privacy.py``, what it holds about a person.

Each app registers *sections* (a table of the person's export: its columns, its rows, the person's own
files) and names the references to a person each section covers (``"bookings.Booking.member"``). A
reference that is deliberately left out says why (``exempt``). ``tests/privacy/test_registry.py`` fails
when a model gains a reference to a person that no section covers and no exemption explains, so a new
table cannot be forgotten by the export (and, later, by erasure).

Each app also registers how its rows are erased when a person's account is erased (``erase_with``: an ``Eraser``
that removes or pseudonymises what it ``covers``), or why a reference or a field keeps its value (``keep``: a
foreign key that now points at the pseudonym, a vehicle's name, a secret token). ``tests/privacy/test_registry.py``
fails when a reference to a person, a free-text field or an upload has neither, so no app is forgotten by the
erasure either. ``privacy/erasure.py`` runs the erasers in their order, in one transaction.

Each app also says how long it keeps what it no longer needs (``keep_for``: old receipts, incident photos,
expired invitations); ``privacy/retention.py`` applies those rules every day.

The export (``privacy/archive.py``) and the retention job only read the registry; they know no app. Anchor: pretix's data
shredder, where each plugin registers its own exporters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from django.db.models.fields.files import FieldFile

# The JSON types a column may have, as written in the archive's schema.
TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": ["string", "null"]},
    "integer": {"type": ["integer", "null"]},
    "boolean": {"type": ["boolean", "null"]},
    "decimal": {"type": ["string", "null"], "pattern": r"^-?\d+\.\d{2}$"},
    "date": {"type": ["string", "null"], "format": "date"},
    "datetime": {"type": ["string", "null"], "format": "date-time"},
    "duration": {"type": ["string", "null"], "description": "ISO 8601 duration"},
    "json": {"description": "any JSON value"},
    "file": {"type": ["string", "null"], "description": "path of the file inside the archive"},
}


@dataclass(frozen=True)
class Column:
    key: str
    type: str
    description: str | Promise

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"column {self.key}: unknown type {self.type!r}")


@dataclass(frozen=True)
class Section:
    """One table of a person's data. ``rows(user)`` yields dicts keyed by the columns' keys (values of
    Python types: str, int, bool, Decimal, date, datetime, timedelta, or None). ``files(user)`` yields
    (name inside the archive, stored file) for the person's own uploads; a row refers to a file by that name."""

    name: str
    title: str | Promise
    description: str | Promise
    columns: tuple[Column, ...]
    rows: Callable[[Any], Iterable[dict[str, Any]]]
    covers: tuple[str, ...]
    files: Callable[[Any], Iterable[tuple[str, FieldFile]]] | None = None
    order: int = 100

    @property
    def keys(self) -> list[str]:
        return [column.key for column in self.columns]


@dataclass(frozen=True)
class Retention:
    """A retention rule: ``forget(cutoff)`` deletes what the app keeps longer than it needs, older than
    ``cutoff``, and returns how many rows or files went. ``setting`` names the number of days kept
    (``0`` keeps forever); ``description`` says what, for the privacy page and the operator."""

    name: str
    description: str | Promise
    setting: str
    forget: Callable[[datetime], int]


@dataclass(frozen=True)
class Eraser:
    """How an app erases a person: ``erase(user)`` removes or pseudonymises what the person wrote, uploaded or is
    identified by in the app's rows, in the caller's transaction, and is harmless to run twice. ``covers`` names
    the references ("app.Model.field" to a person) and the fields ("app.Model.field", or "app.Model" for all its
    fields) it deals with. Erasers run by ``order``: memberships end first (0), the person's own row last (1000)."""

    name: str
    erase: Callable[[Any], None]
    covers: tuple[str, ...]
    order: int = 100


@dataclass
class Registry:
    sections: dict[str, Section] = field(default_factory=dict)
    exemptions: dict[str, str] = field(default_factory=dict)
    retentions: dict[str, Retention] = field(default_factory=dict)
    erasers: dict[str, Eraser] = field(default_factory=dict)
    kept: dict[str, str] = field(default_factory=dict)

    def erase_with(self, *erasers: Eraser) -> None:
        for eraser in erasers:
            if eraser.name in self.erasers and self.erasers[eraser.name] is not eraser:
                raise ValueError(f"eraser {eraser.name!r} registered twice")
            self.erasers[eraser.name] = eraser

    def keep(self, reason: str, *references: str) -> None:
        """``references`` ("app.Model.field", or "app.Model") keep their value when a person is erased, for ``reason``."""
        for reference in references:
            self.kept[reference] = reason

    def ordered_erasers(self) -> list[Eraser]:
        return sorted(self.erasers.values(), key=lambda eraser: (eraser.order, eraser.name))

    def erased(self) -> set[str]:
        return {reference for eraser in self.erasers.values() for reference in eraser.covers}

    def keep_for(self, *rules: Retention) -> None:
        for rule in rules:
            if rule.name in self.retentions and self.retentions[rule.name] is not rule:
                raise ValueError(f"retention rule {rule.name!r} registered twice")
            self.retentions[rule.name] = rule

    def register(self, *sections: Section) -> None:
        for section in sections:
            if section.name in self.sections and self.sections[section.name] is not section:
                raise ValueError(f"privacy section {section.name!r} registered twice")
            self.sections[section.name] = section

    def exempt(self, reference: str, reason: str) -> None:
        """``reference`` ("app.Model.field") points to a person but holds nothing to export, for ``reason``."""
        self.exemptions[reference] = reason

    def ordered(self) -> Iterator[Section]:
        return iter(sorted(self.sections.values(), key=lambda section: (section.order, section.name)))

    def covered(self) -> set[str]:
        return {reference for section in self.sections.values() for reference in section.covers}


registry = Registry()
register = registry.register
exempt = registry.exempt
keep_for = registry.keep_for
erase_with = registry.erase_with
keep = registry.keep


def file_name(prefix: str, pk: int, stored: FieldFile) -> str:
    """The name of a person's upload inside their archive: ``files/<prefix>/<id>-<stored name>``."""
    base = (stored.name or "").rsplit("/", 1)[-1]
    return f"files/{prefix}/{pk}-{base}"
