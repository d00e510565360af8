"""Communities, members, invitations and joining by token: who gets what (``api/v1/communities.py``,
``api/v1/invitations.py``)."""

from communities.models import Membership
from tests.api.matrix import (
    ADMIN_CREATE,
    EVERYONE_SIGNED_IN,
    MEMBERS_READ,
    Row,
    community_kwargs,
    statuses,
)
from tests.factories import MembershipFactory


def _member(world) -> dict:
    return community_kwargs(world, member_id=world.member_membership.pk)


def _pending(world) -> dict:
    return community_kwargs(world, member_id=world.pending.pk)


def _invitation(world) -> dict:
    return community_kwargs(world, invitation_id=world.invitation.pk)


def _invitation_token(world) -> dict:
    return {"token": world.invitation.token}


def _new_link(world) -> dict:
    return {"note": "Rue des écoles", "expires_in_days": 7}


def _new_invitation_by_email(world) -> dict:
    return {"email": "neighbour@example.org", "expires_in_days": 7}


def _second_admin(world) -> dict:
    """Another admin of the community, whom the admin may demote (the community keeps an admin)."""
    other = MembershipFactory(community=world.community, role=Membership.Role.ADMIN)
    return community_kwargs(world, member_id=other.pk)


ADMIN_ONLY = statuses(member=403, owner=403, admin=200, read_token=403)

ROWS = [
    Row("communities", "get", EVERYONE_SIGNED_IN),
    Row("community", "get", MEMBERS_READ, kwargs=community_kwargs),
    Row("community", "patch", ADMIN_ONLY, kwargs=community_kwargs, body=lambda world: {"name": "Les Tilleuls 2"}),
    # The only admin may not leave (409 last_admin); members may (leaving their balance to the community).
    Row(
        "community_leave",
        "post",
        statuses(member=204, owner=204, admin=409, read_token=403),
        kwargs=community_kwargs,
        body=lambda world: {"leave_balance": True},
    ),
    Row("members", "get", MEMBERS_READ, kwargs=community_kwargs),
    Row("member", "delete", ADMIN_ONLY, kwargs=_member),
    Row("member_approve", "post", ADMIN_ONLY, kwargs=_pending),
    Row("member_reject", "post", ADMIN_ONLY, kwargs=_pending),
    Row("member_promote", "post", ADMIN_ONLY, kwargs=_member),
    Row("member_demote", "post", ADMIN_ONLY, kwargs=_second_admin),
    Row("invitations", "get", ADMIN_ONLY, kwargs=community_kwargs),
    Row("invitations", "post", ADMIN_CREATE, kwargs=community_kwargs, body=_new_link),
    Row("invitation_send", "post", ADMIN_CREATE, kwargs=community_kwargs, body=_new_invitation_by_email),
    Row("invitation_revoke", "post", ADMIN_ONLY, kwargs=_invitation),
    # Whoever holds the link sees where it leads; members of the community already belong (409 on accept).
    Row("invitation", "get", EVERYONE_SIGNED_IN, kwargs=_invitation_token),
    Row(
        "invitation_accept",
        "post",
        statuses(outsider=201, member=409, owner=409, admin=409, staff=201, read_token=403),
        kwargs=_invitation_token,
    ),
]
