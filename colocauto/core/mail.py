"""E-mail in the recipient's language, with one rule for subjects.

Every app builds its messages with these: ``email_subject`` (the site's prefix, on one line, whatever a
stored name holds), ``language_of`` (whose language a message is written in), ``in_language`` /
``render_in_language`` (text produced while that language is active) and ``templated_email`` (a message with
a text and an HTML part from one pair of templates).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from colocauto.text import subject_line


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


def templated_email(subject: str, template: str, context: dict[str, Any], to: str) -> EmailMultiAlternatives:
    """A message to ``to`` whose text part is ``<template>.txt`` and HTML part ``<template>.html``, both
    rendered from ``context`` in the active language, under ``email_subject(subject)``."""
    body = render_to_string(f"{template}.txt", context)
    message = EmailMultiAlternatives(subject=email_subject(subject), body=body, to=[to])
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message
