"""What the privacy app and allauth hold about a person, registered like every app's own tables."""

from allauth.account.models import EmailAddress, EmailConfirmation
from django.contrib.sessions.models import Session
from django.utils.translation import gettext_lazy as _

from colocauto.core.privacy import Column, Retention, Section, keep_for, register
from privacy.models import DataExport


def _addresses(user):
    for address in EmailAddress.objects.filter(user=user).order_by("pk"):
        yield {"email": address.email, "verified": address.verified, "primary": address.primary}


def _exports(user):
    for export in DataExport.objects.filter(user=user).order_by("pk"):
        yield {"requested_at": export.requested_at, "ready_at": export.ready_at, "downloaded_at": export.downloaded_at}


register(
    Section(
        name="email_addresses",
        title=_("E-mail addresses"),
        description=_("The addresses of your account and whether you confirmed them."),
        columns=(
            Column("email", "string", _("The address.")),
            Column("verified", "boolean", _("Whether you confirmed it.")),
            Column("primary", "boolean", _("Whether it is the one you log in with.")),
        ),
        rows=_addresses,
        covers=("account.EmailAddress.user",),
        order=1,
    ),
    Section(
        name="data_exports",
        title=_("Data exports"),
        description=_("When you asked for your data, this archive included."),
        columns=(
            Column("requested_at", "datetime", _("When you asked.")),
            Column("ready_at", "datetime", _("When the archive was ready.")),
            Column("downloaded_at", "datetime", _("When it was downloaded.")),
        ),
        rows=_exports,
        covers=("privacy.DataExport.user",),
        order=90,
    ),
)


def _forget_sessions(cutoff):
    """Sessions that expired before ``cutoff`` (allauth's login codes live in the session too)."""
    return Session.objects.filter(expire_date__lt=cutoff).delete()[0]


def _forget_confirmations(cutoff):
    """Links to confirm an e-mail address, sent before ``cutoff``."""
    return EmailConfirmation.objects.filter(sent__lt=cutoff).delete()[0]


keep_for(
    Retention(
        name="sessions",
        description=_("Expired sessions and login codes."),
        setting="RETENTION_SESSION_DAYS",
        forget=_forget_sessions,
    ),
    Retention(
        name="email_confirmations",
        description=_("Links to confirm an e-mail address."),
        setting="RETENTION_INVITATION_DAYS",
        forget=_forget_confirmations,
    ),
)
