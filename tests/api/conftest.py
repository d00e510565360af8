"""API test fixtures: a DRF client, personal access tokens, and the fixed world of the permission matrix."""

import pytest
from rest_framework.test import APIClient

from api.models import AccessToken
from api.tokens import token_create
from territories.models import Territory, TerritoryStaff
from tests.factories import UserFactory


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def token_of():
    """``token_of(user, scope="write")`` → the value to send as ``Authorization: Bearer …``."""

    def make(user, scope=AccessToken.Scope.WRITE, **fields):
        return token_create(user=user, name=fields.pop("name", "test"), scope=scope, **fields)[1]

    return make


@pytest.fixture
def as_user(api, token_of):
    """``as_user(user)`` → an API client sending a read-write token of ``user``."""

    def make(user, scope=AccessToken.Scope.WRITE):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_of(user, scope)}")
        return client

    return make


@pytest.fixture
def territory_staff(db):
    territory = Territory.objects.create(name="Crest", kind="commune", code="26108")
    user = UserFactory(email="mobilite@mairie-crest.example", display_name="Mairie")
    TerritoryStaff.objects.create(territory=territory, user=user, is_admin=True)
    return user


@pytest.fixture
def world(world, territory_staff):
    """The pages' world (tests/conftest.py) and the territory ``territory_staff`` works for."""
    world.territory = TerritoryStaff.objects.get(user=territory_staff).territory
    return world
