"""A member who leaves with a non-zero balance: the balance stays on their account, in every settle-up plan of
the community, as a former member's; the remaining members settle it (an admin confirms a transfer on its
behalf, ``ledger.rules``). Nothing is dropped or moved onto anyone else, so every community still sums to zero.
The admins are told once, in their own language, through the outbox."""

from __future__ import annotations

from collections.abc import Iterator

from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from colocauto.core import outbox
from colocauto.core.mail import in_language, plain_email
from colocauto.core.queue import wake_by_name
from communities.models import Membership, User
from ledger.emails import money_text, settle_url
from ledger.models import Account, LeftBalanceNotice
from ledger.money import to_money


def left_balance_record(*, community_id: int, user_id: int, reason: str) -> LeftBalanceNotice | None:
    """When a membership ends: record the notice if the balance is not zero (None otherwise)."""
    account = Account.objects.filter(community_id=community_id, kind=Account.Kind.MEMBER, user_id=user_id).first()
    if account is None or to_money(account.balance) == 0:
        return None
    notice = LeftBalanceNotice.objects.create(account=account, amount=to_money(account.balance), reason=reason)
    wake_by_name("ledger.tasks.left_balance_email", notice.pk)
    return notice


def left_balance_email_send(*, notice_id: int) -> int:
    """Tell the community's active admins (other than the one who left) once; returns e-mails sent."""
    notices = LeftBalanceNotice.objects.filter(pk=notice_id)

    def messages() -> Iterator[tuple[int, EmailMessage]]:
        notice = notices.select_related("account__community", "account__user").first()
        if notice is None:
            return
        community = notice.account.community
        former = notice.account.user
        assert former is not None  # a member's account: the pool never leaves
        admins = (
            User.objects.filter(
                memberships__community=community,
                memberships__status=Membership.Status.ACTIVE,
                memberships__role=Membership.Role.ADMIN,
                is_active=True,
            )
            .exclude(pk=former.pk)
            .order_by("pk")
        )
        for admin in admins:
            context = {
                "admin": admin,
                "community": community,
                "former": former,
                "notice": notice,
                "owed_to_them": notice.amount > 0,
                "settle_url": settle_url(community.pk),
            }
            with in_language(admin):
                context["amount"] = money_text(abs(to_money(notice.amount)))
                subject = render_to_string("emails/ledger/balance_left_subject.txt", context)
                body = render_to_string("emails/ledger/balance_left.txt", context)
                message = plain_email(subject, body, admin.email)
            yield admin.pk, message

    return outbox.deliver(notices, claimed="claimed_at", done="notified_at", messages=messages, progress="notified_to")


def left_balance_emails_sweep() -> int:
    due = outbox.due(LeftBalanceNotice.objects.all(), claimed="claimed_at", done="notified_at")
    return outbox.sweep(
        due.values_list("pk", flat=True), lambda pk: left_balance_email_send(notice_id=pk), what="Left balance"
    )
