"""Writes of the privacy app: ask for one's data, build the archive (a worker), download it once."""

import logging
import tempfile
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from colocauto.core.errors import Conflict, DomainError, NotFound
from colocauto.core.queue import wake_by_name
from privacy import archive
from privacy.models import LINK_LIFETIME, DataExport

logger = logging.getLogger(__name__)

# A worker building an archive holds it this long; after that the sweep starts it again (a killed worker).
BUILD_LEASE = timedelta(minutes=30)
MAX_ATTEMPTS = 3


class ExportTooOften(Conflict):
    default_code = "export_too_often"


class ExportGone(DomainError):
    status_code = 410
    default_code = "export_gone"


def export_request(*, user) -> DataExport:
    """Ask for an archive of everything Colocauto holds about ``user``; a worker builds it. An archive
    already being built is returned as it is rather than started twice."""
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()  # one request at a time per person
        running = DataExport.objects.filter(user=user, ready_at__isnull=True, failed_at__isnull=True).first()
        if running is not None:
            return running
        day_ago = timezone.now() - timedelta(days=1)
        if DataExport.objects.filter(user=user, requested_at__gte=day_ago).count() >= settings.PRIVACY_EXPORTS_PER_DAY:
            raise ExportTooOften(
                _("You have asked for your data several times today. Please use the last archive, or try tomorrow.")
            )
        export = DataExport.objects.create(user=user)
        wake_by_name("privacy.tasks.export_build", export.pk)
    return export


def export_build(*, export_id: int) -> bool:
    """Build the archive of one request, once; returns False when there was nothing to do (built, taken
    by a live worker, gone). A worker killed half-way leaves its claim to expire: the sweep builds again."""
    rows = DataExport.objects.filter(pk=export_id, ready_at__isnull=True, failed_at__isnull=True)
    lease_ends = timezone.now() - BUILD_LEASE
    if not rows.filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=lease_ends)).update(
        claimed_at=timezone.now(), progress=0
    ):
        return False
    export = DataExport.objects.select_related("user").get(pk=export_id)
    rows.update(attempts=export.attempts + 1)

    def progress(percent: int) -> None:
        DataExport.objects.filter(pk=export_id).update(progress=min(percent, 99))

    try:
        with tempfile.TemporaryFile() as target:
            archive.build(export.user, target, progress)
            size = target.tell()
            target.seek(0)
            export.archive.save(f"{export.pk}.zip", File(target), save=False)
    except Exception:
        logger.exception("Data export %s could not be built.", export_id)
        if export.attempts + 1 >= MAX_ATTEMPTS:
            rows.update(failed_at=timezone.now())
        else:
            rows.update(claimed_at=None)
        raise
    now = timezone.now()
    DataExport.objects.filter(pk=export_id).update(
        archive=export.archive.name, size=size, progress=100, ready_at=now, expires_at=now + LINK_LIFETIME
    )
    wake_by_name("privacy.tasks.export_ready_email", export_id)
    return True


def export_download(*, user, token: str) -> DataExport:
    """Take the archive behind a link, once: the link is the person's own, ready, not expired and not used."""
    export = DataExport.objects.filter(user=user, token=token).first()
    if export is None:
        raise NotFound(_("No such export."))
    if not (export.archive and export.archive.storage.exists(export.archive.name)):
        # Deleted by the sweep (used or expired) or lost: the link is not spent on a file that is not there.
        raise ExportGone(
            _("This download link has already been used or has expired. Ask for your data again from your profile.")
        )
    taken = DataExport.objects.filter(
        pk=export.pk, ready_at__isnull=False, downloaded_at__isnull=True, expires_at__gt=timezone.now()
    ).update(downloaded_at=timezone.now())
    if not taken:
        raise ExportGone(
            _("This download link has already been used or has expired. Ask for your data again from your profile.")
        )
    return export


def exports_sweep() -> int:
    """Beat's job: build again what a dead worker or a down broker left, and delete used or expired
    archives. Returns how many archives were deleted."""
    now = timezone.now()
    stale = DataExport.objects.filter(ready_at__isnull=True, failed_at__isnull=True).filter(
        Q(claimed_at__isnull=True, requested_at__lt=now - timedelta(minutes=2)) | Q(claimed_at__lt=now - BUILD_LEASE)
    )
    for export_id in stale.values_list("pk", flat=True):
        wake_by_name("privacy.tasks.export_build", export_id)
    # A downloaded archive is deleted an hour later, so that a download still streaming is not cut off.
    done = DataExport.objects.exclude(archive="").filter(
        Q(expires_at__lte=now) | Q(downloaded_at__lt=now - timedelta(hours=1))
    )
    deleted = 0
    for export in done:
        export.archive.delete(save=False)
        DataExport.objects.filter(pk=export.pk).update(archive="")
        deleted += 1
    return deleted
