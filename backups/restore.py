"""Importing a checked community archive into this server, in one database transaction: people matched by
e-mail address (or created without a usable password), every row given a new id, uploads stored anew, the
ledger's entries inserted through the database's triggers (which keep the stored balances), then proved."""

import hashlib
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import uuid4

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, models, transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from backups import checks
from backups.archive import MANIFEST, upload_path
from backups.errors import ArchiveRefused
from backups.models import CommunityImport
from backups.tables import TABLES, Table
from communities.models import Community, User
from ledger.models import Account
from ledger.stored_balances import stored_balance_mismatches

BATCH = 500


@dataclass(frozen=True)
class Imported:
    community: Community
    counts: dict[str, int]
    people_created: int
    people_matched: int


@contextmanager
def _dates_as_given() -> Iterator[None]:
    """``auto_now``/``auto_now_add`` would stamp every imported row with today: keep the archive's dates."""
    changed = []
    for table in TABLES:
        for column in table.columns():
            if isinstance(column, models.DateField) and (column.auto_now or column.auto_now_add):
                changed.append((column, column.auto_now, column.auto_now_add))
                column.auto_now = column.auto_now_add = False
    try:
        yield
    finally:
        for column, auto_now, auto_now_add in changed:
            column.auto_now, column.auto_now_add = auto_now, auto_now_add


def _people(rows: list[dict[str, Any]]) -> tuple[dict[int, int], int]:
    """Archive user id → this server's user: the one with that e-mail address, or a new one who signs in by
    e-mail code or resets a password."""
    ids, created = {}, 0
    for row in rows:
        if row.get("erased_at"):  # a former member: a pseudonym of its own here, never someone else's account
            former = User(
                display_name="", language=row["language"], is_active=False, email=f"erased-{uuid4().hex}@x.invalid"
            )
            former.erased_at = User._meta.get_field("erased_at").to_python(row["erased_at"])
            former.former_number = row["former_number"]
            former.set_unusable_password()
            former.save()
            User.objects.filter(pk=former.pk).update(email=f"erased-{former.pk}@erased.invalid")
            created += 1
            ids[row["id"]] = former.pk
            continue
        email = (row["email"] or "").strip().lower()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User(email=email, display_name=row["display_name"], language=row["language"])
            user.set_unusable_password()
            user.save()
            EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
            created += 1
        ids[row["id"]] = user.pk
    return ids, created


class _Importer:
    def __init__(self, archive: zipfile.ZipFile, rows: checks.Rows, missing: set[str]):
        self.archive, self.rows, self.missing = archive, rows, missing
        self.ids: dict[str, dict[int, int]] = {}
        self.deferred: list[tuple[Table, int, dict[str, Any]]] = []
        self.stored: list[Any] = []  # files written to storage, deleted again if the import is refused

    def instance(self, table: Table, row: dict[str, Any]) -> models.Model:
        values: dict[str, Any] = {}
        references = table.references()
        files = set(table.files())
        later = {}
        for column in table.columns():
            name = column.attname
            value = row[name]
            if name == "id" or name in table.kept_by_database:
                continue
            if name in table.deferred:  # set by finish_deferred once the table it points into is in
                later[name] = value if name in references else column.to_python(value)
                values[name] = table.deferred[name]
                continue
            if name in references and value is not None:
                value = self.ids[references[name]][value]
            elif name in table.user_lists:
                value = [self.ids["users"][pk] for pk in value or [] if pk in self.ids["users"]]
            elif name in files:
                continue
            else:
                value = column.to_python(value)
            values[name] = value
        instance = table.model(**values)
        for name in files:
            stored = row[name]
            if stored and stored not in self.missing:
                content = ContentFile(self.archive.read(upload_path(stored)), name=stored.rsplit("/", 1)[-1])
                setattr(instance, name, content)  # an upload_to may read the content (a receipt's type)
                getattr(instance, name).save(stored.rsplit("/", 1)[-1], content, save=False)
                self.stored.append(getattr(instance, name))
        if later:
            self.deferred.append((table, row["id"], later))
        return instance

    def insert(self, table: Table) -> None:
        """Insert the rows in the archive's order (statements order a day's lines by id), in batches; a row
        pointing at a row of its own table (a reversal) waits until that row is in."""
        mapping = self.ids.setdefault(table.name, {})
        own = [name for name, target in table.references().items() if target == table.name]
        batch: list[dict[str, Any]] = []
        batch_ids: set[int] = set()

        def flush() -> None:
            made = table.model._default_manager.bulk_create([self.instance(table, row) for row in batch])
            for row, instance in zip(batch, made, strict=True):
                mapping[row["id"]] = instance.pk
            batch.clear()
            batch_ids.clear()

        for row in sorted(self.rows[table.name], key=lambda row: row["id"]):
            if any(row[name] in batch_ids for name in own) or len(batch) >= BATCH:
                flush()
            if any(row[name] is not None and row[name] not in mapping for name in own):
                raise ArchiveRefused(
                    _("%(table)s row %(id)s points at a later row of its own table.")
                    % {"table": table.name, "id": row["id"]},
                    code="archive_dangling_reference",
                )
            batch.append(row)
            batch_ids.add(row["id"])
        if batch:
            flush()

    def finish_deferred(self) -> None:
        for table, old_id, values in self.deferred:
            mapped = {
                name: (
                    self.ids[table.references()[name]][value]
                    if name in table.references() and value is not None
                    else value
                )
                for name, value in values.items()
            }
            table.model._default_manager.filter(pk=self.ids[table.name][old_id]).update(**mapped)


