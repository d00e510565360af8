"""An archive built by a worker and downloaded once through a link that expires: the life cycle shared by a
person's data export (``privacy.models.DataExport``) and a community's backup (``backups``).

The model has the columns of ``DataExport``: ``claimed_at`` (a lease), ``progress``, ``attempts``, ``ready_at``,
``expires_at``, ``downloaded_at``, ``failed_at``, ``archive`` and ``size``.
"""

import logging
import tempfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.mail import EmailMessage
from django.db.models import Model, Q, QuerySet
from django.http import FileResponse, Http404, JsonResponse
from django.utils import timezone

from colocauto.core import outbox
from colocauto.core.errors import DomainError
from colocauto.core.mail import text_email
from colocauto.core.queue import wake_by_name
from privacy.models import LINK_LIFETIME

logger = logging.getLogger(__name__)

# A worker building an archive holds it this long; after that the sweep starts it again (a killed worker).
BUILD_LEASE = timedelta(minutes=30)
MAX_ATTEMPTS = 3

Writer = Callable[[Any, IO[bytes], Callable[[int], None]], None]


def build_once(model: type[Model], export_id: int, write: Writer, ready_task: str) -> bool:
    """Build one archive once with ``write(row, target, progress)``; False when there was nothing to do (built,
    taken by a live worker, gone). A worker killed half-way leaves its claim to expire: the sweep builds again."""
    rows = model._default_manager.filter(pk=export_id, ready_at__isnull=True, failed_at__isnull=True)
    lease_ends = timezone.now() - BUILD_LEASE
    if not rows.filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=lease_ends)).update(
        claimed_at=timezone.now(), progress=0
    ):
        return False
    export: Any = model._default_manager.get(pk=export_id)
    rows.update(attempts=export.attempts + 1)

    def progress(percent: int) -> None:
        model._default_manager.filter(pk=export_id).update(progress=min(percent, 99))

    try:
        with tempfile.TemporaryFile() as target:
            write(export, target, progress)
            size = target.tell()
            target.seek(0)
            export.archive.save(f"{export.pk}.zip", File(target), save=False)
    except Exception:
        logger.exception("%s %s could not be built.", model._meta.verbose_name, export_id)
        if export.attempts + 1 >= MAX_ATTEMPTS:
            rows.update(failed_at=timezone.now())
        else:
            rows.update(claimed_at=None)
        raise
    now = timezone.now()
    model._default_manager.filter(pk=export_id).update(
        archive=export.archive.name, size=size, progress=100, ready_at=now, expires_at=now + LINK_LIFETIME
    )
    wake_by_name(ready_task, export_id)
    return True


def take_once(export: Any, gone: DomainError) -> Any:
    """Spend the link of a ready, unexpired, unused archive; ``gone`` is raised otherwise."""
    if not (export.archive and export.archive.storage.exists(export.archive.name)):
        # Deleted by the sweep (used or expired) or lost: the link is not spent on a file that is not there.
        raise gone
    taken = (
        type(export)
        ._default_manager.filter(
            pk=export.pk, ready_at__isnull=False, downloaded_at__isnull=True, expires_at__gt=timezone.now()
        )
        .update(downloaded_at=timezone.now())
    )
    if not taken:
        raise gone
    return export


def sweep(model: type[Model], build_task: str) -> int:
    """Build again what a dead worker or a down broker left, and delete used or expired archives. Returns how
    many archives were deleted."""
    now = timezone.now()
    stale = model._default_manager.filter(ready_at__isnull=True, failed_at__isnull=True).filter(
        Q(claimed_at__isnull=True, requested_at__lt=now - timedelta(minutes=2)) | Q(claimed_at__lt=now - BUILD_LEASE)
    )
    for export_id in stale.values_list("pk", flat=True):
        wake_by_name(build_task, export_id)
    # A downloaded archive is deleted an hour later, so that a download still streaming is not cut off.
    done = model._default_manager.exclude(archive="").filter(
        Q(expires_at__lte=now) | Q(downloaded_at__lt=now - timedelta(hours=1))
    )
    deleted = 0
    export: Any
    for export in done:
        export.archive.delete(save=False)
        model._default_manager.filter(pk=export.pk).update(archive="")
        deleted += 1
    return deleted


# --- The web side: a status for the page's script, the download, the "ready" e-mail --------------------------


def status_response(export: Any, download_url: str | None = None) -> JsonResponse:
    """The archive's progress for the page's script, never cached; ``download_url`` once it is ready, for
    whoever may download it."""
    body = {"status": export.status, "label": export.get_status_display(), "progress": export.progress}
    if download_url and export.status == export.Status.READY:
        body["download_url"] = download_url
    return JsonResponse(body, headers={"Cache-Control": "private, no-store"})


def archive_response(export: Any, filename: str) -> FileResponse:
    """The archive as a download, never stored by a browser or a proxy; 404 when its file is gone."""
    try:
        handle = export.archive.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type="application/zip")
    response["Cache-Control"] = "private, no-store"
    return response


def ready_email_deliver(
    exports: QuerySet[Any], *, person: Callable[[Any], Any], url: Callable[[Any], str], template: str
) -> bool:
    """Send once, through the outbox, the e-mail saying the archive of ``exports`` (one ready row) can be
    downloaded at ``url(export)``, to ``person(export)`` in their language; ``template``: the e-mail's
    templates without ``.txt`` / ``_subject.txt``."""

    def messages() -> Iterator[tuple[int, EmailMessage]]:
        export = exports.first()
        if export is None:
            return
        reader = person(export)
        context = {"person": reader, "export": export, "download_url": settings.SITE_URL.rstrip("/") + url(export)}
        yield reader.pk, text_email(reader, template, context, reader.email)

    return outbox.deliver(exports, claimed="email_claimed_at", done="email_sent_at", messages=messages) == 1
