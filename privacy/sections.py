"""What the privacy app and allauth hold about a person, registered like every app's own tables."""

from allauth.account.models import EmailAddress, EmailConfirmation
from django.contrib.sessions.models import Session
from django.utils.translation import gettext_lazy as _

from colocauto.core.privacy import Column, Retention, Section, fields, keep_for, register
from privacy.models import DataExport


def _addresses(user):
    return EmailAddress.objects.filter(user=user).order_by("pk")


def _exports(user):
    return DataExport.objects.filter(user=user).order_by("pk")


register(
    Section(
        name="email_addresses",
        title=_("E-mail addresses"),
        description=_("The addresses of your account and whether you confirmed them."),
        columns=(
            *fields(EmailAddress, "email verified"),
            Column("primary", "boolean", _("Whether it is the one you log in with.")),
        ),
        objects=_addresses,
        covers=("account.EmailAddress.user",),
        order=1,
    ),
    Section(
        name="data_exports",
        title=_("Data exports"),
        description=_("When you asked for your data, this archive included."),
        columns=fields(DataExport, "requested_at ready_at downloaded_at"),
        objects=_exports,
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
