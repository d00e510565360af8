"""The Django admin lists people by e-mail (there is no username) and the community models."""

import pytest
from django.urls import reverse

from communities.models import User
from tests.factories import PASSWORD, UserFactory
from tests.helpers import assert_locked_out


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


ADMIN_LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(email="root@example.org", password=PASSWORD)


def admin_log_in(client, email, password):
    return client.post(ADMIN_LOGIN, {"username": email, "password": password}, HTTP_ACCEPT_LANGUAGE="en")


def test_admin_login_lets_staff_in(client, superuser):
    response = admin_log_in(client, superuser.email, PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(superuser.pk)


def test_admin_login_refuses_the_11th_password_from_one_address(client, superuser):
    for n in range(10):
        response = admin_log_in(client, f"guess{n}@example.org", "wrong-password")
        assert response.status_code == 200
        assert "Please enter the correct" in response.content.decode()

    response = admin_log_in(client, superuser.email, PASSWORD)

    assert_locked_out(client, response)


def test_admin_login_refuses_the_right_password_after_five_wrong_ones_for_the_account(client, superuser):
    for _ in range(5):
        admin_log_in(client, superuser.email, "wrong-password")

    response = admin_log_in(client, superuser.email, PASSWORD)

    assert_locked_out(client, response)


def test_wrong_admin_passwords_count_towards_the_main_login_limit(client, superuser):
    for _ in range(5):
        admin_log_in(client, superuser.email, "wrong-password")

    response = client.post(
        reverse("account_login"), {"login": superuser.email, "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert_locked_out(client, response)


def test_a_flood_of_admin_login_attempts_gets_429(client, db):
    statuses = [admin_log_in(client, f"guess{n}@example.org", "wrong-password").status_code for n in range(31)]

    assert statuses[30] == 429
