"""The proof that the stored balances are right: each equals the sum of its entries.

``Account.balance`` and ``AccountMonth.amount`` are kept by a database trigger as entries are inserted
(migration 0011); every balance the application shows reads them. ``stored_balance_mismatches`` re-sums
a community's entries and names every stored figure that differs; ``stored_balances_verify`` (run daily
by beat, community after community so memory stays bounded,
``ledger.tasks.stored_balances_verify``) logs each one as an error, which is what alerts the operators.
A mismatch means something wrote around the trigger (a restore, a trigger dropped by hand): the entries
are the truth, and the stored figures are rebuilt from them as migration 0011 did.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import TruncMonth

from communities.models import Community
from ledger.models import Account, AccountMonth, Entry
from ledger.money import ZERO, to_money
from ledger.posting import BALANCE_FIELD

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mismatch:
    account_id: int
    month: date | None  # None: the account's running balance
    stored: Decimal | None  # None: no month row although the month has entries
    summed: Decimal


def stored_balance_mismatches(community_id: int) -> list[Mismatch]:
    """Every stored figure of the community that differs from the sum of its entries, in three queries.

    Each account's balance against all its entries, and its month rows against its entries grouped by
    month, both ways: a wrong row, a row for a month without entries, a month with entries but no row.
    """
    accounts = Account.objects.filter(community_id=community_id)
    entries = Entry.objects.filter(account__community_id=community_id).order_by()
    # SQLite stores and sums decimals as floats: every figure is compared to the cent.
    summed_by_month = {
        (account_id, _as_date(month)): to_money(total)
        for account_id, month, total in entries.annotate(month=TruncMonth("transaction__date"))
        .values("account_id", "month")
        .annotate(total=Sum("amount", output_field=BALANCE_FIELD))
        .values_list("account_id", "month", "total")
    }
    stored_by_month = {
        (account_id, month): to_money(amount)
        for account_id, month, amount in AccountMonth.objects.filter(account__community_id=community_id).values_list(
            "account_id", "month", "amount"
        )
    }
    summed_balances: dict[int, Decimal] = {}
    for (account_id, _month), total in summed_by_month.items():
        summed_balances[account_id] = summed_balances.get(account_id, ZERO) + total
    mismatches = [
        Mismatch(account_id, None, to_money(stored), summed_balances.get(account_id, ZERO))
        for account_id, stored in accounts.values_list("pk", "balance")
        if to_money(stored) != summed_balances.get(account_id, ZERO)
    ]
    for key in sorted(summed_by_month.keys() | stored_by_month.keys()):
        stored, summed = stored_by_month.get(key), summed_by_month.get(key, ZERO)
        # A missing row reads as zero: a month whose entries net to zero needs none.
        if (stored if stored is not None else ZERO) != summed:
            mismatches.append(Mismatch(key[0], key[1], stored, summed))
    return mismatches


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def stored_balances_verify() -> int:
    """Check every community's stored figures; log each mismatch as an error (the alert). Returns how many."""
    count = 0
    for community_id in Community.objects.order_by("pk").values_list("pk", flat=True).iterator():
        for mismatch in stored_balance_mismatches(community_id):
            count += 1
            logger.error(
                "Stored ledger total differs from its entries: community %s, account %s, %s: stored %s, "
                "entries sum to %s.",
                community_id,
                mismatch.account_id,
                f"{mismatch.month:%Y-%m}" if mismatch.month else "balance",
                mismatch.stored,
                mismatch.summed,
            )
    return count
