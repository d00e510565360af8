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
from communities.validators import normalize_iban
from ledger.epc import epc_payload
from ledger.models import Account, SettlementEmail, SettlementPeriod, Transfer
from ledger.money import ZERO

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


def settlement_emails_send(*, period: SettlementPeriod) -> int:
    """E-mail everyone with a part in the period's plan; returns how many e-mails went out.

    Each e-mail is claimed by a ``SettlementEmail`` row (unique per period and person), committed
    before sending, so a retry, a second run or a concurrent run never sends it again. If sending
    fails, the claim is released and the error raised for the task to retry. People who turned
    off ``notify_settlements`` (or whose account is closed) get nothing.
    """
    transfers = list(
        Transfer.objects.filter(period=period).select_related("payer__user", "payee__user").order_by("position", "pk")
    )
    parts: dict[int, dict] = defaultdict(lambda: {"user": None, "pay": [], "receive": []})
    for transfer in transfers:
        for account, side in ((transfer.payer, "pay"), (transfer.payee, "receive")):
            if account.user is not None:
                parts[account.user_id]["user"] = account.user
                parts[account.user_id][side].append(transfer)
    sent = 0
    for part in parts.values():
        user: User = part["user"]
        if not (user.is_active and user.notify_settlements):
            continue
        try:
            with atomic():
                claim = SettlementEmail.objects.create(period=period, user=user)
        except IntegrityError:
            continue
        try:
            _send(period, user, part["pay"], part["receive"])
        except Exception:
            SettlementEmail.objects.filter(pk=claim.pk, sent_at=None).delete()
            raise
        SettlementEmail.objects.filter(pk=claim.pk).update(sent_at=timezone.now())
        sent += 1
    SettlementPeriod.objects.filter(pk=period.pk, emails_sent_at=None).update(emails_sent_at=timezone.now())
    logger.info("Settlement e-mails for period %s: %s sent.", period.pk, sent)
    return sent


def _send(period: SettlementPeriod, user: User, pay: list[Transfer], receive: list[Transfer]) -> None:
    balance = sum((t.amount for t in receive), ZERO) - sum((t.amount for t in pay), ZERO)
    reference = payment_reference(period)
    images: list[MIMEImage] = []
    with translation.override(user.language):
        month = formats.date_format(period.month, "YEAR_MONTH_FORMAT")
        to_pay = []
        for transfer in pay:
            payee = transfer.payee.user
            line = {
                "to": _account_name(transfer.payee),
                "to_pool": transfer.payee.is_pool,
                "amount": money_text(transfer.amount),
                "iban": "",
                "qr": "",
            }
            if payee is not None and payee.iban:
                line["iban"] = _format_iban(payee.iban)
                payload = epc_payload(name=payee.name, iban=payee.iban, amount=transfer.amount, reference=reference)
                line["qr"] = f"epc-{transfer.pk}"
                image = MIMEImage(epc_qr_png(payload), "png")
                image.add_header("Content-ID", f"<{line['qr']}>")
                image.add_header("Content-Disposition", "inline", filename=f"virement-{transfer.pk}.png")
                images.append(image)
            to_pay.append(line)
        context = {
            "user": user,
            "community": period.community,
            "month": month,
            "balance": money_text(abs(balance)),
            "owes": balance < 0,
            "pay": to_pay,
            "receive": [
                {"from": _account_name(t.payer), "from_pool": t.payer.is_pool, "amount": money_text(t.amount)}
                for t in receive
            ],
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


# --- A transfer declared paid, then confirmed ---------------------------------------------------


def _notify_once(*, transfer_id: int, claim_field: str, recipient_side: str, send) -> bool:
    """Claim the e-mail on the transfer row, then send it to the holder of ``recipient_side``'s account.

    Nobody to tell (the pool, a closed account, notifications off, the transfer gone): the claim stays
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
    user = getattr(transfer, recipient_side).user if transfer else None
    if user is None or not (user.is_active and user.notify_settlements and user.email):
        return False
    try:
        send(transfer, user)
    except Exception:
        Transfer.objects.filter(pk=transfer_id).update(**{claim_field: None})
        raise
    return True


def _mail(user: User, subject: str, template: str, context: dict) -> None:
    body = render_to_string(template, context)
    EmailMultiAlternatives(subject=email_subject(subject), body=body, to=[user.email]).send()


def _send_paid(transfer: Transfer, user: User) -> None:
    community = transfer.period.community
    with translation.override(user.language):
        amount = money_text(transfer.amount)
        if transfer.payer.is_pool:
            who = transfer.declared_by.name if transfer.declared_by else _account_name(transfer.payer)
            news = _("%(name)s says the community pool paid you %(amount)s") % {
                "name": who,
                "amount": amount,
            }
        else:
            news = _("%(name)s says they paid you %(amount)s") % {
                "name": transfer.payer.user.name,
                "amount": amount,
            }
        subject = _("%(community)s: %(news)s") % {"community": community.name, "news": news}
        context = {"user": user, "community": community, "news": news, "link": settle_url(community.pk)}
        _mail(user, subject, "emails/ledger/transfer_paid.txt", context)


def _send_confirmed(transfer: Transfer, user: User) -> None:
    community = transfer.period.community
    with translation.override(user.language):
        amount = money_text(transfer.amount)
        if transfer.payee.is_pool:
            who = transfer.confirmed_by.name if transfer.confirmed_by else _account_name(transfer.payee)
            news = _("%(name)s confirmed the community pool received your %(amount)s") % {
                "name": who,
                "amount": amount,
            }
        else:
            news = _("%(name)s confirmed receiving your %(amount)s") % {
                "name": transfer.payee.user.name,
                "amount": amount,
            }
        subject = _("%(community)s: %(news)s") % {"community": community.name, "news": news}
        context = {"user": user, "community": community, "news": news, "link": settle_url(community.pk)}
        _mail(user, subject, "emails/ledger/transfer_confirmed.txt", context)


def transfer_paid_email_send(*, transfer_id: int) -> bool:
    """E-mail the payee, once, that the payer says they have paid: they confirm it on the settle-up page."""
    return _notify_once(
        transfer_id=transfer_id, claim_field="paid_notified_at", recipient_side="payee", send=_send_paid
    )


def transfer_confirmed_email_send(*, transfer_id: int) -> bool:
    """E-mail the payer, once, that the payee confirmed receiving the transfer."""
    return _notify_once(
        transfer_id=transfer_id, claim_field="confirmed_notified_at", recipient_side="payer", send=_send_confirmed
    )
