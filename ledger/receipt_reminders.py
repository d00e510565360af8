"""Reminders of receipts to follow: an expense saved without its receipt ("receipt to follow") reminds its
payer once, a few days later, if the receipt is still missing.

Each reminder goes through the outbox (``colocauto.core.outbox.deliver``): claimed with a lease on the
expense row, marked sent once the mail server took it. A worker that dies mid-send leaves a claim that
expires, and the next day's run sends the reminder then; a refused address is logged and not retried.
"""

from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from colocauto.core import outbox
from colocauto.core.mail import in_language, templated_email
from ledger.cost_selectors import receipts_to_follow
from ledger.emails import money_text
from ledger.models import Expense

CLAIMED, DONE = "receipt_reminder_claimed_at", "receipt_reminded_at"


def _reminder(expense: Expense) -> EmailMultiAlternatives:
    payer = expense.paid_by
    url = (
        settings.SITE_URL.rstrip("/") + reverse("ledger_expenses", args=[expense.community_id]) + "?missing_receipts=on"
    )
    values = {
        "amount": money_text(expense.amount),
        "category": expense.get_category_display(),
        "vehicle": expense.vehicle.name,
    }
    context = {"user": payer, "expense": expense, "url": url, **values}
    subject = _("Receipt to add: %(category)s, %(amount)s (%(vehicle)s)") % values
    return templated_email(subject, "emails/ledger/receipt_reminder", context, payer.email)


def remind_one(expense_id: int) -> bool:
    """Remind the payer of one expense whose receipt is still to follow; True if an e-mail went out."""

    def messages() -> Iterator[tuple[int, EmailMessage]]:
        expense = (
            receipts_to_follow(Expense.objects.filter(pk=expense_id))
            .select_related("paid_by", "vehicle", "community")
            .first()
        )
        if expense is not None and expense.paid_by.is_active and expense.paid_by.email:
            with in_language(expense.paid_by):
                yield expense.paid_by.pk, _reminder(expense)

    return outbox.deliver(Expense.objects.filter(pk=expense_id), claimed=CLAIMED, done=DONE, messages=messages) == 1


def receipts_remind() -> int:
    """Remind the payer of every expense saved ``RECEIPT_REMINDER_AFTER_DAYS`` ago or more, its receipt still
    missing and never reminded. Returns how many e-mails went out; stops at the first temporary failure of
    the mail server (the next run goes on)."""
    due = receipts_to_follow(Expense.objects.all()).filter(
        created_at__lte=timezone.now() - timedelta(days=settings.RECEIPT_REMINDER_AFTER_DAYS),
        **{f"{DONE}__isnull": True},
    )
    sent = 0
    for expense_id in list(due.filter(outbox.claimable(CLAIMED)).values_list("pk", flat=True)):
        try:
            sent += remind_one(expense_id)
        except outbox.MailDeferred:
            break
    return sent
