"""Reads of community data. Every query starts from the user: non-members get 404."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from communities.models import Community, Inactivity, Invitation, Membership, User
from communities.validators import OFFERED_TIME_ZONES


def _own(user: User, status: str) -> QuerySet[Membership]:
    """The user's memberships in ``status``, with their community (none for a visitor)."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user, status=status).select_related("community")


def memberships_for(user: User) -> QuerySet[Membership]:
    """The user's active memberships, with their community, for the community switcher."""
    return _own(user, Membership.Status.ACTIVE).order_by("community__name", "community_id")


def communities_for(user: User) -> QuerySet[Community]:
    if not user.is_authenticated:
        return Community.objects.none()
    return Community.objects.filter(memberships__user=user, memberships__status=Membership.Status.ACTIVE).annotate(
        member_count=Count("memberships", filter=Q(memberships__status=Membership.Status.ACTIVE), distinct=True),
        vehicle_count=Count("vehicles", distinct=True),
    )


def membership_get_for_user(user: User, community_id: int, *, admin: bool = False) -> Membership:
    """The user's active membership of that community: 404 for anyone else, 403 if ``admin`` and not one."""
    return memberships_with_current(user, community_id, admin=admin)[0]


def memberships_with_current(
    user: User, community_id: int, *, admin: bool = False
) -> tuple[Membership, list[Membership]]:
    """The user's active membership of that community (404 for anyone else, 403 if ``admin`` and not one), and
    all their active memberships, which a page's community switcher lists: one query for both."""
    if not user.is_authenticated:
        raise Http404
    memberships = list(memberships_for(user))
    membership = next((m for m in memberships if m.community_id == int(community_id)), None)
    if membership is None:
        raise Http404
    if admin and not membership.is_admin:
        raise PermissionDenied
    for each in memberships:
        each.user = user  # the row the request already holds: no join to read it again
    return membership, memberships


def members_of(membership: Membership) -> QuerySet[Membership]:
    """Active members of the viewer's community."""
    return (
        Membership.objects.filter(community_id=membership.community_id, status=Membership.Status.ACTIVE)
        .select_related("user")
        .order_by("user__display_name", "user__email")
    )


def member_list_of(membership: Membership) -> QuerySet[Membership]:
    """``members_of`` with ``inactive_from``: the month an admin's marking them inactive took or takes effect."""
    open_inactivity = Inactivity.objects.filter(membership=OuterRef("pk"), ends_on__isnull=True).values("starts_on")
    return members_of(membership).annotate(inactive_from=Subquery(open_inactivity[:1]))


def own_inactivity(membership: Membership) -> Inactivity | None:
    """The viewer's inactivity still open (it may start next month), to tell them on their overview."""
    return Inactivity.objects.filter(membership_id=membership.pk, ends_on__isnull=True).first()


def pending_requests_of(membership: Membership) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(community_id=membership.community_id, status=Membership.Status.PENDING)
        .select_related("user", "invitation")
        .order_by("requested_at", "pk")
    )


def invitations_of(membership: Membership) -> QuerySet[Invitation]:
    return Invitation.objects.filter(community_id=membership.community_id).select_related("created_by")


def invitation_get_for_admin(membership: Membership, pk: int) -> Invitation:
    invitation = Invitation.objects.filter(community_id=membership.community_id, pk=pk).first()
    if invitation is None:
        raise Http404
    return invitation


def member_get(membership: Membership, pk: int) -> Membership:
    """Another membership (active or pending) of the viewer's community, by id."""
    other = (
        Membership.objects.filter(
            community_id=membership.community_id,
            pk=pk,
            status__in=[Membership.Status.ACTIVE, Membership.Status.PENDING],
        )
        .select_related("user")
        .first()
    )
    if other is None:
        raise Http404
    return other


def home_memberships_for(user: User) -> QuerySet[Membership]:
    """The user's active memberships with each community's member, vehicle and (for admins) waiting counts, no N+1."""
    members = (
        Membership.objects.filter(community_id=OuterRef("community_id"), status=Membership.Status.ACTIVE)
        .values("community_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # Counted through the reverse relation: communities sits below vehicles and never imports it.
    vehicles = Community.objects.filter(pk=OuterRef("community_id")).annotate(n=Count("vehicles")).values("n")
    # Only admins decide on requests, so only they are shown how many wait (members see 0).
    waiting = (
        Membership.objects.filter(
            community_id=OuterRef("community_id"),
            status=Membership.Status.PENDING,
            community__memberships__user=user,
            community__memberships__status=Membership.Status.ACTIVE,
            community__memberships__role=Membership.Role.ADMIN,
        )
        .values("community_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return memberships_for(user).annotate(
        member_count=Coalesce(Subquery(members), 0),
        vehicle_count=Coalesce(Subquery(vehicles), 0),
        pending_count=Coalesce(Subquery(waiting), 0),
    )


def pending_requests_for_user(user: User) -> QuerySet[Membership]:
    """Membership requests the user made that an admin has not answered yet."""
    return _own(user, Membership.Status.PENDING).order_by("requested_at")


def invitation_find_by_token(token: str) -> Invitation | None:
    """The invitation behind a link, if any: the secret token is the key, whoever holds it."""
    return Invitation.objects.filter(token=token).select_related("community").first()


def membership_of(user: User, community: Community) -> Membership | None:
    """The user's open (active or pending) membership of a community, if any."""
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(
        user=user, community=community, status__in=[Membership.Status.ACTIVE, Membership.Status.PENDING]
    ).first()


def time_zones_offered() -> list[str]:
    """Europe and the French overseas zones, plus any zone a community already uses."""
    in_use = Community.objects.order_by().values_list("time_zone", flat=True).distinct()
    return sorted(set(OFFERED_TIME_ZONES) | set(in_use))


def pool_holder_of(community: Community) -> User | None:
    """The person the community named to hold its pool, while they are one of its active admins."""
    if community.pool_holder_id is None:
        return None
    return pool_holder_candidates(community).filter(pk=community.pool_holder_id).first()


def pool_holder_candidates(community: Community) -> QuerySet[User]:
    """Who may hold the community pool: its active admins."""
    return User.objects.filter(
        memberships__community_id=community.pk,
        memberships__status=Membership.Status.ACTIVE,
        memberships__role=Membership.Role.ADMIN,
    ).order_by("display_name", "email")
