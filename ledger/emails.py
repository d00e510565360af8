"""The monthly settle-up e-mail: to each person with a non-zero balance, once, in their language."""

import io
import logging
from collections import defaultdict
from decimal import Decimal
from email.mime.image import MIMEImage

import segno
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError
from django.db.transaction import atomic
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from colocauto.text import subject_line
from communities.models import User
from communities.selectors import pool_holder_of
from communities.validators import normalize_iban
from ledger.epc import epc_payload
from ledger.models import Account, SettlementEmail, SettlementPeriod, Transfer
from ledger.money import ZERO
from ledger.posting import month_last_day
from ledger.rules import account_holder, confirmed_on_behalf
from ledger.selectors import in_flight_transfers

logger = logging.getLogger(__name__)


def email_subject(text: str) -> str:
    """The prefixed subject on one line: control characters (newlines included) and runs of spaces
    become one space, so a name typed with a line break can never make the header invalid. No-break
    spaces stay: French puts them before ":" and "€"."""
    return subject_line(f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{text}")


def settle_url(community_id: int) -> str:
    """The settle-up page (URL name ``ledger_settle``), as an absolute link for e-mails."""
    return f"{settings.SITE_URL.rstrip('/')}/c/{community_id}/ledger/settle/"


def money_text(amount: Decimal) -> str:
    """An amount in the active language's format, e.g. « 1 234,50 € » or “1,234.50 €”."""
    number = formats.number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
    return _("%(amount)s €") % {"amount": number}


def payment_reference(period: SettlementPeriod) -> str:
    """The bank transfer's reference: short enough for any bank (and an EPC QR code)."""
    return f"Colocauto {period.community.name[:40]} {period.month:%Y-%m}"


def _account_name(account: Account) -> str:
    return str(account)  # the pool's name is translated in the active language


def _format_iban(iban: str) -> str:
    iban = normalize_iban(iban)
    return " ".join(iban[index : index + 4] for index in range(0, len(iban), 4))


def epc_qr_png(payload: str) -> bytes:
    """The EPC QR code as a PNG (error correction M, as the standard asks): mail clients show inline
    PNG attachments, where they block SVG and data URIs."""
    buffer = io.BytesIO()
    segno.make(payload, error="m", micro=False, boost_error=False, encoding="utf-8").save(
        buffer, kind="png", scale=5, border=4
    )
    return buffer.getvalue()


def _parts(period: SettlementPeriod, pool_holder: User | None) -> dict[int, dict]:
    """Who has a part in the period's e-mails, and which transfers each pays or receives: the plan's, then
    those of earlier plans still waiting for confirmation. The pool's are its holder's."""
    transfers = list(
        Transfer.objects.filter(period=period).select_related("payer__user", "payee__user").order_by("position", "pk")
    )
    pending = list(
        in_flight_transfers(period.community_id, before=period.month)
        .select_related("period", "payer__user", "payee__user")
        .order_by("period__month", "position", "pk")
    )
    parts: dict[int, dict] = defaultdict(lambda: {"user": None, "pay": [], "receive": [], "pending": []})
    for transfer in [*transfers, *pending]:
        for account, side in ((transfer.payer, "pay"), (transfer.payee, "receive")):
            person = account_holder(account, pool_holder)
            if person is not None:
                parts[person.pk]["user"] = person
                parts[person.pk]["pending" if transfer.period_id != period.pk else side].append(transfer)
    return parts


def settlement_emails_send(*, period: SettlementPeriod) -> int:
    """E-mail everyone with a part in the period's plan; returns how many e-mails went out.

    Each e-mail is claimed by a ``SettlementEmail`` row (unique per period and person), committed
    before sending, so a retry, a second run or a concurrent run never sends it again. If sending
    fails, the claim is released and the error raised for the task to retry. People who turned
    off ``notify_settlements`` (or whose account is closed) get nothing.
    """
    pool_holder = pool_holder_of(period.community)
    sent = 0
    for part in _parts(period, pool_holder).values():
        user: User = part["user"]
        if not (user.is_active and user.notify_settlements):
            continue
        try:
            with atomic():
                claim = SettlementEmail.objects.create(period=period, user=user)
        except IntegrityError:
            continue
        try:
            _send(period, user, part, pool_holder)
        except Exception:
            SettlementEmail.objects.filter(pk=claim.pk, sent_at=None).delete()
            raise
        SettlementEmail.objects.filter(pk=claim.pk).update(sent_at=timezone.now())
        sent += 1
    SettlementPeriod.objects.filter(pk=period.pk, emails_sent_at=None).update(emails_sent_at=timezone.now())
    logger.info("Settlement e-mails for period %s: %s sent.", period.pk, sent)
    return sent


def balances_as_of(period: SettlementPeriod) -> str:
    """When the plan's balances stood, in the active language: the end of the month's last day."""
    return _("the end of %(day)s (midnight, %(zone)s time)") % {
        "day": formats.date_format(month_last_day(period.month), "DATE_FORMAT"),
        "zone": period.community.time_zone,
    }


def _qr_image(transfer: Transfer, payload: str) -> tuple[str, MIMEImage]:
    cid = f"epc-{transfer.pk}"
    image = MIMEImage(epc_qr_png(payload), "png")
    image.add_header("Content-ID", f"<{cid}>")
    image.add_header("Content-Disposition", "inline", filename=f"virement-{transfer.pk}.png")
    return cid, image


def _pay_line(transfer: Transfer, user: User, pool_holder: User | None, reference: str, images: list) -> dict:
    """A transfer the user makes (their own, or the pool's as its holder), with the beneficiary's bank details."""
    beneficiary = account_holder(transfer.payee, pool_holder)
    line = {
        "to": _account_name(transfer.payee),
        "to_pool": transfer.payee.is_pool,
        "for_pool": transfer.payer.is_pool,
        "holder": pool_holder.name if transfer.payee.is_pool and pool_holder else "",
        "amount": money_text(transfer.amount),
        "iban": "",
        "qr": "",
    }
    if beneficiary is not None and beneficiary.pk != user.pk and beneficiary.iban:
        line["iban"] = _format_iban(beneficiary.iban)
        payload = epc_payload(name=beneficiary.name, iban=beneficiary.iban, amount=transfer.amount, reference=reference)
        line["qr"], image = _qr_image(transfer, payload)
        images.append(image)
    return line


def _send(period: SettlementPeriod, user: User, part: dict, pool_holder: User | None) -> None:
    pay, receive = part["pay"], part["receive"]
    own = [t for t in pay if t.payer.user_id == user.pk] + [t for t in receive if t.payee.user_id == user.pk]
    balance = sum((t.amount if t.payee.user_id == user.pk else -t.amount for t in own), ZERO)
    reference = payment_reference(period)
    images: list[MIMEImage] = []
    with translation.override(user.language):
        month = formats.date_format(period.month, "YEAR_MONTH_FORMAT")
        context = {
            "user": user,
            "community": period.community,
            "month": month,
            "as_of": balances_as_of(period),
            "balance": money_text(abs(balance)) if own else "",
            "owes": balance < 0,
            "pay": [_pay_line(t, user, pool_holder, reference, images) for t in pay],
            "receive": [
                {
                    "from": _account_name(t.payer),
                    "from_pool": t.payer.is_pool,
                    "for_pool": t.payee.is_pool,
                    "amount": money_text(t.amount),
                }
                for t in receive
            ],
            "pending": [_pending_text(t, user, pool_holder) for t in part["pending"]],
            "pool_without_holder": pool_holder is None and any(t.payee.is_pool or t.payer.is_pool for t in pay),
            "reference": reference,
            "link": settle_url(period.community_id),
        }
        subject = _("%(community)s: settle up for %(month)s") % {"community": period.community.name, "month": month}
        body = render_to_string("emails/ledger/settlement.txt", context)
        html = render_to_string("emails/ledger/settlement.html", context)
    message = EmailMultiAlternatives(subject=email_subject(subject), body=body, to=[user.email])
    message.attach_alternative(html, "text/html")
    if images:
        # Inline images belong with the HTML part: multipart/related keeps them out of the attachment list.
        message.mixed_subtype = "related"
        for image in images:
            message.attach(image)
    message.send()


def _pending_text(transfer: Transfer, user: User, pool_holder: User | None) -> str:
    """A payment of an earlier plan declared and not confirmed yet, from the reader's side."""
    values = {
        "amount": money_text(transfer.amount),
        "payer": _account_name(transfer.payer),
        "payee": _account_name(transfer.payee),
    }
    if account_holder(transfer.payer, pool_holder) == user:
        return _("%(amount)s to %(payee)s, declared paid: waiting for their confirmation") % values
    if transfer.payee.is_pool:
        return _("%(amount)s from %(payer)s into the community pool, declared paid: confirm it once it has arrived") % (
            values
        )
    return _("%(amount)s from %(payer)s, declared paid: confirm it once it has reached you") % values


# --- A transfer declared paid, then confirmed ---------------------------------------------------


def _notify_once(*, transfer_id: int, claim_field: str, recipient_side: str, send) -> bool:
    """Claim the e-mail on the transfer row, then send it to whoever holds ``recipient_side``'s account (its
    member, or the pool holder for the pool).

    Nobody to tell (no pool holder, a closed account, notifications off, the transfer gone): the claim stays
    and nothing is sent. If sending fails, the claim is released and the error raised for a retry.
    """
    claimed = Transfer.objects.filter(pk=transfer_id, **{claim_field: None}).update(**{claim_field: timezone.now()})
    if claimed != 1:
        return False
    transfer = (
        Transfer.objects.select_related(
            "period__community", "payer__user", "payee__user", "declared_by", "confirmed_by"
        )
        .filter(pk=transfer_id)
        .first()
    )
    pool_holder = pool_holder_of(transfer.period.community) if transfer else None
    user = account_holder(getattr(transfer, recipient_side), pool_holder) if transfer else None
    if user is None or not (user.is_active and user.notify_settlements and user.email):
        return False
    try:
        send(transfer, user, pool_holder)
    except Exception:
        Transfer.objects.filter(pk=transfer_id).update(**{claim_field: None})
        raise
    return True


def _mail(user: User, subject: str, template: str, context: dict) -> None:
    body = render_to_string(template, context)
    EmailMultiAlternatives(subject=email_subject(subject), body=body, to=[user.email]).send()


def _notice(transfer: Transfer, user: User, news: str, template: str) -> None:
    community = transfer.period.community
    subject = _("%(community)s: %(news)s") % {"community": community.name, "news": news}
    context = {"user": user, "community": community, "news": news, "link": settle_url(community.pk)}
    _mail(user, subject, template, context)


def _send_paid(transfer: Transfer, user: User, pool_holder: User | None) -> None:
    with translation.override(user.language):
        values = {
            "name": transfer.declared_by.name if transfer.declared_by else _account_name(transfer.payer),
            "payer": _account_name(transfer.payer),
            "amount": money_text(transfer.amount),
        }
        if transfer.payer.is_pool:
            news = _("%(name)s says the community pool paid you %(amount)s") % values
        elif transfer.payee.is_pool:
            news = _("%(payer)s says they paid %(amount)s into the community pool you hold") % values
        else:
            news = _("%(payer)s says they paid you %(amount)s") % values
        _notice(transfer, user, news, "emails/ledger/transfer_paid.txt")


def _send_confirmed(transfer: Transfer, user: User, pool_holder: User | None) -> None:
    """To whoever made the transfer: who confirmed it, and for whom when it was not the payee."""
    with translation.override(user.language):
        values = {
            "name": transfer.confirmed_by.name if transfer.confirmed_by else "",
            "payee": _account_name(transfer.payee),
            "amount": money_text(transfer.amount),
        }
        if transfer.payee.is_pool:
            news = _("%(name)s confirmed the community pool received your %(amount)s") % values
        elif confirmed_on_behalf(transfer, pool_holder):
            news = _("%(name)s, an admin, confirmed for %(payee)s that your %(amount)s arrived") % values
        elif transfer.payer.is_pool:
            news = _("%(name)s confirmed receiving %(amount)s from the community pool") % values
        else:
            news = _("%(name)s confirmed receiving your %(amount)s") % values
        _notice(transfer, user, news, "emails/ledger/transfer_confirmed.txt")


def _send_confirmed_for(transfer: Transfer, user: User, pool_holder: User | None) -> None:
    """To the payee (or the pool holder) when an admin confirmed for them: they can check and object."""
    if not confirmed_on_behalf(transfer, pool_holder):
        return
    with translation.override(user.language):
        values = {
            "name": transfer.confirmed_by.name,
            "payer": _account_name(transfer.payer),
            "amount": money_text(transfer.amount),
        }
        if transfer.payee.is_pool:
            news = _("%(name)s, an admin, confirmed that %(payer)s's %(amount)s reached the community pool") % values
        else:
            news = _("%(name)s, an admin, confirmed for you that %(payer)s's %(amount)s reached you") % values
        _notice(transfer, user, news, "emails/ledger/transfer_confirmed_for.txt")


def transfer_paid_email_send(*, transfer_id: int) -> bool:
    """E-mail the payee, once, that the payer says they have paid: they confirm it on the settle-up page."""
    return _notify_once(
        transfer_id=transfer_id, claim_field="paid_notified_at", recipient_side="payee", send=_send_paid
    )


def transfer_confirmed_email_send(*, transfer_id: int) -> bool:
    """E-mail the payer, once, who confirmed receiving the transfer."""
    return _notify_once(
        transfer_id=transfer_id, claim_field="confirmed_notified_at", recipient_side="payer", send=_send_confirmed
    )


def transfer_confirmed_for_email_send(*, transfer_id: int) -> bool:
    """E-mail the payee, once, that an admin confirmed the transfer on their behalf."""
    return _notify_once(
        transfer_id=transfer_id,
        claim_field="confirmed_for_notified_at",
        recipient_side="payee",
        send=_send_confirmed_for,
    )
