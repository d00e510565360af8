"""What the settle-up page and the API show: before any month is closed, the plan today's balances would
give; afterwards, each transfer of the current plan (and of earlier plans still waiting) as the viewer
sees it: from which side, what they may do now (``ledger.rules``), and how to pay it."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from communities.models import Membership, User
from communities.selectors import pool_holder_of
from ledger import selectors
from ledger.emails import payment_reference
from ledger.epc import epc_payload, epc_qr_data_uri, grouped_iban
from ledger.models import SettlementPeriod, Transfer
from ledger.rules import account_holder, confirmed_on_behalf, transfer_actions
from ledger.settlement import settlement_plan


@dataclass(frozen=True)
class PlannedTransfer:
    """A transfer of the plan today's balances would give (nothing to declare yet: no month is closed)."""

    payer: str
    payee: str
    amount: Decimal
    mine: bool


def live_plan(membership: Membership, balances: list[selectors.Balance]) -> list[PlannedTransfer]:
    """The plan the balances of today (``selectors.balances_for``) would give (shown before any month is closed)."""
    rows = [row for row in balances if row.amount]
    names = {row.account_id: (str(row.user) if row.user else _("Community pool")) for row in rows}
    users = {row.account_id: row.user for row in rows}
    plan = settlement_plan({row.account_id: row.amount for row in rows})
    return [
        PlannedTransfer(
            payer=names[payer],
            payee=names[payee],
            amount=amount,
            mine=membership.user in (users[payer], users[payee]),
        )
        for payer, payee, amount in plan
    ]


@dataclass(frozen=True)
class PaymentDetails:
    """The beneficiary's bank details for a transfer, and the EPC (SEPA) QR code's content."""

    name: str
    iban: str  # grouped by four
    reference: str
    payload: str

    @property
    def qr(self) -> str:
        """The QR code as a data URI (drawn only when a page shows it)."""
        return epc_qr_data_uri(self.payload)


def payment_details(transfer: Transfer, beneficiary: User | None) -> PaymentDetails | None:
    """How to pay the transfer to ``beneficiary``, when they gave an IBAN."""
    if beneficiary is None or not beneficiary.iban:
        return None
    reference = payment_reference(transfer.period)
    payload = epc_payload(name=beneficiary.name, iban=beneficiary.iban, amount=transfer.amount, reference=reference)
    return PaymentDetails(
        name=beneficiary.name, iban=grouped_iban(beneficiary.iban), reference=reference, payload=payload
    )


def settle_row(membership: Membership, transfer: Transfer, pool_holder: User | None) -> dict[str, Any]:
    """One transfer as the viewer sees it: ``transfer``, its ``transfer_actions``, ``confirmed_for`` (an
    admin confirmed for the payee) and ``bank`` (how to pay it, only to whoever still has to)."""
    row: dict[str, Any] = {
        "transfer": transfer,
        **transfer_actions(membership, transfer),
        "confirmed_for": confirmed_on_behalf(transfer, pool_holder),
        "bank": None,
    }
    beneficiary = account_holder(transfer.payee, pool_holder)
    if row["to_make"] and beneficiary != membership.user:
        row["bank"] = payment_details(transfer, beneficiary)
    return row


@dataclass
class SettleUp:
    """The settle-up state of the viewer's community: the latest closed month's plan, or the live plan."""

    membership: Membership
    period: SettlementPeriod | None
    balance: Decimal
    live_plan: list[PlannedTransfer] = field(default_factory=list)
    pool_holder: User | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def plan(self) -> list[dict[str, Any]]:
        return [row for row in self.rows if self.period and row["transfer"].period_id == self.period.pk]

    @property
    def earlier(self) -> list[dict[str, Any]]:
        """Transfers of earlier plans declared paid and still waiting for confirmation."""
        return [row for row in self.rows if not self.period or row["transfer"].period_id != self.period.pk]

    @property
    def to_pay(self) -> list[dict[str, Any]]:
        return [row for row in self.rows if row["side"] == "pay"]

    @property
    def to_receive(self) -> list[dict[str, Any]]:
        return [row for row in self.rows if row["side"] == "receive"]

    @property
    def settled(self) -> bool:
        """Every transfer of the plan confirmed, none of an earlier plan waiting."""
        return self.period is not None and not self.earlier and all(not row["transfer"].is_open for row in self.plan)

    @property
    def pool_without_holder(self) -> bool:
        """A transfer to or from the pool is open and nobody holds the pool to make or receive it."""
        return self.pool_holder is None and any(_pool_transfer_open(row["transfer"]) for row in self.rows)


def _pool_transfer_open(transfer: Transfer) -> bool:
    return transfer.is_open and (transfer.payer.is_pool or transfer.payee.is_pool)


def settle_up(membership: Membership) -> SettleUp:
    """What the settle-up page shows, in a fixed number of queries whatever the number of transfers, reading
    the balances once."""
    period = selectors.current_period_for(membership)
    if period is None:
        balances = selectors.balances_for(membership)
        return SettleUp(
            membership=membership,
            period=None,
            balance=selectors.own_row(balances, membership),
            live_plan=live_plan(membership, balances),
        )
    state = SettleUp(membership=membership, period=period, balance=selectors.own_balance(membership))
    state.pool_holder = pool_holder_of(membership.community)
    state.rows = [
        settle_row(membership, transfer, state.pool_holder) for transfer in selectors.transfers_of(membership, period)
    ]
    return state


@dataclass(frozen=True)
class Move:
    """A transfer the member has to make or receive: who pays whom, how much."""

    payer: str
    payee: str
    amount: Decimal


def my_open_moves(membership: Membership) -> list[Move]:
    """The transfers of the settle-up plan the member takes part in and that are still to be made: those of
    the latest closed month still open, or the plan today's balances give. What someone who leaves (a
    community, or Colocauto) must pay or receive to leave square."""
    state = settle_up(membership)
    if state.period is None:
        return [Move(t.payer, t.payee, t.amount) for t in state.live_plan if t.mine]
    return [
        Move(str(r["transfer"].payer), str(r["transfer"].payee), r["transfer"].amount)
        for r in state.rows
        if r["side"] is not None and r["transfer"].is_open
    ]
