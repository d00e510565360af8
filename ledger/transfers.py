"""The transfers of a settle-up plan: the payer declares one paid, the payee (or an admin) confirms it.

Who may do which is ``ledger.rules`` (the pages read the same predicates to show the buttons). The e-mails
that follow are woken by task name: the tasks call this module, never the other way round.
"""

from django.db.transaction import atomic
from django.utils import timezone
from django.utils.translation import gettext as _

from colocauto.core.errors import Conflict, NotAllowed
from colocauto.core.queue import wake_by_name
from communities.models import Membership
from communities.rules import require_active
from ledger.models import Transaction, Transfer
from ledger.posting import local_today, post
from ledger.rules import holds, may_confirm_transfer, may_declare_paid

# ``ledger.tasks``: the e-mails about one transfer (``ledger.transfer_emails``).
PAID_EMAIL = "ledger.tasks.transfer_paid_email"
CONFIRMED_EMAIL = "ledger.tasks.transfer_confirmed_email"
CONFIRMED_FOR_EMAIL = "ledger.tasks.transfer_confirmed_for_email"


class TransferSuperseded(Conflict):
    """A newer plan replaced the transfer before anyone declared it paid: the current plan asks for it."""

    default_code = "transfer_superseded"


def _transfer_for_update(membership: Membership, transfer: Transfer) -> Transfer:
    """The transfer locked for this action, with its state as committed; superseded ones refused."""
    require_active(membership)
    locked = (
        Transfer.objects.select_for_update()
        .select_related("period", "payer", "payee")
        .filter(pk=transfer.pk, period__community_id=membership.community_id)
        .first()
    )
    if locked is None:
        raise NotAllowed(_("This transfer is not in this community."), code="transfer_not_in_community")
    return locked


def _refuse_superseded(transfer: Transfer) -> None:
    if transfer.superseded_at:
        raise TransferSuperseded(_("This transfer belongs to an older plan; use the current settle-up plan."))


def transfer_declare_paid(*, membership: Membership, transfer: Transfer) -> Transfer:
    """Whoever makes the transfer says it is paid (``ledger.rules.may_declare_paid``). Idempotent.

    A transfer of an older plan can still be declared until a newer plan supersedes it."""
    with atomic():
        transfer = _transfer_for_update(membership, transfer)
        if not may_declare_paid(membership, transfer):
            raise NotAllowed(
                _("Only whoever makes this transfer can declare it paid."), code="transfer_declare_not_allowed"
            )
        if transfer.is_confirmed or transfer.declared_paid_at:
            return transfer
        _refuse_superseded(transfer)
        transfer.declared_paid_at = timezone.now()
        transfer.declared_by = membership.user
        transfer.save(update_fields=["declared_paid_at", "declared_by"])
        wake_by_name(PAID_EMAIL, transfer.pk)
    return transfer


def transfer_confirm(*, membership: Membership, transfer: Transfer) -> Transfer:
    """The payee, or an admin on their behalf, confirms receipt (``ledger.rules.may_confirm_transfer``):
    posts the settlement transaction, once, and records who confirmed.

    A transfer declared paid stays confirmable after later months close (later plans count it as paid).
    The payer is told who confirmed; the payee is told when an admin confirmed for them."""
    with atomic():
        transfer = _transfer_for_update(membership, transfer)
        if not may_confirm_transfer(membership, transfer):
            raise NotAllowed(
                _("Only the payee, or an admin who is not the payer, can confirm this transfer."),
                code="transfer_confirm_not_allowed",
            )
        if transfer.is_confirmed:
            return transfer
        _refuse_superseded(transfer)
        community = membership.community
        record, _created = post(
            community=community,
            kind=Transaction.Kind.SETTLEMENT,
            on=local_today(community),
            lines=[(transfer.payer, transfer.amount), (transfer.payee, -transfer.amount)],
            author=membership.user,
            key=f"transfer:{transfer.pk}",
            transfer=transfer,
        )
        now = timezone.now()
        transfer.declared_paid_at = transfer.declared_paid_at or now
        transfer.confirmed_at = now
        transfer.confirmed_by = membership.user
        transfer.transaction = record
        transfer.save(update_fields=["declared_paid_at", "confirmed_at", "confirmed_by", "transaction"])
        wake_by_name(CONFIRMED_EMAIL, transfer.pk)
        if not holds(membership, transfer.payee):
            wake_by_name(CONFIRMED_FOR_EMAIL, transfer.pk)
    return transfer
