"""Building blocks of every posting: a community's time zone and day, accounts, balanced transactions.

Only the services call these; they never check permissions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import DecimalField, Q
from django.db.models.constants import OnConflict

from colocauto.core.clock import today_in
from communities.models import Community, User
from ledger.models import Account, Entry, Transaction, TransactionNote
from ledger.money import ZERO, to_money
from vehicles.models import Vehicle

BALANCE_FIELD: DecimalField[Decimal, Decimal] = DecimalField(max_digits=20, decimal_places=2)


# --- The community's time zone and day ----------------------------------------------------


def community_tz(community: Community) -> ZoneInfo:
    return ZoneInfo(community.time_zone)


def local_today(community: Community) -> date:
    return today_in(community_tz(community))


# --- Accounts ------------------------------------------------------------------------------


def account_for(community: Community | int, user_id: int | None) -> Account:
    """The member's account (``user_id``) or the pool's (``None``), created on first use."""
    community_id = community if isinstance(community, int) else community.pk
    kind = Account.Kind.MEMBER if user_id is not None else Account.Kind.POOL
    account, _created = Account.objects.get_or_create(community_id=community_id, kind=kind, user_id=user_id)
    return account


# Whose account: a member's user id, or ``None`` for the community's pool.
Holder = int | None


def accounts_of(community: Community, holders: Iterable[Holder]) -> dict[Holder, Account]:
    """The accounts of ``holders`` (user ids, ``None`` for the pool): one query when they all exist, else
    the missing ones are created in one bulk insert (a concurrent creation of the same one is ignored)
    and read again, three in all."""
    wanted = set(holders)
    if not wanted:
        return {}
    members = sorted(holder for holder in wanted if holder is not None)
    which = Q(kind=Account.Kind.MEMBER, user_id__in=members)
    if None in wanted:
        which |= Q(kind=Account.Kind.POOL)

    def existing() -> dict[Holder, Account]:
        return {account.user_id: account for account in Account.objects.filter(which, community_id=community.pk)}

    accounts = existing()
    missing = wanted - accounts.keys()
    if missing:
        # Sorted, so two concurrent closes insert in the same order and one simply waits for the other.
        Account.objects.bulk_create(
            [
                Account(
                    community_id=community.pk,
                    kind=Account.Kind.POOL if holder is None else Account.Kind.MEMBER,
                    user_id=holder,
                )
                for holder in sorted(missing, key=lambda holder: -1 if holder is None else holder)
            ],
            ignore_conflicts=True,
        )
        accounts = existing()  # ignore_conflicts leaves primary keys unset
    return accounts


def creditor_of(vehicle: Vehicle) -> Holder:
    """Who is credited for a vehicle's use: its owner, or the pool (``None``) for a community-owned vehicle."""
    return vehicle.owner_id


def creditor_account(vehicle: Vehicle) -> Account:
    return account_for(vehicle.community_id, creditor_of(vehicle))


def account_balances(community: Community | int) -> dict[int, Decimal]:
    """Every account's balance (account id → amount) in one query: the stored balances, one row per account
    whatever the length of the history."""
    community_id = community if isinstance(community, int) else community.pk
    rows = Account.objects.filter(community_id=community_id).values_list("pk", "balance")
    # SQLite stores decimals as floats: quantizing to the cent restores the exact value.
    return {pk: to_money(balance) for pk, balance in rows}


# --- Posting -------------------------------------------------------------------------------


