"""Who may act in a community: one predicate per rule, and the checks services call before a write.

Predicates (``is_admin``, ``is_active_member``, ``is_last_admin``) answer a question and suit templates,
views and the API; the ``require_*`` checks raise a ``NotAllowed``/``Conflict`` with a stable code and are
what services of every app call. Nothing here imports an app above communities.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from colocauto.core.errors import Conflict, NotAllowed
from communities.models import Membership


class LastAdmin(Conflict):
    """The action would leave a community without any admin."""

    default_code = "last_admin"


def is_active_member(membership: Membership | None) -> bool:
    return membership is not None and membership.status == Membership.Status.ACTIVE


def is_admin(membership: Membership | None) -> bool:
    return is_active_member(membership) and membership.role == Membership.Role.ADMIN


def require_active(membership: Membership | None) -> None:
    """Only an active member of the community may act (a pending, removed or former member may not)."""
    if not is_active_member(membership):
        raise NotAllowed(_("Only active members of the community can do this."), code="inactive_member")


def require_admin(membership: Membership | None) -> None:
    """Only an active admin of the community may act."""
    if not is_admin(membership):
        raise NotAllowed(_("Only an admin of this community can do that."), code="admin_only")


def is_last_admin(membership: Membership, *, among: Iterable[Membership] | None = None) -> bool:
    """Whether ``membership`` is its community's only active admin: it may not leave, be removed or demoted.

    ``among``: the community's active memberships when the caller has already read them (no query then).
    """
    if not is_admin(membership):
        return False
    if among is not None:
        return not any(is_admin(other) and other.pk != membership.pk for other in among)
    others = Membership.objects.filter(
        community_id=membership.community_id, status=Membership.Status.ACTIVE, role=Membership.Role.ADMIN
    ).exclude(pk=membership.pk)
    return not others.exists()


def require_not_last_admin(membership: Membership, message) -> None:
    """Refuse (``LastAdmin``, code "last_admin") an action that would leave the community without an admin."""
    if is_last_admin(membership):
        raise LastAdmin(message)
