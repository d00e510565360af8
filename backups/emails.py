"""The e-mail telling the admin who asked that the community's archive is ready, sent once through the outbox."""

from django.urls import reverse

from backups.models import CommunityExport
from privacy.builds import ready_email_deliver, ready_emails_sweep


def backup_ready_deliver(*, export_id: int) -> bool:
    return ready_email_deliver(
        CommunityExport.objects.filter(pk=export_id, ready_at__isnull=False).select_related("requested_by"),
        person=lambda export: export.requested_by,
        url=lambda export: reverse(
            "community_backup_download", kwargs={"community_id": export.community_id, "token": export.token}
        ),
        template="emails/backups/backup_ready",
    )


def emails_sweep() -> int:
    return ready_emails_sweep(CommunityExport, backup_ready_deliver, what="Community backup")
