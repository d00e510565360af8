"""Writes of the backups app: an admin asks for their community's archive, a worker builds it, the admin
downloads it once. The life cycle (lease, progress, single-use link that expires) is ``privacy.builds``."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backups import archive
from backups.models import CommunityExport
from colocauto.core.errors import Conflict, DomainError, NotFound
from colocauto.core.queue import wake_by_name
from communities.models import Community, Membership
from communities.rules import require_admin
from privacy import builds


class BackupTooOften(Conflict):
    default_code = "backup_too_often"


class BackupGone(DomainError):
    status_code = 410
    default_code = "backup_gone"


def backup_request(*, membership: Membership) -> CommunityExport:
    """An admin asks for the archive of their community; a worker builds it. One being built is returned
    rather than started twice."""
    require_admin(membership)
    with transaction.atomic():
        Community.objects.select_for_update().filter(pk=membership.community_id).first()
        exports = CommunityExport.objects.filter(community_id=membership.community_id)
        running = exports.filter(ready_at__isnull=True, failed_at__isnull=True).first()
        if running is not None:
            return running
        day_ago = timezone.now() - timedelta(days=1)
        if exports.filter(requested_at__gte=day_ago).count() >= settings.BACKUPS_PER_DAY:
            raise BackupTooOften(
                _(
                    "This community's archive was asked for several times today. Please use the last one, or try tomorrow."
                )
            )
        export = CommunityExport.objects.create(community_id=membership.community_id, requested_by=membership.user)
        wake_by_name("backups.tasks.backup_build", export.pk)
    return export


def backup_build(*, export_id: int) -> bool:
    """Build one archive, once (see ``privacy.builds.build_once``)."""
    return builds.build_once(
        CommunityExport,
        export_id,
        lambda export, target, progress: archive.build(export.community, export.requested_by, target, progress),
        "backups.tasks.backup_ready_email",
    )


def backup_download(*, membership: Membership, token: str) -> CommunityExport:
    """Take the archive behind a link, once: only the admin who asked for it, while still an admin."""
    require_admin(membership)
    export = CommunityExport.objects.filter(
        community_id=membership.community_id, requested_by=membership.user, token=token
    ).first()
    return builds.take_once(
        export,
        NotFound(_("No such archive.")),
        BackupGone(
            _("This download link has already been used or has expired. Ask for the community's archive again.")
        ),
    )


def backups_sweep() -> int:
    return builds.sweep(CommunityExport, "backups.tasks.backup_build")