def community_import(*, archive_path: Any, again: bool = False) -> Imported:
    """Check the archive, then import it whole or not at all. An archive already imported here is refused
    unless ``again`` (a second copy is wanted)."""
    archive = checks.open_archive(archive_path)
    with archive:
        manifest = checks.read_manifest(archive)
        digest = hashlib.sha256(archive.read(MANIFEST)).hexdigest()
        if not again:
            _refuse_if_imported(digest)
        checks.check_files(archive, manifest)
        rows = checks.read_rows(archive, manifest)
        checks.check_references(rows)
        balances = checks.check_ledger(rows)
        importer = _Importer(archive, rows, set(manifest.get("missing_uploads") or []))
        try:
            with transaction.atomic(), _dates_as_given():
                importer.ids["users"], created = _people(rows["users"])
                for table in TABLES[1:]:
                    importer.insert(table)
                importer.finish_deferred()
                community = Community.objects.get(pk=importer.ids["communities"][rows["communities"][0]["id"]])
                _prove(community, importer.ids["accounts"], balances)
                CommunityImport.objects.create(
                    manifest_sha256=digest,
                    community=community,
                    source_community_id=rows["communities"][0]["id"],
                    source_name=community.name,
                    generated_at=parse_datetime(str(manifest.get("generated_at") or "")),
                )
        except (ValidationError, DatabaseError, ValueError, TypeError, KeyError) as error:
            _forget(importer.stored)
            raise ArchiveRefused(
                _("The database refused a row of the archive: %(error)s") % {"error": str(error).strip()[:300]},
                code="archive_rows_refused",
            ) from error
        except BaseException:
            _forget(importer.stored)
            raise
    counts = {name: len(table_rows) for name, table_rows in rows.items()}
    return Imported(community, counts, created, len(rows["users"]) - created)


def _refuse_if_imported(digest: str) -> None:
    earlier = CommunityImport.objects.filter(manifest_sha256=digest).order_by("imported_at").first()
    if earlier is None:
        return
    raise ArchiveRefused(
        _(
            "This archive was already imported on %(date)s, as community #%(id)s “%(name)s”. To import a second "
            "copy all the same, ask for it (--again)."
        )
        % {
            "date": f"{earlier.imported_at:%Y-%m-%d %H:%M} UTC",
            "id": earlier.community_id if earlier.community_id is not None else "—",
            "name": earlier.source_name,
        },
        code="archive_already_imported",
        params={"community": earlier.community_id},
    )


def _forget(stored: list[Any]) -> None:
    for upload in stored:
        upload.delete(save=False)


def _prove(community: Community, accounts: dict[int, int], balances: dict[int, Decimal]) -> None:
    """The balances the triggers kept are the archive's, and equal the sums of the entries."""
    stored = dict(Account.objects.filter(community=community).values_list("pk", "balance"))
    for old_id, balance in balances.items():
        if stored[accounts[old_id]] != balance:
            raise ArchiveRefused(
                _("After import, account %(id)s has a balance of %(stored)s instead of %(expected)s.")
                % {"id": old_id, "stored": stored[accounts[old_id]], "expected": balance},
                code="archive_balance_mismatch",
            )
    if stored_balance_mismatches(community.pk):
        raise ArchiveRefused(
            _("After import, the stored balances differ from the entries' sums."), code="archive_balance_mismatch"
        )
