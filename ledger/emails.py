"""The monthly settle-up e-mail: to each person with a non-zero balance, once, in their language."""

import io
import logging
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from email.mime.image import MIMEImage

import segno
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from colocauto import outbox
from colocauto.outbox import Mailer
from colocauto.text import subject_line
from communities.models import User
from communities.validators import normalize_iban
from ledger.epc import epc_payload
from ledger.models import Account, SettlementEmail, SettlementPeriod, Transfer
from ledger.money import ZERO

logger = logging.getLogger(__name__)

# The sweep leaves alone the e-mails of periods closed longer ago than this (a month's plan is stale).
SWEEP_HORIZON = timedelta(days=40)


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


def _plan_parts(period: SettlementPeriod) -> dict[int, dict]:
    """Each person with a part in the period's plan (user id → user, transfers to pay, to receive)."""
    transfers = Transfer.objects.filter(period=period).select_related("payer__user", "payee__user")
    parts: dict[int, dict] = defaultdict(lambda: {"user": None, "pay": [], "receive": []})
    for transfer in transfers.order_by("position", "pk"):
        for account, side in ((transfer.payer, "pay"), (transfer.payee, "receive")):
            if account.user is not None:
                parts[account.user_id]["user"] = account.user
                parts[account.user_id][side].append(transfer)
    return parts


def settlement_emails_send(*, period: SettlementPeriod) -> int:
    """E-mail everyone with a part in the period's plan, over one connection; returns how many went out.

    Each e-mail has a ``SettlementEmail`` row (unique per period and person, inserted in bulk) that is
    claimed with a lease just before sending, so a retry, a second run or a concurrent run never sends
    it twice, and a run killed mid-send leaves claims that the sweep sends after the lease. Each person
    is on their own: an address the mail server refuses is recorded on its row (shown to the admins),
    a temporary failure gives the claim back and ``MailDeferred`` is raised after the batch so the
    task retries with backoff. People who turned off ``notify_settlements`` (or whose account is
    closed) get nothing.
    """
    parts = {
        user_id: part
        for user_id, part in _plan_parts(period).items()
        if part["user"].is_active and part["user"].notify_settlements
    }
    SettlementEmail.objects.bulk_create(
        [SettlementEmail(period=period, user_id=user_id) for user_id in parts], ignore_conflicts=True
    )
    unsent = SettlementEmail.objects.filter(period=period, sent_at=None, failed_at=None)
    sent = deferred = 0
    with Mailer() as mailer:
        for row in unsent.filter(outbox.claimable("claimed_at")).order_by("pk"):
            part = parts.get(row.user_id)
            if part is None:  # no longer in the plan or no longer wanted
                unsent.filter(outbox.claimable("claimed_at"), pk=row.pk).delete()
                continue
            if not mailer.available:
                deferred += 1
                continue
            if not outbox.claim(unsent.filter(pk=row.pk), "claimed_at"):
                continue  # another run is sending it
            try:
                failure = mailer.send(_settlement_message(period, part["user"], part["pay"], part["receive"]))
            except Exception:  # a bug in one person's e-mail must not block the others
                logger.exception("Settlement e-mail %s could not be built.", row.pk)
                failure = outbox.Failure("error", permanent=False)
            # A crash between the server accepting the message and this line is the one way to a second copy.
            deferred += not _record(row, failure)
            sent += failure is None
    if not unsent.exists():
        SettlementPeriod.objects.filter(pk=period.pk, emails_sent_at=None).update(emails_sent_at=timezone.now())
    logger.info("Settlement e-mails for period %s: %s sent, %s to retry.", period.pk, sent, deferred)
    if deferred:
        raise outbox.MailDeferred(f"{deferred} settlement e-mail(s) of period {period.pk} to retry")
    return sent


def _record(row: SettlementEmail, failure: outbox.Failure | None) -> bool:
    """Mark the claim sent or undeliverable (True), or give it back for a retry (False)."""
    claim = SettlementEmail.objects.filter(pk=row.pk)
    now = timezone.now()
    if failure is None:
        claim.update(sent_at=now, error_code="")
        return True
    attempts = row.attempts + failure.counts
    if failure.permanent or attempts >= settings.MAIL_MAX_ATTEMPTS:
        claim.update(failed_at=now, error_code=failure.code, attempts=attempts)
        return True
    outbox.release(claim, "claimed_at", error_code=failure.code, attempts=attempts)
    return False


