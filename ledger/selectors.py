"""Reads of the ledger. Every read starts from the viewer's membership: other communities are invisible."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404

from bookings.models import Trip
from colocauto.core.clock import month_start, next_month
from communities.models import Membership, User
from communities.rules import require_active
from ledger.models import Account, AccountMonth, Entry, SettlementEmail, SettlementPeriod, Transaction, Transfer
from ledger.money import ZERO, to_money
from ledger.posting import BALANCE_FIELD
from vehicles.models import Vehicle

# --- Balances ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Balance:
    user: User | None  # None: the community pool
    amount: Decimal
    account_id: int | None = None
    is_member: bool = True

    @property
    def is_pool(self) -> bool:
        return self.user is None


def balances_for(membership: Membership) -> list[Balance]:
    """Every active member's balance, former members still owed or owing, and the pool's.

    Two queries whatever the length of the history: the community's accounts with their stored balances
    (``Account.balance``, kept by the database as entries are posted), and the active members (those who
    never had an entry show 0). Sorted by name, the pool last; the amounts always sum to zero.
    """
    require_active(membership)
    community_id = membership.community_id
    accounts = Account.objects.filter(community_id=community_id).select_related("user")
    members = {
        member.user_id: member.user
        for member in Membership.objects.filter(
            community_id=community_id, status=Membership.Status.ACTIVE
        ).select_related("user")
    }
    people: list[tuple[User, Balance]] = []
    pool: Balance | None = None
    for account in accounts:
        # SQLite stores decimals as floats: quantizing to the cent restores the exact value.
        amount = to_money(account.balance)
        if account.user is None:  # the pool
            pool = Balance(user=None, amount=amount, account_id=account.pk, is_member=False)
            continue
        is_member = members.pop(account.user.pk, None) is not None
        if is_member or amount:
            people.append(
                (account.user, Balance(user=account.user, amount=amount, account_id=account.pk, is_member=is_member))
            )
    people += [(user, Balance(user=user, amount=ZERO)) for user in members.values()]
    people.sort(key=lambda row: (row[0].name.casefold(), row[0].pk))
    balances = [balance for _user, balance in people]
    if pool is not None and (pool.amount or balances):
        balances.append(pool)
    return balances


def own_row(balances: list[Balance], membership: Membership) -> Decimal:
    """The viewer's amount among ``balances_for``'s rows (0 before their first entry), for a page that shows
    both and reads the balances once."""
    return next((row.amount for row in balances if row.user is not None and row.user.pk == membership.user_id), ZERO)


def _member_balance(community_id: int, user_id: int) -> Decimal:
    stored = (
        Account.objects.filter(community_id=community_id, kind=Account.Kind.MEMBER, user_id=user_id)
        .values_list("balance", flat=True)
        .first()
    )
    # SQLite stores decimals as floats: quantizing to the cent restores the exact value.
    return to_money(stored) if stored is not None else ZERO


def account_balance_before(account_id: int, day: date) -> Decimal:
    """The account's balance brought forward at the start of ``day``: its entries of transactions dated
    before it. Read from the stored month totals (``AccountMonth``, one row per month with entries) plus,
    when ``day`` is not a 1st, the account's entries of that month before ``day``: never the whole history."""
    first = month_start(day)
    total = AccountMonth.objects.filter(account_id=account_id, month__lt=first).aggregate(
        total=Coalesce(Sum("amount", output_field=BALANCE_FIELD), ZERO, output_field=BALANCE_FIELD)
    )["total"]
    if day != first:
        total += Entry.objects.filter(
            account_id=account_id, transaction__date__gte=first, transaction__date__lt=day
        ).aggregate(total=Coalesce(Sum("amount", output_field=BALANCE_FIELD), ZERO, output_field=BALANCE_FIELD))[
            "total"
        ]
    # SQLite sums decimals as floats: quantizing to the cent restores the exact value.
    return to_money(total)


def own_balance(membership: Membership) -> Decimal:
    """The member's own balance in their community (what the others owe them; negative: what they owe), in
    one query (the stored balance): the amount ``balances_for`` shows on their row, 0 before their first entry. The one
    place every page showing "your balance" reads."""
    require_active(membership)
    return _member_balance(membership.community_id, membership.user_id)


def balance_of(membership: Membership, user: User) -> Decimal:
    """Anyone's balance in the viewer's community (balances are open to every member), as ``own_balance``."""
    require_active(membership)
    return _member_balance(membership.community_id, user.pk)


def member_get(membership: Membership, user_id: int) -> User:
    """Someone who is or was a member of the viewer's community (balances are open to every member); 404
    for anyone else."""
    require_active(membership)
    other = (
        Membership.objects.filter(community_id=membership.community_id, user_id=user_id, joined_at__isnull=False)
        .select_related("user")
        .first()
    )
    if other is None:
        raise Http404
    return other.user


