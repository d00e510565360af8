"""Tests here read the English texts: the services run in English, and people signed in read English."""

import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def login(client):
    """Sign a person in with English as their language, so pages and messages read in English."""

    def sign_in(user):
        user.language = "en"
        user.save(update_fields=["language"])
        client.force_login(user)
        return client

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return sign_in
