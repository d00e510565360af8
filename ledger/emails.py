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

from communities.models import User
from communities.validators import normalize_iban
from ledger.epc import epc_payload
from ledger.models import Account, SettlementEmail, SettlementPeriod, Transfer
from ledger.money import ZERO

logger = logging.getLogger(__name__)


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
            line = {"to": _account_name(transfer.payee), "amount": money_text(transfer.amount), "iban": "", "qr": ""}
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
            "receive": [{"from": _account_name(t.payer), "amount": money_text(t.amount)} for t in receive],
            "reference": reference,
            "link": settle_url(period.community_id),
        }
        subject = _("%(community)s: settle up for %(month)s") % {"community": period.community.name, "month": month}
        body = render_to_string("emails/ledger/settlement.txt", context)
        html = render_to_string("emails/ledger/settlement.html", context)
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body=body, to=[user.email]
    )
    message.attach_alternative(html, "text/html")
    if images:
        # Inline images belong with the HTML part: multipart/related keeps them out of the attachment list.
        message.mixed_subtype = "related"
        for image in images:
            message.attach(image)
    message.send()