def settlement_emails_sweep() -> int:
    """Send the settlement e-mails still due in recent periods: never sent (the broker was down), given
    back after a temporary failure, or claimed by a sender that died (lease expired)."""
    recent = SettlementPeriod.objects.filter(emails_sent_at=None, created_at__gte=timezone.now() - SWEEP_HORIZON)

    def send(period_id: int) -> int:
        return settlement_emails_send(period=SettlementPeriod.objects.select_related("community").get(pk=period_id))

    return outbox.sweep(recent.order_by("pk").values_list("pk", flat=True), send, what="Settlement period")


def _settlement_message(
    period: SettlementPeriod, user: User, pay: list[Transfer], receive: list[Transfer]
) -> EmailMultiAlternatives:
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
    return message


# --- A transfer declared paid, then confirmed ---------------------------------------------------


def _notify_once(*, transfer_id: int, claimed: str, done: str, recipient_side: str, build) -> bool:
    """Send once, through the outbox (claim with a lease on the transfer row), the e-mail ``build``
    makes for the holder of ``recipient_side``'s account. Nobody to tell (the pool, a closed account,
    notifications off, the transfer gone): the notice is marked done and nothing is sent."""

    def messages():
        transfer = (
            Transfer.objects.select_related(
                "period__community", "payer__user", "payee__user", "declared_by", "confirmed_by"
            )
            .filter(pk=transfer_id)
            .first()
        )
        user = getattr(transfer, recipient_side).user if transfer else None
        if user is not None and user.is_active and user.notify_settlements and user.email:
            yield user.pk, build(transfer, user)

    rows = Transfer.objects.filter(pk=transfer_id)
    return outbox.deliver(rows, claimed=claimed, done=done, messages=messages) == 1


def transfer_notices_due():
    """Ids of recent transfers whose "paid" or "confirmed" e-mail is still to send (for the sweep)."""
    recent = timezone.now() - outbox.NOTICE_HORIZON
    paid = outbox.due(
        Transfer.objects.filter(declared_paid_at__gte=recent), claimed="paid_claimed_at", done="paid_notified_at"
    )
    confirmed = outbox.due(
        Transfer.objects.filter(confirmed_at__gte=recent), claimed="confirmed_claimed_at", done="confirmed_notified_at"
    )
    return paid.values_list("pk", flat=True), confirmed.values_list("pk", flat=True)


def _mail(user: User, subject: str, template: str, context: dict) -> EmailMultiAlternatives:
    body = render_to_string(template, context)
    return EmailMultiAlternatives(subject=email_subject(subject), body=body, to=[user.email])


def _paid_message(transfer: Transfer, user: User) -> EmailMultiAlternatives:
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
        return _mail(user, subject, "emails/ledger/transfer_paid.txt", context)


def _confirmed_message(transfer: Transfer, user: User) -> EmailMultiAlternatives:
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
        return _mail(user, subject, "emails/ledger/transfer_confirmed.txt", context)


def transfer_paid_email_send(*, transfer_id: int) -> bool:
    """E-mail the payee, once, that the payer says they have paid: they confirm it on the settle-up page."""
    return _notify_once(
        transfer_id=transfer_id,
        claimed="paid_claimed_at",
        done="paid_notified_at",
        recipient_side="payee",
        build=_paid_message,
    )


def transfer_confirmed_email_send(*, transfer_id: int) -> bool:
    """E-mail the payer, once, that the payee confirmed receiving the transfer."""
    return _notify_once(
        transfer_id=transfer_id,
        claimed="confirmed_claimed_at",
        done="confirmed_notified_at",
        recipient_side="payer",
        build=_confirmed_message,
    )


def transfer_notices_sweep() -> int:
    """Send the "paid" and "confirmed" e-mails still due: the broker was down, or a sender died."""
    paid, confirmed = transfer_notices_due()
    sent = outbox.sweep(paid, lambda pk: transfer_paid_email_send(transfer_id=pk), what="Transfer paid notice")
    return sent + outbox.sweep(
        confirmed, lambda pk: transfer_confirmed_email_send(transfer_id=pk), what="Transfer confirmed notice"
    )
