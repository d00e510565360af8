"""A community's backup: built by a worker for an admin, downloaded once through a link that expires
(the life cycle of ``privacy.builds``, shared with a person's data export)."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.models import DataExport


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def archive_upload_to(instance: "CommunityExport", filename: str) -> str:
    return f"backups/{instance.community_id}/{secrets.token_hex(12)}.zip"


class CommunityExport(models.Model):
    Status = DataExport.Status

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="+")
    # The admin who asked: the only one the link works for, and the one told when it is ready.
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    ready_at = models.DateTimeField(_("ready at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    downloaded_at = models.DateTimeField(_("downloaded at"), null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    archive = models.FileField(upload_to=archive_upload_to, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("community backup")
        verbose_name_plural = _("community backups")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="community_export_progress_percent"),
        ]
        indexes = [models.Index(fields=["community", "requested_at"])]

    def __str__(self) -> str:
        return f"{self.community_id} {self.requested_at:%Y-%m-%d %H:%M}"

    status = DataExport.status
    get_status_display = DataExport.get_status_display
    in_progress = DataExport.in_progress
