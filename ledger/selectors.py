"""Reads of the ledger. Every read starts from the viewer's membership: other communities are invisible."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404

from bookings.models import Trip
from colocauto.core.clock import month_start, next_month
from colocauto.core.parsers import in_year_range, parse_id
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
    before it. One query, whatever the history: the stored month totals (``AccountMonth``) of the months
    before ``day``'s, plus the account's entries of that month before ``day`` (a range of the
    ``(account, date)`` index). The one place statements read an opening balance."""
    first = month_start(day)

    def total(rows: QuerySet[Any]) -> Coalesce:
        summed = rows.values("account_id").annotate(total=Sum("amount", output_field=BALANCE_FIELD)).values("total")
        return Coalesce(Subquery(summed, output_field=BALANCE_FIELD), ZERO, output_field=BALANCE_FIELD)

    row = (
        Account.objects.filter(pk=account_id)
        .annotate(
            before_month=total(AccountMonth.objects.filter(account_id=account_id, month__lt=first)),
            within_month=total(Entry.objects.filter(account_id=account_id, date__gte=first, date__lt=day)),
        )
        .values_list("before_month", "within_month")
        .first()
    )
    # SQLite sums decimals as floats: quantizing to the cent restores the exact value.
    return to_money(row[0] + row[1]) if row else ZERO


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

# Lines on one page of "My account" (a month, or a page of the whole history): the page stays under about
# 100 KiB of HTML whatever the history. Exports read the lines in chunks of EXPORT_CHUNK.
STATEMENT_PAGE_SIZE = 50
EXPORT_CHUNK = 500


@dataclass(frozen=True, order=True)
class LinePosition:
    """Where a line stands in an account's statement: lines are ordered by (date, transaction id), and an
    account has at most one entry per transaction, so a position names exactly one line."""

    date: date
    transaction_id: int

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}.{self.transaction_id}"

    @classmethod
    def parse(cls, text: str | None) -> "LinePosition | None":
        """``2026-10-03.1234`` as a position; None for anything else."""
        day, _dot, number = (text or "").partition(".")
        transaction_id = parse_id(number)
        if transaction_id is None:
            return None
        try:
            parsed = date.fromisoformat(day)
        except ValueError:
            return None
        return cls(parsed, transaction_id) if in_year_range(parsed) else None


def balance_before_line(account_id: int, position: LinePosition) -> Decimal:
    """The balance just before the line at ``position``: the balance at the start of its day, plus the
    account's lines of that day that come before it (same date, smaller transaction id)."""
    same_day = Entry.objects.filter(
        account_id=account_id, date=position.date, transaction_id__lt=position.transaction_id
    ).aggregate(total=Coalesce(Sum("amount", output_field=BALANCE_FIELD), ZERO, output_field=BALANCE_FIELD))["total"]
    return account_balance_before(account_id, position.date) + to_money(same_day)


@dataclass(frozen=True)
class StatementLine:
    transaction: Transaction
    amount: Decimal
    balance: Decimal

    @property
    def date(self) -> date:
        return self.transaction.date

    @property
    def position(self) -> LinePosition:
        return LinePosition(self.transaction.date, self.transaction.pk)

    @property
    def vehicle(self) -> Vehicle | None:
        return self.transaction.vehicle

    @property
    def label(self) -> str:
        # One translation: get_kind_display() hashes every (lazy) choice on each call, a CSV row's main cost.
        return str(Transaction.Kind(self.transaction.kind).label)

    @property
    def description(self) -> str:
        """A person's words beside the line (an undo's reason), else the machine-made description."""
        return self.transaction.note_text or self.transaction.description


@dataclass
class Statement:
    """A window of a person's statement: a month, a year or all time (``since`` / ``until`` None), or one page
    of it. ``opening`` is the balance before its first line (at ``since`` when the page starts the window).
    ``earlier`` / ``later``: the positions to page from when the window has lines before / after these."""

    user: User
    month: date | None
    opening: Decimal
    lines: list[StatementLine] = field(default_factory=list)
    since: date | None = None
    until: date | None = None
    account_id: int | None = None
    earlier: LinePosition | None = None
    later: LinePosition | None = None

    @property
    def closing(self) -> Decimal:
        return self.lines[-1].balance if self.lines else self.opening

    @property
    def year(self) -> int | None:
        """The year, when the window is one calendar year."""
        since = self.since
        if since is not None and (since.month, since.day) == (1, 1) and self.until == date(since.year + 1, 1, 1):
            return since.year
        return None

    @property
    def starts_window(self) -> bool:
        """The page starts at ``since``: its opening is the balance brought forward at the window's start."""
        return self.since is not None and self.earlier is None


def _statement_account(membership: Membership, user: User) -> Account | None:
    """The person's member account in the viewer's community (None before their first line); 404 for
    anyone who never was a member here."""
    require_active(membership)
    community_id = membership.community_id
    if not Membership.objects.filter(community_id=community_id, user=user, joined_at__isnull=False).exists():
        raise Http404
    return Account.objects.filter(community_id=community_id, kind=Account.Kind.MEMBER, user=user).first()


