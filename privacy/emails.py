"""The e-mail saying a data export is ready, sent once through the outbox, in the person's language."""

from django.conf import settings
from django.urls import reverse

from colocauto.core import outbox
from colocauto.core.mail import text_email
from privacy.builds import ready_email_deliver
from privacy.models import AccountDeletion, DataExport


def export_ready_deliver(*, export_id: int) -> bool:
    return ready_email_deliver(
        DataExport.objects.filter(pk=export_id, ready_at__isnull=False).select_related("user"),
        person=lambda export: export.user,
        url=lambda export: reverse("privacy_download", kwargs={"token": export.token}),
        template="emails/privacy/export_ready",
    )


def emails_sweep() -> int:
    due = outbox.due(
        DataExport.objects.filter(ready_at__isnull=False), claimed="email_claimed_at", done="email_sent_at"
    )
    return outbox.sweep(
        due.values_list("pk", flat=True), lambda pk: int(export_ready_deliver(export_id=pk)), what="Data export"
    )


def deletion_email_deliver(*, deletion_id: int) -> bool:
    """The person is told, in their language, when their account will be erased and how to cancel."""
    deletions = AccountDeletion.objects.filter(pk=deletion_id, cancelled_at__isnull=True, erased_at__isnull=True)

    def messages():
        deletion = deletions.select_related("user").first()
        if deletion is None:
            return
        person = deletion.user
        context = {
            "person": person,
            "deletion": deletion,
            "cancel_url": settings.SITE_URL.rstrip("/")
            + reverse("privacy_deletion_cancel_link", kwargs={"token": deletion.token}),
        }
        yield person.pk, text_email(person, "emails/privacy/deletion_scheduled", context, person.email)

    return outbox.deliver(deletions, claimed="email_claimed_at", done="email_sent_at", messages=messages) == 1


def deletion_emails_sweep() -> int:
    due = outbox.due(
        AccountDeletion.objects.filter(cancelled_at__isnull=True, erased_at__isnull=True),
        claimed="email_claimed_at",
        done="email_sent_at",
    )
    return outbox.sweep(
        due.values_list("pk", flat=True), lambda pk: int(deletion_email_deliver(deletion_id=pk)), what="Deletion"
    )
