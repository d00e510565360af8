"""The privacy page: for everyone, in French and English, linked from every page and from sign-up."""

import pytest
from django.urls import reverse

from tests.helpers import english

pytestmark = pytest.mark.django_db


def test_the_privacy_page_is_public_and_french_by_default(client):
    page = client.get(reverse("privacy")).content.decode()
    assert "Vos données sur Colocauto" in page
    assert "Les justificatifs sont supprimés 6 ans après la dépense" in page
    assert "CNIL" in page


def test_the_privacy_page_follows_the_retention_settings_in_english(client, member, settings):
    settings.RETENTION_RECEIPT_DAYS, settings.RETENTION_INVITATION_DAYS = 365, 30
    english(member)
    client.force_login(member)
    page = client.get(reverse("privacy")).content.decode()
    assert "Receipts are deleted 1 year after the expense" in page
    assert "deleted 30 days after they expire" in page
    assert reverse("privacy_my_data") in page


@pytest.mark.parametrize("name", ["account_login", "account_signup", "privacy"])
def test_every_page_links_to_the_privacy_page(client, name):
    assert f'href="{reverse("privacy")}"' in client.get(reverse(name)).content.decode()


def test_the_sign_up_form_says_how_data_is_handled(client):
    page = client.get(reverse("account_signup")).content.decode()
    assert "Comment nous traitons vos données" in page and 'name="email"' in page


def test_the_profile_links_to_my_data(client, member):
    client.force_login(member)
    assert reverse("privacy_my_data") in client.get(reverse("profile")).content.decode()
