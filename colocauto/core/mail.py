"""E-mail in the recipient's language, with one rule for subjects.

Every app builds its messages with these: ``email_subject`` (the site's prefix, on one line, whatever a
stored name holds), ``language_of`` (whose language a message is written in), ``in_language`` /
``render_in_language`` (text produced while that language is active) and ``templated_email`` (a message with
a text and an HTML part from one pair of templates).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from email.mime.base import MIMEBase
from functools import lru_cache
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import forbid_multi_line_headers
from django.template.loader import render_to_string
from django.utils import translation

from colocauto.text import french_typography, subject_line


class HasLanguage(Protocol):
    language: str


def email_subject(text: str) -> str:
    """The prefixed subject on one line: control characters (newlines included) and runs of spaces become
    one space, so a name typed with a line break can never make the header invalid. No-break spaces stay:
    French puts them before ":" and "€"."""
    return subject_line(f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{text}")


def language_of(recipient: HasLanguage | str | None) -> str:
    """A user's language, a language code as given, or the site's default language."""
    language = recipient if isinstance(recipient, str) else getattr(recipient, "language", "")
    return language or settings.LANGUAGE_CODE


def in_language(recipient: HasLanguage | str | None) -> AbstractContextManager[None]:
    """``with in_language(user):`` — gettext and templates speak the recipient's language inside."""
    return translation.override(language_of(recipient))


def render_in_language(recipient: HasLanguage | str | None, template: str, context: dict[str, Any]) -> str:
    """``template`` rendered in the recipient's language."""
    with in_language(recipient):
        return render_to_string(template, context)


@lru_cache(maxsize=256)
def _encoded_subject(subject: str, encoding: str) -> str:
    return str(forbid_multi_line_headers("Subject", subject, encoding)[1])


class SharedSubjectEmail(EmailMultiAlternatives):
    """An e-mail whose subject many others share (the monthly e-mails: one subject per community and
    language). Python encodes a non-ASCII header in time quadratic in its length, a large part of building
    a short message; the encoded subject is computed once here, by Django's own function (so the header
    is the same, and a subject with a line break is refused the same way)."""

    def message(self) -> MIMEBase:
        subject, self.subject = self.subject, ""
        try:
            message: MIMEBase = super().message()
        finally:
            self.subject = subject
        message.replace_header("Subject", _encoded_subject(subject, self.encoding or settings.DEFAULT_CHARSET))
        return message


def plain_email(subject: str, body: str, to: str) -> EmailMultiAlternatives:
    """A text-only e-mail to ``to``, written in the active language (call it inside ``in_language``): the
    prefixed one-line subject, and French typography in subject and body once the names, months and dates are
    in (« la demande d’Inès », « régularisation d’octobre », « le 1er décembre »)."""
    return SharedSubjectEmail(
        subject=email_subject(french_typography(str(subject))), body=french_typography(body), to=[to]
    )


def text_email(
    recipient: HasLanguage | str | None, template: str, context: dict[str, Any], to: str
) -> EmailMultiAlternatives:
    """``<template>_subject.txt`` and ``<template>.txt`` rendered in the recipient's language, as a
    ``plain_email``."""
    with in_language(recipient):
        return plain_email(
            render_to_string(f"{template}_subject.txt", context), render_to_string(f"{template}.txt", context), to
        )


def templated_email(subject: str, template: str, context: dict[str, Any], to: str) -> EmailMultiAlternatives:
    """A message to ``to`` whose text part is ``<template>.txt`` and HTML part ``<template>.html``, both
    rendered from ``context`` in the active language, under ``email_subject(subject)`` (encoded once for
    every message that shares it: ``SharedSubjectEmail``), with French elisions and ordinals in French."""
    # French typography once the names, months and dates are in, for every e-mail alike: « la demande
    # d’Inès », « régularisation d’octobre », « le 1er décembre » (nothing changes in another language).
    body = french_typography(render_to_string(f"{template}.txt", context))
    message = SharedSubjectEmail(subject=email_subject(french_typography(str(subject))), body=body, to=[to])
    message.attach_alternative(french_typography(render_to_string(f"{template}.html", context)), "text/html")
    return message
