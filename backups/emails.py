"""The e-mail telling the admin who asked that the community's archive is ready, sent once through the outbox."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from backups.models import CommunityExport
from colocauto.core import outbox
from colocauto.core.mail import email_subject, in_language


def backup_ready_deliver(*, export_id: int) -> bool:
    exports = CommunityExport.objects.filter(pk=export_id, ready_at__isnull=False)

    def messages():
        export = exports.select_related("requested_by", "community").first()
        if export is None:
            return
        person = export.requested_by
        path = reverse("community_backup_download", kwargs={"community_id": export.community_id, "token": export.token})
        context = {"person": person, "export": export, "download_url": settings.SITE_URL.rstrip("/") + path}
        with in_language(person):
            subject = render_to_string("emails/backups/backup_ready_subject.txt", context)
            body = render_to_string("emails/backups/backup_ready.txt", context)
        yield person.pk, EmailMessage(subject=email_subject(subject), body=body, to=[person.email])

    return outbox.deliver(exports, claimed="email_claimed_at", done="email_sent_at", messages=messages) == 1


def emails_sweep() -> int:
    due = outbox.due(
        CommunityExport.objects.filter(ready_at__isnull=False), claimed="email_claimed_at", done="email_sent_at"
    )
    return outbox.sweep(
        due.values_list("pk", flat=True), lambda pk: int(backup_ready_deliver(export_id=pk)), what="Community backup"
    )
