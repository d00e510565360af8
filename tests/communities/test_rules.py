"""Who may act in a community (communities.rules), the stable codes of refusals, and the MemberLeft event."""

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from bookings.models import Booking
from colocauto.core import events
from colocauto.core.errors import Conflict, NotAllowed
from communities import invitations, rules, services
from communities.events import MemberLeft
from communities.models import Membership
from tests.factories import InvitationFactory, MembershipFactory, UserFactory


def _membership(user, community):
    return Membership.objects.get(user=user, community=community, status__in=["active", "pending"])


@pytest.mark.parametrize("status", ["pending", "left", "removed", "rejected"])
def test_only_an_active_member_passes_require_active(community, status):
    membership = MembershipFactory(community=community, status=status, role="admin", joined_at=timezone.now())

    with pytest.raises(NotAllowed) as refusal:
        rules.require_active(membership)

    assert refusal.value.code == "inactive_member"
    assert not rules.is_admin(membership)


def test_nobody_is_an_active_member():
    with pytest.raises(NotAllowed) as refusal:
        rules.require_active(None)
    assert refusal.value.code == "inactive_member"


def test_only_an_admin_passes_require_admin(community, admin_user, member):
    rules.require_active(_membership(member, community))
    rules.require_admin(_membership(admin_user, community))

    with pytest.raises(NotAllowed) as refusal:
        rules.require_admin(_membership(member, community))

    assert refusal.value.code == "admin_only"
    assert rules.is_admin(_membership(admin_user, community)) and not rules.is_admin(_membership(member, community))


def test_the_last_admin_rule_reads_the_same_from_the_database_or_a_loaded_list(community, admin_user, member):
    admin, other = _membership(admin_user, community), _membership(member, community)
    members = [admin, other]

    assert rules.is_last_admin(admin) and rules.is_last_admin(admin, among=members)
    assert not rules.is_last_admin(other) and not rules.is_last_admin(other, among=members)

    services.membership_promote(actor=admin, membership=other)
    other.refresh_from_db()

    assert not rules.is_last_admin(admin) and not rules.is_last_admin(admin, among=[admin, other])


def test_a_demotion_leaving_no_admin_is_refused_with_code_last_admin(community, admin_user):
    admin = _membership(admin_user, community)
    with pytest.raises(Conflict) as refusal:
        services.membership_demote(actor=admin, membership=admin)
    assert refusal.value.code == "last_admin"


def test_membership_refusals_carry_stable_codes(community, admin_user, member):
    admin = _membership(admin_user, community)
    applicant = MembershipFactory(community=community, status=Membership.Status.PENDING, joined_at=None)
    services.membership_approve(actor=admin, membership=applicant)
    codes = {}
    for name, call in {
        "approve_twice": lambda: services.membership_approve(actor=admin, membership=applicant),
        "remove_self": lambda: services.membership_remove(actor=admin, membership=admin),
        "promote_admin": lambda: services.membership_promote(actor=admin, membership=admin),
        "demote_member": lambda: services.membership_demote(actor=admin, membership=_membership(member, community)),
        "member_acts": lambda: services.community_update(actor=_membership(member, community), data={}),
    }.items():
        with pytest.raises(Exception) as refusal:
            call()
        codes[name] = refusal.value.code
    assert codes == {
        "approve_twice": "request_already_decided",
        "remove_self": "remove_self",
        "promote_admin": "already_admin",
        "demote_member": "not_admin",
        "member_acts": "admin_only",
    }


def test_invitation_refusals_carry_stable_codes(community, admin_user, member):
    used = InvitationFactory(community=community, max_uses=1)
    invitations.invitation_accept(user=UserFactory(), invitation=used)
    bound = InvitationFactory(community=community, email="zoe@example.org")
    newcomer = UserFactory()
    invitations.invitation_accept(user=newcomer, invitation=InvitationFactory(community=community))
    cases = {
        "invitation_used_up": lambda: invitations.invitation_accept(user=UserFactory(), invitation=used),
        "invitation_for_another_address": lambda: invitations.invitation_accept(user=UserFactory(), invitation=bound),
        "already_member": lambda: invitations.invitation_accept(
            user=member, invitation=InvitationFactory(community=community)
        ),
        "already_requested": lambda: invitations.invitation_accept(
            user=newcomer, invitation=InvitationFactory(community=community)
        ),
        "invitation_too_short": lambda: invitations.invitation_create(
            actor=_membership(admin_user, community), expires_in_days=0
        ),
    }
    for code, call in cases.items():
        with pytest.raises(Exception) as refusal:
            call()
        assert refusal.value.code == code


@pytest.fixture
def received(monkeypatch):
    """The MemberLeft events emitted during the test, after the real subscribers ran."""
    seen = []
    monkeypatch.setitem(events._handlers, MemberLeft, [*events._handlers[MemberLeft], seen.append])
    return seen


def test_a_member_who_leaves_is_announced_with_who_and_why(community, admin_user, member, received):
    membership = _membership(member, community)

    services.membership_leave(membership=membership)

    assert received == [
        MemberLeft(
            membership_id=membership.pk,
            community_id=community.pk,
            user_id=member.pk,
            actor_id=member.pk,
            reason="member_left",
        )
    ]


def test_a_removed_member_is_announced_with_the_admin_who_removed_them(community, admin_user, member, received):
    target = _membership(member, community)

    services.membership_remove(actor=_membership(admin_user, community), membership=target)

    assert [(event.user_id, event.actor_id, event.reason) for event in received] == [
        (member.pk, admin_user.pk, "member_removed")
    ]


def test_a_refused_leave_announces_nothing(community, admin_user, received):
    with pytest.raises(Conflict):
        services.membership_leave(membership=_membership(admin_user, community))
    assert received == []


def test_a_failing_subscriber_undoes_the_leave_and_the_cancellations(
    community, admin_user, member, vehicle, monkeypatch
):
    start = timezone.now() + timedelta(days=2)
    booking = Booking.objects.create(
        community=community, vehicle=vehicle, member=member, starts_at=start, ends_at=start + timedelta(hours=1)
    )

    def broken(event):
        raise RuntimeError("a subscriber failed")

    monkeypatch.setitem(events._handlers, MemberLeft, [*events._handlers[MemberLeft], broken])

    with pytest.raises(RuntimeError):
        services.membership_leave(membership=_membership(member, community))

    assert _membership(member, community).is_active
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED


# Modules of the domain (not views, forms, admin or commands) never import a layer above their own.
_ROOT = Path(__file__).resolve().parents[2]
_ABOVE = {"communities": {"vehicles", "bookings", "ledger"}, "vehicles": {"bookings", "ledger"}}
_DOMAIN = ("models", "services", "selectors", "rules", "events", "invitations", "tasks", "emails", "exceptions")
_MODULES = [(app, name) for app in _ABOVE for name in _DOMAIN if (_ROOT / app / f"{name}.py").exists()]


def _imported_packages(path: Path) -> set[str]:
    imported = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
    return imported


@pytest.mark.parametrize(("app", "module"), _MODULES)
def test_domain_modules_never_import_a_higher_layer(app, module):
    wrong_way = _imported_packages(_ROOT / app / f"{module}.py") & _ABOVE[app]
    assert not wrong_way, f"{app}/{module}.py imports {wrong_way}"
