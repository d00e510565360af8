"""The Django admin lists people by e-mail (there is no username) and the community models."""

import pytest
from django.urls import reverse

from communities.models import User
from tests.factories import UserFactory


@pytest.fixture
def staff_client(client, db):
    client.force_login(User.objects.create_superuser(email="root@example.org", password="x-strong-password-1"))
    return client


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:communities_user_changelist",
        "admin:communities_user_add",
        "admin:communities_community_changelist",
        "admin:communities_community_add",
        "admin:communities_membership_changelist",
        "admin:communities_invitation_changelist",
    ],
)
def test_admin_pages_open(staff_client, community, admin_user, url_name):
    assert staff_client.get(reverse(url_name)).status_code == 200


def test_admin_creates_a_user_with_an_email_only(staff_client):
    response = staff_client.post(
        reverse("admin:communities_user_add"),
        {"email": "new@example.org", "password1": "a-fine-passphrase-42", "password2": "a-fine-passphrase-42"},
    )
    assert response.status_code == 302
    assert User.objects.get(email="new@example.org").check_password("a-fine-passphrase-42")


def test_admin_user_change_page_shows_the_email(staff_client):
    user = UserFactory(email="shown@example.org")
    response = staff_client.get(reverse("admin:communities_user_change", args=[user.pk]))
    assert response.status_code == 200
    assert "shown@example.org" in response.content.decode()
