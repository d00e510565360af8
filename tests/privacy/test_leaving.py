"""Leaving a community with a balance (issue 11): the same rules as deleting one's account, scoped to the community.
Settle first, or leave the balance as a former member's that the community settles (admins told); an admin's
removal takes the same path; only an admin re-admits, and the balance is where it was left."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from communities import invitations, services
from communities.models import Community, Membership
from ledger.leaving import BalanceNotSettled, member_leave
from ledger.models import Account, LeftBalanceNotice
from tests.factories import InvitationFactory, owes
from tests.helpers import english, page

pytestmark = pytest.mark.django_db


def _membership(community, user) -> Membership:
    return Membership.objects.get(community=community, user=user, status=Membership.Status.ACTIVE)


def _sum(community) -> Decimal:
    return sum((account.balance for account in Account.objects.filter(community=community)), Decimal(0))


def test_leaving_with_a_balance_asks_to_settle_first_or_to_leave_it(community, owner, member):
    owes(community, owner, member, "12.50")

    with pytest.raises(BalanceNotSettled) as refused:
        member_leave(membership=_membership(community, member))

    assert refused.value.code == "balance_not_settled"
    assert _membership(community, member).is_active


def test_the_leave_page_lists_the_transfers_that_would_square_the_balance(client, community, owner, member):
    owes(community, owner, member, "12.50")
    content = page(client, member, reverse("community_leave", args=[community.pk]))
    assert f"{member.name} pays {owner.name} €12.50" in content


def test_a_balance_left_to_the_community_stays_on_the_account_and_the_admins_are_told(
    community, admin_user, owner, member, django_capture_on_commit_callbacks
):
    english(admin_user)
    owes(community, owner, member, "12.50")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        member_leave(membership=_membership(community, member), leave_balance=True)

    assert Membership.objects.get(community=community, user=member).status == Membership.Status.LEFT
    assert Account.objects.get(community=community, user=member).balance == Decimal("-12.50")
    assert _sum(community) == 0
    (told,) = [message for message in mail.outbox if message.to == [admin_user.email]]
    assert told.subject.endswith("Maya Member left Les Tilleuls with a balance to settle")
    assert "they owe the community €12.50" in told.body and "/ledger/settle/" in told.body
    assert not [message for message in mail.outbox if message.to == [member.email]]


def test_the_leave_page_needs_the_choice_when_the_balance_is_not_zero(client, community, owner, member):
    owes(community, owner, member, "12.50")
    client.force_login(member)
    url = reverse("community_leave", args=[community.pk])

    client.post(url)
    assert _membership(community, member).is_active

    client.post(url, {"leave_balance": "on"})
    assert Membership.objects.get(community=community, user=member).status == Membership.Status.LEFT


def test_leaving_square_needs_no_choice_and_tells_nobody(
    community, admin_user, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        member_leave(membership=_membership(community, member))

    assert not LeftBalanceNotice.objects.exists()


def test_an_admin_removing_a_member_takes_the_same_path(community, admin_user, owner, member):
    owes(community, member, owner, "8.00")

    services.membership_remove(actor=_membership(community, admin_user), membership=_membership(community, member))

    notice = LeftBalanceNotice.objects.get()
    assert (notice.account.user, notice.amount, notice.reason) == (member, Decimal("8.00"), "member_removed")
    assert _sum(community) == 0


def test_only_an_admin_re_admits_and_the_balance_is_where_it_was_left(community, admin_user, owner, member):
    Community.objects.filter(pk=community.pk).update(auto_approve_invitees=True)
    community.refresh_from_db()
    owes(community, owner, member, "12.50")
    member_leave(membership=_membership(community, member), leave_balance=True)
    owes(community, owner, admin_user, "3.00")  # life goes on without them

    back = invitations.invitation_accept(user=member, invitation=InvitationFactory(community=community))

    assert back.status == Membership.Status.PENDING  # not let in by the link alone
    services.membership_approve(actor=_membership(community, admin_user), membership=back)
    assert _membership(community, member).is_active
    assert Account.objects.filter(community=community, user=member).count() == 1
    assert Account.objects.get(community=community, user=member).balance == Decimal("-12.50")


def test_a_newcomer_is_still_let_in_by_the_link_when_the_community_approves_automatically(community, outsider):
    Community.objects.filter(pk=community.pk).update(auto_approve_invitees=True)
    community.refresh_from_db()

    joined = invitations.invitation_accept(user=outsider, invitation=InvitationFactory(community=community))

    assert joined.status == Membership.Status.ACTIVE
