"""Reads of the ledger: balances, settlement periods and transfers, trip charges (a person's statement is in
``statement_selectors``). Every read starts from the viewer's membership: other communities are invisible."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.http import Http404

from bookings.models import Trip
from communities.models import Membership, User
from communities.rules import require_active
from ledger.models import Account, Entry, SettlementEmail, SettlementPeriod, Transaction, Transfer
from ledger.money import ZERO, to_money
from ledger.posting import BALANCE_FIELD

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
    """Transfers of the plans of months before ``before`` that are neither confirmed nor superseded.

    The community's earlier periods are read first (one query on their unique index) and the transfers
    looked up by period: joined in one statement, PostgreSQL chose to scan every transfer of every
    community whenever its statistics lagged behind the table (the first monthly job on a server: 10–17 ms
    a community, growing with the table, ``BENCHMARKS.md``). No earlier period, no second query."""
    earlier = SettlementPeriod.objects.filter(community_id=community_id, month__lt=before).order_by()
    return Transfer.objects.filter(
        period_id__in=list(earlier.values_list("pk", flat=True)),
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


@dataclass(frozen=True)
class TripCharge:
    """What a finished trip cost its driver, as posted: the amount, the hours charged, whether it was undone."""

    transaction: Transaction
    amount: Decimal
    hours_charged: timedelta
    undone: bool


def trip_charge_of(membership: Membership, trip: Trip) -> TripCharge | None:
    """The posting that charged ``trip``'s driver, in the viewer's community (None: nothing was charged, e.g.
    the owner drove, the vehicle's costs are shared at month end, or the trip is not finished). Two queries."""
    require_active(membership)
    record = (
        Transaction.objects.filter(
            community_id=membership.community_id, trip_id=trip.pk, kind=Transaction.Kind.TRIP_CHARGE
        )
        .select_related("reversed_by")
        .first()
    )
    if record is None:
        return None
    driver_line = Entry.objects.filter(transaction=record, account__user_id=trip.driver_id).first()
    if driver_line is None:
        return None
    booking = trip.booking
    ends_at = max(booking.ends_at, trip.ended_at) if trip.ended_at else booking.ends_at
    undone = getattr(record, "reversed_by", None) is not None
    return TripCharge(
        transaction=record, amount=-driver_line.amount, hours_charged=ends_at - booking.starts_at, undone=undone
    )
