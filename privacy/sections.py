"""What the privacy app and allauth hold about a person, registered like every app's own tables."""

from allauth.account.models import EmailAddress, EmailConfirmation
from django.contrib.sessions.models import Session
from django.utils.translation import gettext_lazy as _

from colocauto.core.privacy import Column, Retention, Section, fields, keep_for, owned, register
from privacy.models import DataExport

register(
    Section(
        name="email_addresses",
        title=_("E-mail addresses"),
        description=_("The addresses of your account and whether you confirmed them."),
        columns=(
            *fields(EmailAddress, "email verified"),
            Column("primary", "boolean", _("Whether it is the one you log in with.")),
        ),
        objects=owned(EmailAddress, "user"),
        order=1,
    ),
    Section(
        name="data_exports",
        title=_("Data exports"),
        description=_("When you asked for your data, this archive included."),
        columns=fields(DataExport, "requested_at ready_at downloaded_at"),
        objects=owned(DataExport, "user"),
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
