"""A community's backup: built by a worker for an admin, downloaded once through a link that expires
(the life cycle of ``privacy.builds``, shared with a person's data export)."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from privacy.models import ArchiveBuild


def archive_upload_to(instance: "CommunityExport", filename: str) -> str:
    return f"backups/{instance.community_id}/{secrets.token_hex(12)}.zip"


class CommunityExport(ArchiveBuild):
    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="+")
    # The admin who asked: the only one the link works for, and the one told when it is ready.
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    archive = models.FileField(upload_to=archive_upload_to, blank=True)

    class Meta(ArchiveBuild.Meta):
        verbose_name = _("community backup")
        verbose_name_plural = _("community backups")
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="community_export_progress_percent"),
        ]
        indexes = [models.Index(fields=["community", "requested_at"])]

    def __str__(self) -> str:
        return f"{self.community_id} {self.requested_at:%Y-%m-%d %H:%M}"


class CommunityImport(models.Model):
    """An archive a site operator imported: the same archive is not imported twice by mistake (people would find
    every community twice). Identified by its manifest, which holds every file's SHA-256."""

    manifest_sha256 = models.CharField(max_length=64, db_index=True)
    community = models.ForeignKey("communities.Community", on_delete=models.SET_NULL, null=True, related_name="+")
    source_community_id = models.PositiveBigIntegerField()
    source_name = models.CharField(max_length=200)
    generated_at = models.DateTimeField(null=True)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("community import")
        verbose_name_plural = _("community imports")

    def __str__(self) -> str:
        return f"{self.source_name} → {self.community_id} ({self.imported_at:%Y-%m-%d %H:%M})"
