"""Accounts: sign-up with e-mail verification, login by e-mail, the profile, and allauth pages in our style."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.urls import reverse

from communities.models import User
from tests.factories import PASSWORD, UserFactory

SIGNUP = {
    "email": "camille@example.org",
    "password1": "a-long-unusual-passphrase-77",
    "password2": "a-long-unusual-passphrase-77",
    "display_name": "Camille V.",
    "language": "en",
}


def test_sign_up_verify_then_log_in_with_email_only(client, db, mailoutbox):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    assert "Verify Your Email Address" in client.get(response["Location"]).content.decode()
    user = User.objects.get(email="camille@example.org")
    assert (user.display_name, user.language) == ("Camille V.", "en")
    assert not EmailAddress.objects.get(user=user).verified
    # Not verified yet: logging in only re-sends the verification.
    assert client.get(reverse("home")).context["user"].is_anonymous

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["camille@example.org"]
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", mailoutbox[0].body).group(1)
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert client.get(reverse("home")).context["user"] == user

    client.post(reverse("account_logout"))
    response = client.post(reverse("account_login"), {"login": "camille@example.org", "password": SIGNUP["password1"]})
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == user


def test_verification_email_uses_the_chosen_language(client, db, mailoutbox):
    client.post(reverse("account_signup"), {**SIGNUP, "language": "fr"})
    # allauth's own French catalogue translates its e-mails.
    assert "Confirmez votre adresse e-mail" in mailoutbox[0].subject


def test_sign_up_errors_keep_input_and_are_described(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("account_signup"), {**SIGNUP, "password2": "something-else-12345"})
    content = response.content.decode()
    assert response.status_code == 200
    assert 'value="camille@example.org"' in content
    assert 'value="Camille V."' in content
    assert 'class="errorlist' in content
    assert 'aria-invalid="true"' in content
    assert not User.objects.filter(email="camille@example.org").exists()


def test_sign_up_page_renders_in_our_layout(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    content = client.get(reverse("account_signup")).content.decode()
    assert 'class="site-header"' in content
    assert "novalidate" in content
    assert 'for="id_display_name"' in content
    assert 'aria-describedby="id_display_name_helptext"' in content
    assert 'class="helptext"' in content
    assert "<button" in content


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    "url_name",
    ["account_login", "account_signup", "account_reset_password", "account_request_login_code"],
)
def test_account_pages_render_in_both_languages(client, db, url_name, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()


@pytest.mark.parametrize("url_name", ["account_change_password", "account_email", "profile"])
def test_signed_in_account_pages_render(client, db, url_name):
    client.force_login(UserFactory())
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert 'class="site-header"' in response.content.decode()


def test_login_by_code(client, db, mailoutbox):
    user = UserFactory(email="code@example.org")
    response = client.post(reverse("account_request_login_code"), {"email": "code@example.org"})
    assert response.status_code == 302
    code = re.search(r"^([A-Z0-9][A-Z0-9-]{4,}[A-Z0-9])$", mailoutbox[0].body, re.M).group(1)
    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == user


def test_password_reset_sends_a_link(client, db, mailoutbox):
    UserFactory(email="forgot@example.org")
    response = client.post(reverse("account_reset_password"), {"email": "forgot@example.org"})
    assert response.status_code == 302
    assert "/accounts/password/reset/key/" in mailoutbox[0].body


def test_change_password(client, db):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "another-good-passphrase-9", "password2": "another-good-passphrase-9"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-good-passphrase-9")


# --- Profile ----------------------------------------------------------------------------------


def _profile(user, **overrides):
    data = {
        "display_name": user.display_name,
        "phone": "",
        "language": "en",
        "iban": "",
        "notify_bookings": "on",
        "notify_community": "on",
    }
    data.update(overrides)
    return data


def _send_profile(login, *, follow=False, **changes):
    """A new person sends the profile form with ``changes``: the answer, and the person as stored afterwards."""
    user = UserFactory()
    response = login(user).post(reverse("profile"), _profile(user, **changes), follow=follow)
    user.refresh_from_db()
    return response, user


def test_profile_refuses_an_iban_with_a_bad_checksum_and_keeps_it(login, db):
    response, user = _send_profile(login, iban="FR76 3000 6000 0112 3456 7890 188")
    content = response.content.decode()
    assert response.status_code == 200
    assert "This IBAN is not valid" in content
    assert "FR76 3000 6000 0112 3456 7890 188" in content
    assert user.iban == ""


def test_profile_saves_a_valid_iban_normalised(login, db):
    _response, user = _send_profile(login, iban="fr76 3000 6000 0112 3456 7890 189")
    assert user.iban == "FR7630006000011234567890189"


def test_profile_refuses_a_bad_phone(login, db):
    response, _user = _send_profile(login, phone="call me")
    assert "Enter a phone number" in response.content.decode()
    assert 'value="call me"' in response.content.decode()


def test_profile_saves_phone_and_notification_choices(login, db):
    response, user = _send_profile(login, phone="+33 6 12 34 56 78", follow=True)
    assert "Your profile has been saved." in [str(m) for m in response.context["messages"]]
    assert user.phone == "+33 6 12 34 56 78"
    assert user.notify_settlements is False


def test_changing_language_in_the_profile_switches_the_interface(login, db):
    user = UserFactory()
    client = login(user)
    assert '<html lang="en">' in client.get(reverse("profile")).content.decode()
    client.post(reverse("profile"), _profile(user, language="fr"))
    user.refresh_from_db()
    assert user.language == "fr"
    assert '<html lang="fr">' in client.get(reverse("profile")).content.decode()


def test_invited_person_signs_up_and_comes_back_to_the_invitation(client, community, admin_user, mailoutbox):
    from tests.factories import InvitationFactory

    invitation = InvitationFactory(community=community)
    join_path = reverse("invitation_join", args=[invitation.token])
    client.post(f"{reverse('account_signup')}?next={join_path}", {**SIGNUP, "next": join_path})
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", mailoutbox[0].body).group(1)
    response = client.post(link)
    assert response.status_code == 302
    assert response["Location"] == join_path
    response = client.post(join_path, follow=True)
    user = User.objects.get(email="camille@example.org")
    assert community.memberships.get(user=user).status == "pending"


@pytest.mark.parametrize(
    ("profile", "browser", "signed_in", "signed_out"),
    [
        ("en", "fr", "Successfully signed in as", "You have signed out."),
        ("fr", "en", "Connexion avec", "Vous êtes déconnecté"),
    ],
)
def test_login_and_logout_speak_the_profiles_language_whatever_the_browser_says(
    client, db, profile, browser, signed_in, signed_out
):
    user = UserFactory(email="james@example.org", language=profile)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = browser
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE=browser
    )
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == profile
    page = client.get(response["Location"]).content.decode()
    assert f'<html lang="{profile}">' in page
    assert signed_in in page
    response = client.post(reverse("account_logout"), follow=True)
    page = response.content.decode()
    assert f'<html lang="{profile}">' in page
    assert signed_out in page


@pytest.mark.parametrize(
    ("language", "greeting"),
    [("en", "Hello Camille V.,"), ("fr", "Bonjour Camille V.,")],
)
def test_account_emails_are_signed_colocauto_not_the_host_name(client, db, mailoutbox, settings, language, greeting):
    settings.SITE_URL = "https://colocauto.example.org/"
    client.post(reverse("account_signup"), {**SIGNUP, "language": language}, HTTP_HOST="127.0.0.1:8791")
    body = mailoutbox[0].body
    assert greeting in body
    assert "— Colocauto\nhttps://colocauto.example.org" in body
    assert body.count("127.0.0.1") == 1  # only in the confirmation link, never as the sender's name


# --- Names stay on one line (they go into e-mail subjects) ------------------------------------


def test_profile_name_with_line_breaks_is_saved_on_one_line(login, db):
    _response, user = _send_profile(login, display_name="Marie\r\nBcc: all@example.org\tD.")
    assert user.display_name == "Marie Bcc: all@example.org D."


def test_sign_up_name_with_line_breaks_is_saved_on_one_line(client, db):
    client.post(reverse("account_signup"), {**SIGNUP, "display_name": "Camille\nV.\x85"})
    assert User.objects.get(email="camille@example.org").display_name == "Camille V."
