"""Community and membership services: creation, approval, roles, leaving, and the last-admin rule."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bookings.models import Booking
from colocauto.core.errors import Conflict, DomainError, NotAllowed
from communities import services
from communities.models import Community, Membership
from tests.factories import MembershipFactory, UserFactory, book


def _membership(user, community):
    return Membership.objects.get(user=user, community=community, status__in=["active", "pending"])


def test_creator_becomes_active_admin_of_new_community(db):
    user = UserFactory()
    community = services.community_create(
        user=user,
        data={"name": "Rue des Lilas", "municipality": "Die", "postal_code": "26150", "time_zone": "Europe/Paris"},
    )
    membership = _membership(user, community)
    assert membership.is_admin
    assert membership.joined_at is not None
    assert community.created_by == user
    assert community.currency == "EUR"


def test_community_without_name_is_refused(db):
    with pytest.raises(ValidationError):
        services.community_create(user=UserFactory(), data={"name": "", "municipality": "Die", "postal_code": "26150"})
    assert not Community.objects.exists()


def test_admin_updates_booking_rules(community, admin_user):
    actor = _membership(admin_user, community)
    updated = services.community_update(
        actor=actor, data={"min_notice": timedelta(hours=2), "owner_approval_required": False}
    )
    assert updated.min_notice == timedelta(hours=2)
    assert updated.owner_approval_required is False


def test_member_cannot_update_community(community, member):
    with pytest.raises(NotAllowed):
        services.community_update(actor=_membership(member, community), data={"name": "Hijacked"})


@pytest.mark.parametrize(
    ("decide", "status", "dated"),
    [
        (services.membership_approve, Membership.Status.ACTIVE, "joined_at"),
        (services.membership_reject, Membership.Status.REJECTED, "ended_at"),
    ],
    ids=["approves_pending_request", "rejects_pending_request"],
)
def test_admin_answers_a_pending_request(community, admin_user, decide, status, dated):
    applicant = MembershipFactory(community=community, pending=True)
    decide(actor=_membership(admin_user, community), membership=applicant)
    applicant.refresh_from_db()
    assert applicant.status == status
    assert getattr(applicant, dated) is not None
    assert applicant.decided_by == admin_user


def test_approving_twice_is_refused(community, admin_user):
    applicant = MembershipFactory(community=community, status=Membership.Status.PENDING, joined_at=None)
    actor = _membership(admin_user, community)
    services.membership_approve(actor=actor, membership=applicant)
    with pytest.raises(Conflict):
        services.membership_approve(actor=actor, membership=applicant)


def test_member_cannot_approve(community, member):
    applicant = MembershipFactory(community=community, status=Membership.Status.PENDING, joined_at=None)
    with pytest.raises(NotAllowed):
        services.membership_approve(actor=_membership(member, community), membership=applicant)


def test_promote_then_demote(community, admin_user, member):
    actor = _membership(admin_user, community)
    target = _membership(member, community)
    services.membership_promote(actor=actor, membership=target)
    assert _membership(member, community).is_admin
    services.membership_demote(actor=actor, membership=target)
    assert not _membership(member, community).is_admin


def test_last_admin_cannot_demote_themselves(community, admin_user, member):
    actor = _membership(admin_user, community)
    with pytest.raises(Conflict, match="at least one admin"):
        services.membership_demote(actor=actor, membership=actor)
    assert _membership(admin_user, community).is_admin


def test_admin_can_step_down_when_another_admin_remains(community, admin_user, member):
    actor = _membership(admin_user, community)
    services.membership_promote(actor=actor, membership=_membership(member, community))
    services.membership_demote(actor=actor, membership=actor)
    assert not _membership(admin_user, community).is_admin


def test_last_admin_cannot_leave(community, admin_user, member):
    with pytest.raises(Conflict, match="only admin"):
        services.membership_leave(membership=_membership(admin_user, community))
    assert _membership(admin_user, community).is_active


def test_sole_remaining_member_who_is_admin_cannot_leave(community, admin_user):
    with pytest.raises(Conflict):
        services.membership_leave(membership=_membership(admin_user, community))


def test_member_leaves_and_their_future_bookings_are_cancelled(community, admin_user, member, vehicle):
    start = timezone.now() + timedelta(days=3)
    future = book(vehicle, member, start, hours=2)
    membership = _membership(member, community)
    services.membership_leave(membership=membership)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.LEFT
    assert membership.ended_at is not None
    future.refresh_from_db()
    assert future.status == Booking.Status.CANCELLED


def test_admin_removes_member_and_their_future_bookings_are_cancelled(community, admin_user, member, vehicle):
    start = timezone.now() + timedelta(days=1)
    future = book(vehicle, member, start, hours=1, status=Booking.Status.REQUESTED)
    target = _membership(member, community)
    services.membership_remove(actor=_membership(admin_user, community), membership=target)
    target.refresh_from_db()
    assert target.status == Membership.Status.REMOVED
    future.refresh_from_db()
    assert future.status == Booking.Status.CANCELLED


def test_admin_cannot_remove_the_last_other_admin_leaving_none(community, admin_user, member):
    # Two admins: removing the other is fine, the actor stays admin.
    actor = _membership(admin_user, community)
    services.membership_promote(actor=actor, membership=_membership(member, community))
    services.membership_remove(actor=actor, membership=_membership(member, community))
    assert Membership.objects.filter(community=community, role="admin", status="active").count() == 1


def test_admin_cannot_remove_themselves(community, admin_user, member):
    actor = _membership(admin_user, community)
    with pytest.raises(Conflict):
        services.membership_remove(actor=actor, membership=actor)


def test_member_cannot_remove_anyone(community, admin_user, member):
    with pytest.raises(NotAllowed):
        services.membership_remove(actor=_membership(member, community), membership=_membership(admin_user, community))


def test_membership_of_another_community_is_not_touched(community, admin_user, outsider, other_community):
    foreign = _membership(outsider, other_community)
    with pytest.raises(DomainError, match="no longer exists"):
        services.membership_demote(actor=_membership(admin_user, community), membership=foreign)
    assert _membership(outsider, other_community).is_admin


def test_profile_update_puts_the_name_on_one_line(db):
    user = UserFactory()
    services.profile_update(user=user, data={"display_name": " Jo\u2028\x1b[31mDoe\n "})
    user.refresh_from_db()
    assert user.display_name == "Jo [31mDoe"
