"""allauth's e-mails in the house style: a text and an HTML part, in the recipient's language, greeting them by name."""

import re

import pytest
from allauth.account.adapter import get_adapter
from allauth.core.context import request_context
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, UserFactory

# Every e-mail allauth can send with our settings, with the context it gives and a value the body must show.
MESSAGES = {
    "account/email/email_confirmation_signup": (
        {"activate_url": "https://x.test/confirm/abc/"},
        "https://x.test/confirm/abc/",
    ),
    "account/email/email_confirmation": ({"code": "K7Q-2ZP"}, "K7Q-2ZP"),
    "account/email/login_code": ({"code": "ZX81-PQ"}, "ZX81-PQ"),
    "account/email/password_reset_key": ({"password_reset_url": "https://x.test/reset/9/"}, "https://x.test/reset/9/"),
    "account/email/password_reset_code": ({"code": "RST-123"}, "RST-123"),
    "account/email/unknown_account": (
        {"email": "nobody@example.org", "signup_url": "https://x.test/signup/"},
        "https://x.test/signup/",
    ),
    "account/email/account_already_exists": (
        {"email": "twice@example.org", "password_reset_url": "https://x.test/reset/"},
        "https://x.test/reset/",
    ),
    "account/email/password_changed": ({}, "203.0.113.9"),
    "account/email/password_set": ({}, "203.0.113.9"),
    "account/email/password_reset": ({}, "203.0.113.9"),
    "account/email/email_changed": (
        {"from_email": "old@example.org", "to_email": "new@example.org"},
        "new@example.org",
    ),
    "account/email/email_confirm": ({"email": "sure@example.org"}, "sure@example.org"),
    "account/email/email_deleted": ({"deleted_email": "gone@example.org"}, "gone@example.org"),
}
NOTICE = {"ip": "203.0.113.9", "user_agent": "Firefox", "timestamp": timezone.now()}
FRENCH = {
    "account/email/email_confirmation_signup": "Confirmez votre adresse e-mail",
    "account/email/login_code": "Votre code de connexion",
    "account/email/password_reset_key": "Choisissez un nouveau mot de passe",
    "account/email/password_changed": "Votre mot de passe a été modifié",
}


def _send(rf, prefix, email, context):
    request = rf.get("/")
    with request_context(request):
        get_adapter(request).send_mail(prefix, email, context)


@pytest.mark.parametrize("prefix", sorted(MESSAGES))
@pytest.mark.parametrize("language", ["fr", "en"])
def test_each_account_email_has_a_text_and_an_html_part_in_the_recipients_language(
    db, rf, mailoutbox, prefix, language
):
    user = UserFactory(display_name="Zoé Martin", email="zoe@example.org", language=language)
    context, shown = MESSAGES[prefix]
    _send(rf, prefix, user.email, {**NOTICE, **context, "user": user})

    (message,) = mailoutbox
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'<html lang="{language}">' in html
    greeting = "Bonjour Zoé Martin," if language == "fr" else "Hello Zoé Martin,"
    for part in (message.body, html):
        assert greeting in part
        assert shown in part
        assert "— Colocauto" in part
    assert message.subject.startswith("[Colocauto] ")
    if language == "fr" and prefix in FRENCH:
        assert FRENCH[prefix] in message.subject


def test_html_part_escapes_what_people_typed(db, rf, mailoutbox):
    user = UserFactory(display_name="<b>Eve</b>", language="en")
    _send(rf, "account/email/login_code", user.email, {"code": "ABC-123", "user": user})
    html = mailoutbox[0].alternatives[0][0]
    assert "<b>Eve</b>" not in html
    assert "&lt;b&gt;Eve&lt;/b&gt;" in html
    assert "<b>Eve</b>" in mailoutbox[0].body  # the text part is plain text


def test_password_change_is_notified_by_name_in_the_persons_language(client, db, mailoutbox):
    user = UserFactory(display_name="Inès", language="fr")
    client.force_login(user)
    client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "another-good-passphrase-9", "password2": "another-good-passphrase-9"},
        REMOTE_ADDR="198.51.100.7",
    )
    (message,) = mailoutbox
    assert message.to == [user.email]
    assert "Votre mot de passe a été modifié" in message.subject
    assert "Bonjour Inès," in message.body
    assert "198.51.100.7" in message.body
    assert "changez votre mot de passe" in message.alternatives[0][0]


def test_login_code_email_shows_the_code_in_both_parts(client, db, mailoutbox):
    UserFactory(email="code@example.org", language="en")
    client.post(reverse("account_request_login_code"), {"email": "code@example.org"})
    message = mailoutbox[0]
    code = re.search(r"^([A-Z0-9][A-Z0-9-]{4,}[A-Z0-9])$", message.body, re.M).group(1)
    assert code in message.subject
    assert f">{code}</p>" in message.alternatives[0][0]
