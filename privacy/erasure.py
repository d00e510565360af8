"""Erasing a person's account (GDPR Art. 17): the one service that runs every app's eraser from the registry.

``person_erase`` is idempotent: a person already erased is left as they are. It runs in one transaction:
memberships end first by the ordinary leave path (future bookings cancelled with notices, admins told of a
balance left behind), then each app's eraser removes what the person wrote or uploaded, then their row becomes
the pseudonym. Money is never touched: every balance stays where it was, under the pseudonym, and every
community still sums to zero.
"""

from __future__ import annotations

import logging

from allauth.account.models import EmailAddress, EmailConfirmation
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from colocauto.core.privacy import Eraser, erase_with, exempt, keep, registry
from communities.models import User
from privacy.models import AccountDeletion, DataExport

log = logging.getLogger(__name__)

ERASES = (
    "account.EmailAddress.user",
    "account.EmailAddress.email",
    "account.EmailConfirmation.key",
    "privacy.DataExport.user",
    "privacy.DataExport.token",
    "privacy.DataExport.archive",
)


def erase_logins_and_exports(user: User) -> None:
    """allauth's addresses, the person's sessions (they are logged out everywhere), their archives, and the admin
    site's history lines about their account (which repeat its name)."""
    EmailConfirmation.objects.filter(email_address__user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    key = str(user.pk)
    stale = [
        session.session_key
        for session in Session.objects.iterator(chunk_size=1000)
        if session.get_decoded().get("_auth_user_id") == key
    ]
    Session.objects.filter(session_key__in=stale).delete()
    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)).delete()
    for export in DataExport.objects.filter(user=user):
        if export.archive:
            export.archive.delete(save=False)
        export.delete()


def person_erase(*, user_id: int) -> bool:
    """Erase the person's account now; False when there is nobody (left) to erase."""
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None or user.is_erased:
            return False
        for eraser in registry.ordered_erasers():
            eraser.erase(user)
        AccountDeletion.objects.filter(user=user, cancelled_at__isnull=True, erased_at__isnull=True).update(
            erased_at=timezone.now()
        )
    log.info("Account %s erased: now former member %s.", user.pk, user.former_number)
    return True


erase_with(Eraser(name="logins_and_exports", erase=erase_logins_and_exports, covers=ERASES, order=900))
keep(
    "The record of an erasure: the date, who did it (an operator) and why; never the person's name or address.",
    "privacy.AccountDeletion",
)
exempt(
    "privacy.AccountDeletion.user",
    "A request to erase the account: shown on the person's profile while it waits; once carried out there is no "
    "account left to export.",
)
