"""What erasing a person's account does to people and communities (registered in ``communities/privacy.py``).

``memberships_end`` runs first: each open membership ends by the ordinary leave path (``MemberLeft``: future
bookings cancelled with notices, admins told of a balance left behind). ``erase_person`` runs last: the
person's row stays, so the ledger and the vehicles' history keep pointing at someone, but it becomes the
pseudonym "Former member N" (``User.name``, in the reader's language): no name, e-mail, phone, IBAN or
password, never active again. The e-mail address is free for a new sign-up.
"""

from __future__ import annotations

from django.db.models import Max
from django.utils import timezone

from colocauto.core.privacy import Eraser, erase_with, keep
from communities import services
from communities.models import Community, Invitation, Membership, User
from communities.rules import is_last_admin

ERASES = (
    "communities.User",
    "communities.User.email",
    "communities.User.display_name",
    "communities.User.phone",
    "communities.User.iban",
    "communities.User.password",
    "communities.Membership.user",
    "communities.Community.pool_holder",
    "communities.Invitation.email",
    "communities.Invitation.note",
)


def former_number(user: User) -> int:
    """The pseudonym's number: after every former member of the communities the person was in, so it names
    nobody else in any of them."""
    communities = Membership.objects.filter(user=user).values("community_id")
    others = User.objects.filter(memberships__community_id__in=communities, former_number__isnull=False).exclude(
        pk=user.pk
    )
    return (others.aggregate(top=Max("former_number"))["top"] or 0) + 1


def memberships_end(user: User) -> None:
    """End every open membership through the leave path. A community the person was the only admin of,
    with other members, gets its longest-standing member as admin, so it always keeps one."""
    for membership in Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).select_related("community"):
        if is_last_admin(membership):
            successor = (
                Membership.objects.filter(community_id=membership.community_id, status=Membership.Status.ACTIVE)
                .exclude(pk=membership.pk)
                .order_by("joined_at", "pk")
                .first()
            )
            if successor is not None:
                Membership.objects.filter(pk=successor.pk).update(role=Membership.Role.ADMIN)
        services.membership_end_for_erasure(membership=membership)
    Membership.objects.filter(user=user, status=Membership.Status.PENDING).update(
        status=Membership.Status.LEFT, ended_at=timezone.now()
    )


def erase_person(user: User) -> None:
    email = user.email
    Community.objects.filter(pool_holder=user).update(pool_holder=None)
    Invitation.objects.filter(email__iexact=email).update(email="", note="")  # addressed to them
    Invitation.objects.filter(created_by=user).exclude(note="").update(note="")  # their labels
    user.former_number = former_number(user)
    user.erased_at = timezone.now()
    user.erasure_due_at = None
    user.email = f"erased-{user.pk}@erased.invalid"
    user.display_name = user.phone = user.iban = ""
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = False
    user.notify_bookings = user.notify_settlements = user.notify_community = False
    user.last_login = None
    user.save()
    user.groups.clear()
    user.user_permissions.clear()


erase_with(
    Eraser(name="memberships", erase=memberships_end, covers=("communities.Membership.user",), order=0),
    Eraser(name="person", erase=erase_person, covers=ERASES, order=1000),
)
keep(
    "A community's own texts (name, description, charter, place, time zone) are the community's, not a person's; "
    "who created it, decided on a request or marked a member inactive points at the pseudonym.",
    "communities.Community",
    "communities.Community.created_by",
    "communities.Membership.decided_by",
    "communities.Inactivity.marked_by",
    "communities.Inactivity.ended_by",
    "communities.Membership.request_notified_to",
    "communities.Invitation.created_by",
    "communities.Invitation.token",
)
