"""Building blocks of every posting: a community's time zone and day, accounts, balanced transactions.

Only the services call these; they never check permissions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import DecimalField

from colocauto.core.clock import today_in
from communities.models import Community, User
from ledger.models import Account, Entry, Transaction
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


def accounts_for(community: Community, user_ids: Iterable[int]) -> dict[int, Account]:
    wanted = set(user_ids)
    accounts = {
        account.user_id: account
        for account in Account.objects.filter(community=community, kind=Account.Kind.MEMBER, user_id__in=wanted)
        if account.user_id is not None
    }
    for user_id in wanted - accounts.keys():
        accounts[user_id] = account_for(community, user_id)
    return accounts


def creditor_account(vehicle: Vehicle) -> Account:
    """Who is credited for a vehicle's use: its owner, or the pool for a community-owned vehicle."""
    return account_for(vehicle.community_id, vehicle.owner_id)


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
    key: str | None = None,
    **links: Any,
) -> tuple[Transaction, bool]:
    """Record a balanced transaction; returns ``(transaction, created)``.

    Lines on the same account are merged and zero lines dropped. With a ``key``, the posting is
    claimed once per community: a second call (or a concurrent one) returns the first posting.
    """
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for account, amount in lines:
        if account.community_id != community.pk:
            raise ValueError("An entry must be on an account of the transaction's community.")
        totals[account.pk] += to_money(amount)
    if sum(totals.values(), ZERO) != 0:
        raise ValueError(f"Unbalanced transaction: entries sum to {sum(totals.values())}.")
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
        Entry(transaction=record, account_id=account_id, amount=amount)
        for account_id, amount in sorted(totals.items())
        if amount != 0
    )
    return record, True


def posted(community: Community, key: str) -> Transaction | None:
    return Transaction.objects.filter(community=community, idempotency_key=key).first()
