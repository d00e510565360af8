"""The monthly settle-up e-mail: to each person with a part in the plan, once, in their language.

E-mails about one transfer (declared paid, confirmed) are in ``ledger.transfer_emails``.
"""

import io
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from email.mime.image import MIMEImage
from typing import Any

import segno
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Exists
from django.db.transaction import atomic
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from colocauto.core import outbox
from colocauto.core.clock import month_last_day
from colocauto.core.mail import templated_email
from colocauto.core.outbox import Mailer
from colocauto.text import date_text, french_typography
from communities.models import User
from communities.selectors import pool_holder_of
from ledger.epc import epc_payload, grouped_iban
from ledger.models import Account, SettlementEmail, SettlementPeriod, Transfer
from ledger.money import ZERO
from ledger.rules import account_holder
from ledger.selectors import in_flight_transfers

logger = logging.getLogger(__name__)

# The sweep leaves alone the e-mails of periods closed longer ago than this (a month's plan is stale).
SWEEP_HORIZON = timedelta(days=40)


def settle_url(community_id: int) -> str:
    """The settle-up page (URL name ``ledger_settle``), as an absolute link for e-mails."""
    return f"{settings.SITE_URL.rstrip('/')}/c/{community_id}/ledger/settle/"


def money_text(amount: Decimal, places: int = 2) -> str:
    """An amount as its reader writes it: « 1 234,50 € » in French, “€1,234.50” in English; the minus
    sign comes first in both (« -14,55 € », “-€14.55”)."""
    number = formats.number_format(abs(amount), decimal_pos=places, use_l10n=True, force_grouping=True)
    return ("-" if amount < 0 else "") + _("€%(amount)s") % {"amount": number}


def payment_reference(period: SettlementPeriod) -> str:
    """The bank transfer's reference: short enough for any bank (and an EPC QR code)."""
    return f"Colocauto {period.community.name[:40]} {period.month:%Y-%m}"


def _account_name(account: Account) -> str:
    return str(account)  # the pool's name is translated in the active language


def epc_qr_png(payload: str) -> bytes:
    """The EPC QR code as a PNG (error correction M, as the standard asks): mail clients show inline
    PNG attachments, where they block SVG and data URIs."""
    buffer = io.BytesIO()
    segno.make(payload, error="m", micro=False, boost_error=False, encoding="utf-8").save(
        buffer, kind="png", scale=5, border=4
    )
    return buffer.getvalue()


@dataclass
class Part:
    """One person's part in a period's plan: what they pay, receive, and earlier payments still pending."""

    user: User
    pay: list[Transfer] = field(default_factory=list)
    receive: list[Transfer] = field(default_factory=list)
    pending: list[Transfer] = field(default_factory=list)


def _parts(period: SettlementPeriod, pool_holder: User | None) -> dict[int, Part]:
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
    parts: dict[int, Part] = {}
    for transfer in [*transfers, *pending]:
        for account, pays in ((transfer.payer, True), (transfer.payee, False)):
            person = account_holder(account, pool_holder)
            if person is not None:
                part = parts.setdefault(person.pk, Part(user=person))
                side = part.pending if transfer.period_id != period.pk else part.pay if pays else part.receive
                side.append(transfer)
    return parts


def settlement_emails_send(*, period: SettlementPeriod) -> int:
    """E-mail everyone with a part in the period's plan, over one connection; returns how many went out.

    Each e-mail has a ``SettlementEmail`` row (unique per period and person, inserted in one
    ``INSERT … ON CONFLICT DO NOTHING``, committed with the first batch's claims without waiting for the
    disk: ``outbox.commit_unflushed``). They are claimed with a lease in batches of
    ``MAIL_BATCH_SIZE`` (one statement), sent one by one over the connection, and the batch's accepted
    ones marked sent together (``outbox.SentMarks``). So a retry, a second run or a concurrent run never
    sends one twice, and a run killed mid-send leaves claims that the sweep sends after the lease. Each
    person is on their own: an address the mail server refuses is recorded on its row (shown to the
    admins), a temporary failure gives the claim back and ``MailDeferred`` is raised after the batch
    so the task retries with backoff. People who turned off ``notify_settlements`` (or whose account
    is closed) get nothing. The statements run do not depend on the number of people, up to a batch.
    """
    pool_holder = pool_holder_of(period.community)
    parts = {
        user_id: part
        for user_id, part in _parts(period, pool_holder).items()
        if part.user.is_active and part.user.notify_settlements
    }
    unsent = SettlementEmail.objects.filter(period=period, sent_at=None, failed_at=None)

    def claim_after(last: int) -> list[tuple[Any, ...]]:
        # After the last batch's rows only: a claim given back for a retry waits for the task's retry.
        return outbox.claim_batch(
            unsent.filter(pk__gt=last),
            "claimed_at",
            limit=settings.MAIL_BATCH_SIZE,
            returning=("id", "user_id", "attempts"),
        )

    with atomic():  # the rows and the first batch's claims: one commit, not waiting for the disk
        outbox.commit_unflushed()
        SettlementEmail.objects.bulk_create(
            [SettlementEmail(period=period, user_id=user_id) for user_id in parts], ignore_conflicts=True
        )
        batch = claim_after(0)
    sent = deferred = 0
    with Mailer() as mailer:
        while True:
            marks = outbox.SentMarks(SettlementEmail.objects.all(), "sent_at", error_code="")
            unwanted: list[int] = []
            unsent_now: list[int] = []
            for pk, user_id, attempts in batch:
                part = parts.get(user_id)
                if part is None:  # no longer in the plan or no longer wanted
                    unwanted.append(pk)
                elif not mailer.available:
                    unsent_now.append(pk)
                else:
                    failure = _send(mailer, period, part, pool_holder, pk)
                    if failure is None:
                        marks.add(pk)
                        sent += 1
                    else:
                        deferred += not _record_failure(pk, attempts, failure)
            marks.flush()
            if unwanted:
                SettlementEmail.objects.filter(pk__in=unwanted, sent_at=None).delete()
            if unsent_now:  # the server cannot be reached: given back without counting an attempt
                outbox.release(SettlementEmail.objects.filter(pk__in=unsent_now), "claimed_at")
                deferred += len(unsent_now)
            if len(batch) < settings.MAIL_BATCH_SIZE or not mailer.available:
                break
            batch = claim_after(batch[-1][0])
    SettlementPeriod.objects.filter(pk=period.pk, emails_sent_at=None).exclude(Exists(unsent)).update(
        emails_sent_at=timezone.now()
    )
    logger.info("Settlement e-mails for period %s: %s sent, %s to retry.", period.pk, sent, deferred)
    if deferred:
        raise outbox.MailDeferred(f"{deferred} settlement e-mail(s) of period {period.pk} to retry")
    return sent


