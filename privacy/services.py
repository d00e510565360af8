"""Writes of the privacy app: ask for one's data, build the archive (a worker), download it once."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from colocauto.core.errors import Conflict, DomainError, NotFound
from colocauto.core.queue import wake_by_name
from privacy import archive, builds
from privacy.models import DataExport

BUILD_LEASE = builds.BUILD_LEASE


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
    return builds.build_once(
        DataExport,
        export_id,
        lambda export, target, progress: archive.build(export.user, target, progress),
        "privacy.tasks.export_ready_email",
    )


def export_download(*, user, token: str) -> DataExport:
    """Take the archive behind a link, once: the link is the person's own, ready, not expired and not used."""
    return builds.take_once(
        DataExport.objects.filter(user=user, token=token).first(),
        NotFound(_("No such export.")),
        ExportGone(
            _("This download link has already been used or has expired. Ask for your data again from your profile.")
        ),
    )


def exports_sweep() -> int:
    """Beat's job: build again what a dead worker or a down broker left, and delete used or expired
    archives. Returns how many archives were deleted."""
    return builds.sweep(DataExport, "privacy.tasks.export_build")
