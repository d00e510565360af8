"""Reads of a person's statement in a community: its lines (a page, a month, a year or all time, with the
running balance), their positions for keyset paging, the opening balance brought forward, and exports read in
chunks. Every read starts from the viewer's membership: other communities are invisible; balances are open
to every member."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404

from colocauto.core.clock import month_start, next_month
from colocauto.core.parsers import in_year_range, parse_id
from communities.models import Membership, User
from communities.rules import require_active
from ledger.models import Account, AccountMonth, Entry, Transaction
from ledger.money import ZERO, to_money
from ledger.posting import BALANCE_FIELD
from vehicles.models import Vehicle

# Lines on one page of "My account" (a month, or a page of the whole history): the page stays under about
# 100 KiB of HTML whatever the history. Exports read the lines in chunks of EXPORT_CHUNK.
STATEMENT_PAGE_SIZE = 50
EXPORT_CHUNK = 500


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


def _without_lines(membership: Membership, user: User, since: date | None, until: date | None) -> Statement:
    """The window [``since``, ``until``) of the person's statement before its lines are read: whose, the
    month when the window is one, and their account (none before their first line). Permissions are
    checked here."""
    account = _statement_account(membership, user)
    month = since if since and until == next_month(since) and since.day == 1 else None
    account_id = account.pk if account is not None else None
    return Statement(user=user, month=month, opening=ZERO, since=since, until=until, account_id=account_id)


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
    statement = _without_lines(membership, user, since, until)
    account_id = statement.account_id
    if account_id is None:
        return statement
    entries = _window(account_id, since, until)
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
        statement.opening = balance_before_line(account_id, first)
    elif since is not None:
        statement.opening = account_balance_before(account_id, since)
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
    statement = _without_lines(membership, user, since, until)
    if statement.account_id is None:
        return statement, iter(())
    if since is not None:
        statement.opening = account_balance_before(statement.account_id, since)
    window = _window(statement.account_id, since, until)

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