def _send(
    mailer: Mailer, period: SettlementPeriod, part: Part, pool_holder: User | None, pk: int
) -> outbox.Failure | None:
    """One person's e-mail through the batch's connection: None once the server accepted it, else why not."""
    try:
        return mailer.send(_settlement_message(period, part.user, part, pool_holder))
    except Exception:  # a bug in one person's e-mail must not block the others
        logger.exception("Settlement e-mail %s could not be built.", pk)
        return outbox.Failure("error", permanent=False)


def _record_failure(pk: int, attempts: int, failure: outbox.Failure) -> bool:
    """Record the claim undeliverable (True), or give it back for a retry (False)."""
    claim = SettlementEmail.objects.filter(pk=pk)
    attempts += failure.counts
    if failure.permanent or attempts >= settings.MAIL_MAX_ATTEMPTS:
        claim.update(failed_at=timezone.now(), error_code=failure.code, attempts=attempts)
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


def balances_as_of(period: SettlementPeriod) -> str:
    """When the plan's balances stood, in the active language: the end of the month's last day."""
    return _("the end of %(day)s (midnight, %(zone)s time)") % {
        "day": date_text(month_last_day(period.month), "DATE_FORMAT"),
        "zone": period.community.time_zone,
    }


def _qr_image(transfer: Transfer, payload: str) -> tuple[str, MIMEImage]:
    cid = f"epc-{transfer.pk}"
    image = MIMEImage(epc_qr_png(payload), "png")
    image.add_header("Content-ID", f"<{cid}>")
    image.add_header("Content-Disposition", "inline", filename=f"virement-{transfer.pk}.png")
    return cid, image


def _pay_line(
    transfer: Transfer, user: User, pool_holder: User | None, reference: str, images: list[MIMEImage]
) -> dict[str, Any]:
    """A transfer the user makes (their own, or the pool's as its holder), with the beneficiary's bank details."""
    beneficiary = account_holder(transfer.payee, pool_holder)
    line: dict[str, Any] = {
        "to": _account_name(transfer.payee),
        "to_pool": transfer.payee.is_pool,
        "for_pool": transfer.payer.is_pool,
        "holder": pool_holder.name if transfer.payee.is_pool and pool_holder else "",
        "amount": money_text(transfer.amount),
        "iban": "",
        "qr": "",
    }
    if beneficiary is not None and beneficiary.pk != user.pk and beneficiary.iban:
        line["iban"] = grouped_iban(beneficiary.iban)
        payload = epc_payload(name=beneficiary.name, iban=beneficiary.iban, amount=transfer.amount, reference=reference)
        line["qr"], image = _qr_image(transfer, payload)
        images.append(image)
    return line


def _settlement_message(
    period: SettlementPeriod, user: User, part: Part, pool_holder: User | None
) -> EmailMultiAlternatives:
    pay, receive = part.pay, part.receive
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
            "pending": [_pending_text(t, user, pool_holder) for t in part.pending],
            "pool_without_holder": pool_holder is None and any(t.payee.is_pool or t.payer.is_pool for t in pay),
            "reference": reference,
            "link": settle_url(period.community_id),
        }
        subject = french_typography(
            _("%(community)s: settle up for %(month)s") % {"community": period.community.name, "month": month}
        )
        message = templated_email(subject, "emails/ledger/settlement", context, user.email)
    if images:
        # Inline images belong with the HTML part: multipart/related keeps them out of the attachment list.
        message.mixed_subtype = "related"
        for image in images:
            message.attach(image)
    return message


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