def post(
    *,
    community: Community,
    kind: str,
    on: date,
    lines: Iterable[tuple[Account, Decimal]],
    author: User | None = None,
    description: str = "",
    note: str = "",
    key: str | None = None,
    **links: Any,
) -> tuple[Transaction, bool]:
    """Record a balanced transaction; returns ``(transaction, created)``.

    ``description`` is machine-made text ("12 km"); a person's words (``note``, an undo's reason) go to an
    erasable ``TransactionNote``, never onto the append-only row.

    Lines on the same account are merged and zero lines dropped. With a ``key``, the posting is
    claimed once per community: a second call (or a concurrent one) returns the first posting.
    """
    for account, _amount in lines:
        if account.community_id != community.pk:
            raise ValueError("An entry must be on an account of the transaction's community.")
    totals = _balanced((account.pk, amount) for account, amount in lines)
    try:
        with transaction.atomic():
            record = Transaction.objects.create(
                community=community,
                kind=kind,
                date=on,
                author=author,
                description=description[:200],
                idempotency_key=key,
                **links,
            )
    except IntegrityError:
        if key is None:
            raise
        return Transaction.objects.get(community=community, idempotency_key=key), False
    Entry.objects.bulk_create(
        Entry(transaction=record, account_id=account_id, amount=amount, date=record.date)
        for account_id, amount in sorted(totals.items())
        if amount != 0
    )
    if note:
        TransactionNote.objects.create(transaction=record, text=note[:200])
    return record, True


def _balanced(lines: Iterable[tuple[Any, Decimal]]) -> dict[Any, Decimal]:
    """Lines merged per account (or holder), in cents; raises unless they sum to zero."""
    totals: dict[Any, Decimal] = defaultdict(Decimal)
    for who, amount in lines:
        totals[who] += to_money(amount)
    if sum(totals.values(), ZERO) != 0:
        raise ValueError(f"Unbalanced transaction: entries sum to {sum(totals.values())}.")
    return totals


@dataclass(frozen=True)
class Posting:
    """A balanced transaction still to record, keyed once per community (what ``post_many`` takes): its
    lines are by holder (user id, ``None`` for the pool), whose accounts are found or created together."""

    kind: str
    on: date
    lines: list[tuple[Holder, Decimal]]
    key: str
    description: str = ""
    links: dict[str, Any] = field(default_factory=dict)


def post_many(*, community: Community, postings: list[Posting]) -> list[Transaction]:
    """Record many keyed transactions in a few statements, whatever their number: the accounts (found or
    created together), one insert of the transactions, one of their entries. Returns those recorded now.

    Lines are merged per holder and zero lines dropped, as ``post`` does. A key already posted (by an
    earlier run, or a concurrent one that committed first) is skipped by the insert itself
    (``ON CONFLICT DO NOTHING``), so nothing is posted twice. Call it inside ``atomic()``: the
    entries must land with their transactions.
    """
    totals = {posting.key: _balanced(posting.lines) for posting in postings}
    if not postings:
        return []
    accounts = accounts_of(community, {holder for lines in totals.values() for holder in lines})
    records = [
        Transaction(
            community=community,
            kind=posting.kind,
            date=posting.on,
            description=posting.description[:200],
            idempotency_key=posting.key,
            **posting.links,
        )
        for posting in postings
    ]
    meta = Transaction._meta
    key_field = meta.get_field("idempotency_key")
    # QuerySet._insert is what bulk_create runs; called directly, it returns the keys of the rows inserted.
    rows = Transaction.objects._insert(  # type: ignore[attr-defined]
        records,
        fields=[f for f in meta.concrete_fields if not f.primary_key],
        returning_fields=[meta.pk, key_field],
        on_conflict=OnConflict.IGNORE,
    )
    # A single row that was already there comes back as None (nothing returned).
    inserted = {row[1]: row[0] for row in rows if row is not None}
    created = []
    for record in records:
        if record.idempotency_key in inserted:
            record.pk = inserted[record.idempotency_key]
            record._state.adding = False
            created.append(record)
    Entry.objects.bulk_create(
        Entry(transaction=record, account=accounts[holder], amount=amount, date=record.date)
        for record in created
        for holder, amount in sorted(totals[str(record.idempotency_key)].items(), key=lambda line: accounts[line[0]].pk)
        if amount != 0
    )
    return created


def posted(community: Community, key: str) -> Transaction | None:
    return Transaction.objects.filter(community=community, idempotency_key=key).first()