def trip_charged(trip: Trip) -> Decimal | None:
    """What the driver was charged for the trip, net of any reversal, in one query; None when nothing was
    posted (a trip not finished, the owner's own trip, a shared-costs month, a free ride)."""
    charged = Entry.objects.filter(
        transaction__trip_id=trip.pk, account__kind=Account.Kind.MEMBER, account__user_id=trip.driver_id
    ).aggregate(total=Sum("amount", output_field=BALANCE_FIELD), lines=Count("pk"))
    if not charged["lines"]:
        return None
    return to_money(-charged["total"])


# --- Statements ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementLine:
    transaction: Transaction
    amount: Decimal
    balance: Decimal

    @property
    def date(self) -> date:
        return self.transaction.date

    @property
    def vehicle(self) -> Vehicle | None:
        return self.transaction.vehicle

    @property
    def label(self) -> str:
        return self.transaction.get_kind_display()

    @property
    def description(self) -> str:
        return self.transaction.description


@dataclass
class Statement:
    user: User
    month: date | None
    opening: Decimal
    lines: list[StatementLine] = field(default_factory=list)

    @property
    def closing(self) -> Decimal:
        return self.lines[-1].balance if self.lines else self.opening


def statement_for(membership: Membership, user: User, month: date | None = None) -> Statement:
    """A person's entries in the viewer's community, oldest first, with the running balance.

    Balances are open to every member, so any member may read anyone's statement — but only of a
    person who is or was a member here (404 otherwise). With ``month``, the statement starts from
    the balance brought forward at the start of that month.
    """
    require_active(membership)
    community_id = membership.community_id
    if not Membership.objects.filter(community_id=community_id, user=user, joined_at__isnull=False).exists():
        raise Http404
    account = Account.objects.filter(community_id=community_id, kind=Account.Kind.MEMBER, user=user).first()
    month = month_start(month) if month else None
    if account is None:
        return Statement(user=user, month=month, opening=ZERO)
    entries = Entry.objects.filter(account=account)
    opening = ZERO
    if month is not None:
        opening = account_balance_before(account.pk, month)
        entries = entries.filter(transaction__date__gte=month, transaction__date__lt=next_month(month))
    statement = Statement(user=user, month=month, opening=opening)
    running = opening
    for entry in entries.select_related("transaction__vehicle", "transaction__reverses").order_by(
        "transaction__date", "transaction_id"
    ):
        running += entry.amount
        statement.lines.append(StatementLine(transaction=entry.transaction, amount=entry.amount, balance=running))
    return statement


# --- Settlement ----------------------------------------------------------------------------


def current_period_for(membership: Membership) -> SettlementPeriod | None:
    """The community's latest settlement period, if any month was closed."""
    require_active(membership)
    return SettlementPeriod.objects.filter(community_id=membership.community_id).order_by("-month").first()


TRANSFER_RELATIONS = (
    "period__community",
    "payer__user",
    "payee__user",
    "confirmed_by",
    "declared_by",
    "transaction__reversed_by",
)


def unsettled_transfers(community_id: int, *, before: date) -> QuerySet[Transfer]:
    """Transfers of the plans of months before ``before`` that are neither confirmed nor superseded."""
    return Transfer.objects.filter(
        period__community_id=community_id,
        period__month__lt=before,
        confirmed_at__isnull=True,
        superseded_at__isnull=True,
    )


def in_flight_transfers(community_id: int, *, before: date) -> QuerySet[Transfer]:
    """Transfers of earlier plans declared paid and waiting for confirmation: later plans count them as paid."""
    return unsettled_transfers(community_id, before=before).filter(declared_paid_at__isnull=False)


def settlement_emails_undelivered(membership: Membership) -> list[SettlementEmail]:
    """For the admins: the e-mails of the latest settle-up plan that could not be delivered (the mail
    server refused the address, or kept failing), so they can tell those people another way."""
    if not membership.is_admin:
        return []
    period = current_period_for(membership)
    if period is None:
        return []
    return list(
        SettlementEmail.objects.filter(period=period, failed_at__isnull=False)
        .select_related("user", "period")
        .order_by("user__display_name", "pk")
    )


def transfers_of(membership: Membership, period: SettlementPeriod) -> list[Transfer]:
    """The period's plan, then the transfers of earlier plans still waiting for confirmation."""
    require_active(membership)
    if period.community_id != membership.community_id:
        raise Http404
    current = Transfer.objects.filter(period=period)
    pending = in_flight_transfers(membership.community_id, before=period.month)
    return list((current | pending).select_related(*TRANSFER_RELATIONS).order_by("-period__month", "position", "pk"))


def transfer_get(membership: Membership, pk: int) -> Transfer:
    require_active(membership)
    transfer = (
        Transfer.objects.filter(pk=pk, period__community_id=membership.community_id)
        .select_related("period", "payer__user", "payee__user")
        .first()
    )
    if transfer is None:
        raise Http404
    return transfer


def transaction_get(membership: Membership, pk: int) -> Transaction:
    require_active(membership)
    record = (
        Transaction.objects.filter(pk=pk, community_id=membership.community_id)
        .select_related("vehicle", "author", "reverses")
        .prefetch_related("entries__account__user")
        .first()
    )
    if record is None:
        raise Http404
    return record
