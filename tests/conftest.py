"""The fixed people every test can use: admin, owner, member of one community, and an outsider
(the admin of another community)."""

import pytest

from communities.models import Membership
from tests.factories import CommunityFactory, MembershipFactory, UserFactory, VehicleFactory


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def community(db):
    return CommunityFactory(name="Les Tilleuls")


@pytest.fixture
def admin_user(community):
    user = UserFactory(email="admin@example.org", display_name="Alice Admin")
    MembershipFactory(community=community, user=user, role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def owner(community):
    user = UserFactory(email="owner@example.org", display_name="Oscar Owner")
    MembershipFactory(community=community, user=user)
    return user


@pytest.fixture
def member(community):
    user = UserFactory(email="member@example.org", display_name="Maya Member")
    MembershipFactory(community=community, user=user)
    return user


@pytest.fixture
def other_community(db):
    return CommunityFactory(name="Les Peupliers")


@pytest.fixture
def outsider(other_community):
    user = UserFactory(email="outsider@example.org", display_name="Otto Outsider")
    MembershipFactory(community=other_community, user=user, role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def vehicle(community, owner):
    return VehicleFactory(community=community, owner=owner, name="Clio bleue")


@pytest.fixture
def people(admin_user, owner, member, outsider):
    return {"admin": admin_user, "owner": owner, "member": member, "outsider": outsider, "anonymous": None}