def _window(account_id: int, since: date | None, until: date | None) -> QuerySet[Entry]:
    entries = Entry.objects.filter(account_id=account_id)
    if since is not None:
        entries = entries.filter(date__gte=since)
    if until is not None:
        entries = entries.filter(date__lt=until)
    # The redundant bound on ``date`` keeps the keyset condition a range of the (account, date) index.
    return entries.select_related("transaction__vehicle", "transaction__reverses")


def _after(entries: QuerySet[Entry], position: LinePosition) -> QuerySet[Entry]:
    return entries.filter(
        Q(date__gt=position.date) | Q(date=position.date, transaction_id__gt=position.transaction_id),
        date__gte=position.date,
    )


def _before(entries: QuerySet[Entry], position: LinePosition) -> QuerySet[Entry]:
    return entries.filter(
        Q(date__lt=position.date) | Q(date=position.date, transaction_id__lt=position.transaction_id),
        date__lte=position.date,
    )


FORWARD = ("date", "transaction_id")
BACKWARD = ("-date", "-transaction_id")


def _lines(entries: list[Entry], opening: Decimal) -> list[StatementLine]:
    lines, running = [], opening
    for entry in entries:
        running += entry.amount
        lines.append(StatementLine(transaction=entry.transaction, amount=entry.amount, balance=running))
    return lines


def statement_page(
    membership: Membership,
    user: User,
    *,
    since: date | None = None,
    until: date | None = None,
    after: LinePosition | None = None,
    before: LinePosition | None = None,
    size: int | None = None,
) -> Statement:
    """One page of a person's statement in the viewer's community: at most ``size`` lines of the window
    [``since``, ``until``) (None: unbounded), oldest first, with the running balance.

    The page is the window's first lines when it has a start, its latest lines for all time, or the lines
    just ``after`` / ``before`` a position (keyset paging: a page costs the same on the first or the
    thousandth). Balances are open to every member; a person who never was a member here is a 404.
    A fixed number of queries: membership, account, the page's lines, and its opening balance."""
    size = size or STATEMENT_PAGE_SIZE
    account = _statement_account(membership, user)
    month = since if since and until == next_month(since) and since.day == 1 else None
    statement = Statement(user=user, month=month, opening=ZERO, since=since, until=until)
    if account is None:
        return statement
    statement.account_id = account.pk
    entries = _window(account.pk, since, until)
    forward = before is None and (after is not None or since is not None)
    if after is not None:
        entries = _after(entries, after)
    elif before is not None:
        entries = _before(entries, before)
    rows = list(entries.order_by(*(FORWARD if forward else BACKWARD))[: size + 1])
    more = len(rows) > size
    rows = rows[:size] if forward else rows[:size][::-1]
    if rows and (after is not None or before is not None or since is None):
        first = LinePosition(rows[0].date, rows[0].transaction_id)
        statement.opening = balance_before_line(account.pk, first)
    elif since is not None:
        statement.opening = account_balance_before(account.pk, since)
    statement.lines = _lines(rows, statement.opening)
    if statement.lines:
        has_earlier = (not forward and more) or after is not None
        has_later = (forward and more) or before is not None
        statement.earlier = statement.lines[0].position if has_earlier else None
        statement.later = statement.lines[-1].position if has_later else None
    return statement


def statement_for(membership: Membership, user: User, month: date | None = None) -> Statement:
    """A person's whole statement in the viewer's community (all time, or one month from the balance
    brought forward at its start), oldest first, with the running balance. Its lines are all loaded: for
    pages, ``statement_page``; for exports of any length, ``statement_chunks``."""
    month = month_start(month) if month else None
    until = next_month(month) if month else None
    statement, chunks = statement_chunks(membership, user, since=month, until=until)
    statement.lines = [line for chunk in chunks for line in chunk]
    return statement


def statement_chunks(
    membership: Membership,
    user: User,
    *,
    since: date | None = None,
    until: date | None = None,
    chunk: int | None = None,
) -> tuple[Statement, Iterator[list[StatementLine]]]:
    """A window of a person's statement for an export: the statement (whose, the window, the opening
    balance; no lines), and its lines oldest first in lists of at most ``chunk``, each read when asked
    for (keyset paging), so memory stays bounded whatever the history. Permissions are checked at once."""
    chunk = chunk or EXPORT_CHUNK
    account = _statement_account(membership, user)
    month = since if since and until == next_month(since) and since.day == 1 else None
    statement = Statement(user=user, month=month, opening=ZERO, since=since, until=until)
    if account is None:
        return statement, iter(())
    statement.account_id = account.pk
    if since is not None:
        statement.opening = account_balance_before(account.pk, since)
    window = _window(account.pk, since, until)

    def read() -> Iterator[list[StatementLine]]:
        running, position = statement.opening, None
        while True:
            entries = window if position is None else _after(window, position)
            rows = list(entries.order_by(*FORWARD)[:chunk])
            if not rows:
                return
            lines = _lines(rows, running)
            yield lines
            running, position = lines[-1].balance, lines[-1].position
            if len(rows) < chunk:
                return

    return statement, read()


def statement_first_day(account_id: int | None) -> date | None:
    """The date of the account's first line (one row of the ``(account, date)`` index), None without any."""
    if account_id is None:
        return None
    return Entry.objects.filter(account_id=account_id).order_by("date").values_list("date", flat=True).first()


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
