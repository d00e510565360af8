"""A person's data export: built by a worker, downloaded once through a link that expires."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# How long a finished archive can be downloaded (the e-mail says so).
LINK_LIFETIME = timedelta(days=7)


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def archive_upload_to(instance: "DataExport", filename: str) -> str:
    return f"exports/{instance.user_id}/{secrets.token_hex(12)}.zip"


class ArchiveBuild(models.Model):
    """An archive built by a worker and downloaded once through a link that expires: a person's data export,
    a community's backup (``backups.models.CommunityExport``). Its life cycle is ``privacy.builds``."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a worker")
        BUILDING = "building", _("Being prepared")
        READY = "ready", _("Ready to download")
        DOWNLOADED = "downloaded", _("Downloaded")
        EXPIRED = "expired", _("Expired")
        FAILED = "failed", _("Failed")

    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    # The worker building it claims it (a lease: a dead worker's build is started again by the sweep).
    claimed_at = models.DateTimeField(null=True, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    ready_at = models.DateTimeField(_("ready at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    downloaded_at = models.DateTimeField(_("downloaded at"), null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-requested_at", "-pk"]

    @property
    def status(self) -> str:
        now = timezone.now()
        if self.downloaded_at:
            return self.Status.DOWNLOADED
        if self.ready_at:
            return self.Status.EXPIRED if self.expires_at and self.expires_at <= now else self.Status.READY
        if self.failed_at:
            return self.Status.FAILED
        return self.Status.BUILDING if self.claimed_at else self.Status.PENDING

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.BUILDING)


class DataExport(ArchiveBuild):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports")
    archive = models.FileField(upload_to=archive_upload_to, blank=True)

    class Meta(ArchiveBuild.Meta):
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="data_export_progress_percent"),
        ]
        indexes = [models.Index(fields=["user", "requested_at"])]

    def __str__(self) -> str:
        return f"{self.user} {self.requested_at:%Y-%m-%d %H:%M}"


# How long a person can change their mind after asking for their account to be erased (the e-mail says so).
GRACE_PERIOD = timedelta(days=14)


class AccountDeletion(models.Model):
    """A person's request to erase their account (GDPR Art. 17), or a site operator's on their written request.

    Erased by the beat job once ``erase_after`` has passed (``privacy.erasure``); cancelled by the person until
    then. ``leave_balance``: they chose to leave a non-zero balance to their communities, as a former member's
    account the community settles. ``operator`` and ``operator_reason``: who erased the account on a written
    request, and why (the management command ``erase_person``).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deletions")
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    erase_after = models.DateTimeField(_("erased after"))
    leave_balance = models.BooleanField(default=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)
    operator = models.CharField(max_length=120, blank=True)
    operator_reason = models.CharField(max_length=500, blank=True)
    # The e-mail with the cancel link, to the person, sent once through the outbox.
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("account deletion")
        verbose_name_plural = _("account deletions")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(cancelled_at__isnull=True, erased_at__isnull=True),
                name="account_deletion_one_open_per_user",
            ),
        ]
        indexes = [
            models.Index(
                fields=["erase_after"],
                condition=Q(cancelled_at__isnull=True, erased_at__isnull=True),
                name="account_deletion_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.requested_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.cancelled_at is None and self.erased_at is None
