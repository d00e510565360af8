"""The privacy registry: every app says, in its own ``privacy.py``, what it holds about a person.

Each app registers *sections* (a table of the person's export: its columns, its rows, the person's own
files) and names the references to a person each section covers (``"bookings.Booking.member"``). A
column that is a model field is derived from it (``fields(Booking, "starts_at ends_at")``: its type from the
field's class, its description from the field's label, choices and help text), so an exporter states only what
is special: a related object's name, a computed value, a description the field's label does not give. A
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
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.functional import Promise, lazy
from django.utils.text import capfirst, get_text_list
from django.utils.translation import gettext

if TYPE_CHECKING:
    from django.db.models import Field

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
    """One column of a section. ``source`` says how its value is read from one of the section's ``objects``: a
    dotted attribute path (``"booking.vehicle.name"``; an empty link on the way gives ``None``) or a function of
    the object; by default the attribute named ``key``. Sections that yield their own ``rows`` ignore it."""

    key: str
    type: str
    description: str | Promise
    source: str | Callable[[Any], Any] | None = None

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"column {self.key}: unknown type {self.type!r}")

    def at(self, source: str | Callable[[Any], Any]) -> Column:
        """The same column, read from ``source``."""
        return replace(self, source=source)

    def read(self, obj: Any) -> Any:
        if callable(self.source):
            return self.source(obj)
        value = obj
        for name in (self.source or self.key).split("."):
            if value is None:
                return None
            value = getattr(value, name)
        return value


# The column type of a model field, by its class (the first that matches: subclasses before their parents).
FIELD_TYPES: tuple[tuple[type[Field[Any, Any]], str], ...] = (
    (models.BooleanField, "boolean"),
    (models.IntegerField, "integer"),
    (models.DateTimeField, "datetime"),
    (models.DateField, "date"),
    (models.DurationField, "duration"),
    (models.JSONField, "json"),
    (models.FileField, "file"),
    (models.CharField, "string"),
    (models.TextField, "string"),
)


def _field_type(field: Field[Any, Any]) -> str:
    if isinstance(field, models.DecimalField):
        # "decimal" is an amount with two decimals; other precisions (coordinates) are written as strings.
        return "decimal" if field.decimal_places == 2 else "string"
    for kind, name in FIELD_TYPES:
        if isinstance(field, kind):
            return name
    raise ValueError(f"{field}: no column type for a {type(field).__name__}; give its Column")


def _describe(field: Field[Any, Any]) -> str:
    """The field's label, with the meaning of each stored value when it has choices, or its help text."""
    label = capfirst(field.verbose_name)
    if field.choices:
        values = [f"{value} ({name})" for value, name in field.flatchoices]
        return gettext("%(field)s: %(values)s.") % {"field": label, "values": get_text_list(values)}
    if isinstance(field, models.FileField):
        return gettext("%(field)s: the file in this archive.") % {"field": label}
    if field.help_text:
        return f"{label}. {field.help_text}"
    return f"{label}."


describe = lazy(_describe, str)


def whether(condition: models.Q) -> models.Case:
    """``condition`` as a boolean value of each of a section's objects, to annotate them with
    (``.annotate(sent_by_you=whether(Q(invited_by=user)))``) and read as a column: false, never null, where
    the condition compares an empty reference."""
    return models.Case(models.When(condition, then=True), default=False, output_field=models.BooleanField())


def fields(model: type[models.Model], names: str) -> tuple[Column, ...]:
    """Columns for the fields of ``model`` named in ``names`` (separated by spaces), each keyed by the field's
    name, typed by its class and described by its label (``describe``). A relation holds no value of its own to
    export, and a field without a translated label (``verbose_name``) cannot describe itself in the person's
    language: give their Column."""
    columns = []
    for name in names.split():
        field = model._meta.get_field(name)
        if not isinstance(field, models.Field) or field.is_relation:
            raise ValueError(f"{model._meta.label}.{name} is a relation: give its Column")
        if not isinstance(field.verbose_name, Promise):
            raise ValueError(f"{model._meta.label}.{name} has no translated verbose_name: give one, or its Column")
        columns.append(Column(name, _field_type(field), describe(field)))
    return tuple(columns)


@dataclass(frozen=True)
class Owned:
    """The rows of ``model`` whose ``field`` is the person, with ``related`` read along, in ``order``: a
    section's ``objects`` for the common case. The section then covers ``<app>.<Model>.<field>`` without
    saying so: what it claims to cover is what it reads."""

    model: type[models.Model]
    field: str
    related: tuple[str, ...] = ()
    order: tuple[str, ...] = ("pk",)

    def __call__(self, user: Any) -> models.QuerySet[Any]:
        found = self.model._default_manager.filter(**{self.field: user})
        if self.related:
            found = found.select_related(*self.related)
        return found.order_by(*self.order)

    @property
    def covers(self) -> tuple[str, ...]:
        return (f"{self.model._meta.label}.{self.field}",)


def owned(model: type[models.Model], field: str, *related: str, order: tuple[str, ...] = ("pk",)) -> Owned:
    """``Owned(model, field, related, order)``: e.g. ``owned(Trip, "driver", "vehicle", order=("started_at", "pk"))``."""
    return Owned(model, field, related, order)


@dataclass(frozen=True)
class Section:
    """One table of a person's data. Its rows come either from ``objects(user)``, which yields one object a row
    (a queryset is read in chunks), each column reading its value from it (``Column.source``), or from
    ``rows(user)``, which yields dicts keyed by the columns' keys. Values are of Python types: str, int, bool,
    Decimal, date, datetime, timedelta, or None. ``files(user)`` yields (name inside the archive, stored file)
    for the person's own uploads; a row refers to a file by that name."""

    name: str
    title: str | Promise
    description: str | Promise
    columns: tuple[Column, ...]
    # The references to a person the section covers; taken from ``objects`` when it is ``owned(...)``.
    covers: tuple[str, ...] = ()
    objects: Callable[[Any], Iterable[Any]] | None = None
    rows: Callable[[Any], Iterable[dict[str, Any]]] | None = None
    files: Callable[[Any], Iterable[tuple[str, FieldFile]]] | None = None
    order: int = 100

    def __post_init__(self) -> None:
        if (self.objects is None) == (self.rows is None):
            raise ValueError(f"privacy section {self.name}: give either objects or rows")
        if isinstance(self.objects, Owned):
            object.__setattr__(self, "covers", tuple(dict.fromkeys((*self.objects.covers, *self.covers))))
        if not self.covers:
            raise ValueError(f"privacy section {self.name}: say which references to a person it covers")

    @property
    def keys(self) -> list[str]:
        return [column.key for column in self.columns]

    def read(self, user: Any) -> Iterator[dict[str, Any]]:
        """The person's rows, as dicts keyed by the columns' keys."""
        if self.rows is not None:
            yield from self.rows(user)
            return
        assert self.objects is not None
        found = self.objects(user)
        if isinstance(found, models.QuerySet):
            found = found.iterator(chunk_size=500)
        for obj in found:
            yield {column.key: column.read(obj) for column in self.columns}


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
