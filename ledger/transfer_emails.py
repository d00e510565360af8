"""E-mails about one transfer: the payer declared it paid, the payee (or an admin for them) confirmed it.

Each is sent once through the outbox: claimed with a lease on the transfer row, marked done once sent
or once there is nobody to tell, and sent again by the sweep if the broker was down or a sender died.
The pool's e-mails go to the pool holder.
"""

from collections.abc import Callable, Iterator

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from colocauto.core import outbox
from colocauto.core.mail import plain_email
from communities.models import User
from communities.selectors import pool_holder_of
from ledger.emails import money_text, settle_url
from ledger.models import Transfer
from ledger.rules import account_holder, confirmed_on_behalf

# (claim field, done field) of each notice on the transfer row.
PAID = ("paid_claimed_at", "paid_notified_at")
CONFIRMED = ("confirmed_claimed_at", "confirmed_notified_at")
CONFIRMED_FOR = ("confirmed_for_claimed_at", "confirmed_for_notified_at")


# Builds the e-mail for one recipient (transfer, recipient, pool holder), or None when there is nothing to say.
Builder = Callable[[Transfer, User, User | None], EmailMultiAlternatives | None]


def _notify_once(*, transfer_id: int, fields: tuple[str, str], recipient_side: str, build: Builder) -> bool:
    """Send once the e-mail ``build`` makes (or None: nothing to say) for whoever holds ``recipient_side``'s
    account: its member, or the pool holder for the pool. Nobody to tell (no pool holder, a closed account,
    notifications off, the transfer gone): the notice is marked done and nothing is sent."""
    claimed, done = fields

    def messages() -> Iterator[tuple[int, EmailMessage]]:
        transfer = (
            Transfer.objects.select_related(
                "period__community", "payer__user", "payee__user", "declared_by", "confirmed_by"
            )
            .filter(pk=transfer_id)
            .first()
        )
        if transfer is None:
            return
        pool_holder = pool_holder_of(transfer.period.community)
        user = account_holder(getattr(transfer, recipient_side), pool_holder)
        if user is not None and user.is_active and user.notify_settlements and user.email:
            with translation.override(user.language):  # the e-mail is in its reader's language
                message = build(transfer, user, pool_holder)
            if message is not None:
                yield user.pk, message

    rows = Transfer.objects.filter(pk=transfer_id)
    return outbox.deliver(rows, claimed=claimed, done=done, messages=messages) == 1


def _notice(transfer: Transfer, user: User, news: str, template: str) -> EmailMultiAlternatives:
    community = transfer.period.community
    subject = _("%(community)s: %(news)s") % {"community": community.name, "news": news}
    context = {"user": user, "community": community, "news": news, "link": settle_url(community.pk)}
    body = render_to_string(template, context)
    return plain_email(subject, body, user.email)


def _values(transfer: Transfer, name: str) -> dict[str, str]:
    """What the e-mails about a transfer say, in the active language (the pool's name is translated)."""
    return {
        "name": name,
        "payer": str(transfer.payer),
        "payee": str(transfer.payee),
        "amount": money_text(transfer.amount),
    }


def _paid_message(transfer: Transfer, user: User, pool_holder: User | None) -> EmailMultiAlternatives:
    values = _values(transfer, transfer.declared_by.name if transfer.declared_by else str(transfer.payer))
    if transfer.payer.is_pool:
        news = _("%(name)s says the community pool paid you %(amount)s") % values
    elif transfer.payee.is_pool:
        news = _("%(payer)s says they paid %(amount)s into the community pool you hold") % values
    else:
        news = _("%(payer)s says they paid you %(amount)s") % values
    return _notice(transfer, user, news, "emails/ledger/transfer_paid.txt")


def _confirmed_message(transfer: Transfer, user: User, pool_holder: User | None) -> EmailMultiAlternatives:
    """To whoever made the transfer: who confirmed it, and for whom when it was not the payee."""
    values = _values(transfer, transfer.confirmed_by.name if transfer.confirmed_by else "")
    if transfer.payee.is_pool:
        news = _("%(name)s confirmed the community pool received your %(amount)s") % values
    elif confirmed_on_behalf(transfer, pool_holder):
        news = _("%(name)s, an admin, confirmed for %(payee)s that your %(amount)s arrived") % values
    elif transfer.payer.is_pool:
        news = _("%(name)s confirmed receiving %(amount)s from the community pool") % values
    else:
        news = _("%(name)s confirmed receiving your %(amount)s") % values
    return _notice(transfer, user, news, "emails/ledger/transfer_confirmed.txt")


def _confirmed_for_message(transfer: Transfer, user: User, pool_holder: User | None) -> EmailMultiAlternatives | None:
    """To the payee (or the pool holder) when an admin confirmed for them: they can check and object."""
    admin = transfer.confirmed_by
    if admin is None or not confirmed_on_behalf(transfer, pool_holder):
        return None
    values = _values(transfer, admin.name)
    if transfer.payee.is_pool:
        news = _("%(name)s, an admin, confirmed that %(payer)s's %(amount)s reached the community pool") % values
    else:
        news = _("%(name)s, an admin, confirmed for you that %(payer)s's %(amount)s reached you") % values
    return _notice(transfer, user, news, "emails/ledger/transfer_confirmed_for.txt")


def transfer_paid_email_send(*, transfer_id: int) -> bool:
    """E-mail the payee, once, that the payer says they have paid: they confirm it on the settle-up page."""
    return _notify_once(transfer_id=transfer_id, fields=PAID, recipient_side="payee", build=_paid_message)


def transfer_confirmed_email_send(*, transfer_id: int) -> bool:
    """E-mail the payer, once, who confirmed receiving the transfer."""
    return _notify_once(transfer_id=transfer_id, fields=CONFIRMED, recipient_side="payer", build=_confirmed_message)


def transfer_confirmed_for_email_send(*, transfer_id: int) -> bool:
    """E-mail the payee, once, that an admin confirmed the transfer on their behalf."""
    return _notify_once(
        transfer_id=transfer_id, fields=CONFIRMED_FOR, recipient_side="payee", build=_confirmed_for_message
    )


def transfer_notices_sweep() -> int:
    """Send the "paid" and "confirmed" e-mails still due: the broker was down, or a sender died."""
    recent = timezone.now() - outbox.NOTICE_HORIZON
    declared = Transfer.objects.filter(declared_paid_at__gte=recent)
    confirmed = Transfer.objects.filter(confirmed_at__gte=recent)
    sent = 0
    for rows, fields, send, what in (
        (declared, PAID, transfer_paid_email_send, "Transfer paid notice"),
        (confirmed, CONFIRMED, transfer_confirmed_email_send, "Transfer confirmed notice"),
        (confirmed, CONFIRMED_FOR, transfer_confirmed_for_email_send, "Transfer confirmed-for notice"),
    ):
        due = outbox.due(rows, claimed=fields[0], done=fields[1]).values_list("pk", flat=True)
        sent += outbox.sweep(due, _by_id(send), what=what)
    return sent


def _by_id(send: Callable[..., bool]) -> Callable[[int], int]:
    def send_one(transfer_id: int) -> int:
        return send(transfer_id=transfer_id)

    return send_one
