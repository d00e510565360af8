"""The rows of the API permission matrix, one module per area of ``/api/v1/``.

Each module defines ``ROWS``: a list of ``Row``. ``tests/api/test_permission_matrix.py`` calls every row
as every person and fails when an endpoint of ``/api/v1/`` has no row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Who calls: no credentials; the admin of another community; the fixed members of the community (by
# session); territory staff (no community); the member with a read-only token.
PEOPLE = ("anonymous", "outsider", "member", "owner", "admin", "staff", "read_token")


@dataclass(frozen=True)
class Row:
    name: str  # URL name in the "api" namespace
    method: str  # get, post, patch, put, delete
    expected: dict[str, int]  # person → status; every person of PEOPLE must be there
    kwargs: Callable[[Any], dict] = field(default=lambda world: {})
    body: Callable[[Any], dict] | None = None
    multipart: bool = False


def statuses(*, anonymous=401, outsider=404, member, owner, admin, staff=404, read_token) -> dict[str, int]:
    return {
        "anonymous": anonymous,
        "outsider": outsider,
        "member": member,
        "owner": owner,
        "admin": admin,
        "staff": staff,
        "read_token": read_token,
    }


def community_kwargs(world, **extra) -> dict:
    return {"community_id": world.community.pk, **extra}


# The usual answers. Members: the fixed member, owner and admin of the community (by session).
MEMBERS_READ = statuses(member=200, owner=200, admin=200, read_token=200)
MEMBERS_CREATE = statuses(member=201, owner=201, admin=201, read_token=403)
ADMIN_CREATE = statuses(member=403, owner=403, admin=201, read_token=403)
EVERYONE_SIGNED_IN = statuses(outsider=200, member=200, owner=200, admin=200, staff=200, read_token=200)
