"""The settle-up plan: the fewest transfers that bring every balance exactly to zero.

Any plan that settles a group of ``m`` balances with transfers only inside the group needs at
least ``m - 1`` transfers, and the groups a plan connects must each sum to zero. So the minimum
is ``n - g`` where ``g`` is the largest number of disjoint zero-sum groups the ``n`` non-zero
balances can be split into; within a group, paying the largest debt to the largest credit
zeroes at least one balance per transfer, hence ``m - 1`` transfers.

Up to ``EXACT_LIMIT`` balances, ``g`` is found exactly. The search works on sets of subsets
stored as big integers (bit ``m`` stands for the subset whose members are the bits of ``m``),
so each step over all 2**n subsets is one integer operation:

- ``Z``: the zero-sum subsets (sums from two halves, meet in the middle);
- ``A_k``: the subsets that contain a chain of ``k`` nested zero-sum subsets, built level by
  level as the supersets of ``G_k = Z ∩ (strict supersets of A_{k-1})``;
- ``g`` is the largest ``k`` with the full set in ``A_k``; walking the chain back down gives
  nested zero-sum sets whose differences are the groups.

Above the limit: pairs of exactly opposite balances first, then largest-to-largest, which never
takes more than ``n - 1`` transfers. Ties are broken by amount, then key order, so the same
balances always give the same plan, whatever the order of the mapping.
"""

from collections.abc import Hashable, Mapping
from decimal import Decimal
from typing import TypeVar

from ledger.money import from_cents, stable_order, to_cents

EXACT_LIMIT = 20

K = TypeVar("K", bound=Hashable)
Plan = list[tuple[K, K, Decimal]]


def settlement_plan(balances: Mapping[K, Decimal]) -> Plan[K]:
    """Transfers ``(payer, payee, amount)`` that zero every balance; payers are the negative balances."""
    cents = {key: to_cents(amount) for key, amount in balances.items()}
    if sum(cents.values()) != 0:
        raise ValueError("Balances must sum to exactly zero.")
    keys = [key for key in stable_order(cents) if cents[key] != 0]
    values = [cents[key] for key in keys]
    if not keys:
        return []
    if len(keys) <= EXACT_LIMIT:
        groups = _zero_sum_groups(values)
    else:
        groups, rest = _opposite_pairs(values)
        groups.append(rest)
    plan: list[tuple[K, K, Decimal]] = []
    for group in groups:
        for payer, payee, amount in _settle_group([(values[i], i) for i in group]):
            plan.append((keys[payer], keys[payee], from_cents(amount)))
    return plan


def _settle_group(members: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """Largest debt pays largest credit until all are zero: at most ``len(members) - 1`` transfers."""
    debts = sorted(((-value, index) for value, index in members if value < 0), key=lambda item: (-item[0], item[1]))
    credits = sorted(((value, index) for value, index in members if value > 0), key=lambda item: (-item[0], item[1]))
    transfers = []
    while debts and credits:
        debt, payer = debts[0]
        credit, payee = credits[0]
        amount = min(debt, credit)
        transfers.append((payer, payee, amount))
        debts = _replace_head(debts, debt - amount, payer)
        credits = _replace_head(credits, credit - amount, payee)
    return transfers


def _replace_head(items: list[tuple[int, int]], remaining: int, index: int) -> list[tuple[int, int]]:
    items = items[1:]
    if remaining:
        items.append((remaining, index))
        items.sort(key=lambda item: (-item[0], item[1]))
    return items


def _opposite_pairs(values: list[int]) -> tuple[list[list[int]], list[int]]:
    """Pair each balance with an exactly opposite one (each pair is one transfer); return the rest."""
    waiting: dict[int, list[int]] = {}
    pairs: list[list[int]] = []
    for index, value in enumerate(values):
        partners = waiting.get(-value)
        if partners:
            pairs.append([partners.pop(0), index])
        else:
            waiting.setdefault(value, []).append(index)
    rest = sorted(index for indexes in waiting.values() for index in indexes)
    return pairs, rest


def _zero_sum_groups(values: list[int]) -> list[list[int]]:
    """The most disjoint zero-sum groups covering every index (exact; ``len(values) <= EXACT_LIMIT``)."""
    n = len(values)
    full = (1 << n) - 1
    size = 1 << n
    zero = _zero_sum_subsets(values)
    keep_out = [_without_bit_sets(bit, n) for bit in range(n)]

    def supersets(family: int) -> int:
        for bit in range(n):
            family |= (family & keep_out[bit]) << (1 << bit)
        return family

    def strict_supersets(family: int) -> int:
        result = 0
        for bit in range(n):
            result |= (family & keep_out[bit]) << (1 << bit)
        return result

    everything = (1 << size) - 1
    reached = everything  # A_0: every subset holds an empty chain
    generators: list[int] = [1]  # G_0: the empty set
    while True:
        next_generators = zero & strict_supersets(reached)
        next_reached = supersets(next_generators)
        if not (next_reached >> full) & 1:
            break
        generators.append(next_generators)
        reached = next_reached

    # Walk down: from the full set, a strictly smaller generator of the level below.
    chain = [full]
    current = full
    for level in range(len(generators) - 2, 0, -1):
        candidates = generators[level] & _subsets_of(current) & ~(1 << current)
        current = (candidates & -candidates).bit_length() - 1
        chain.append(current)
    chain.append(0)
    groups = []
    for outer, inner in zip(chain, chain[1:], strict=False):
        difference = outer & ~inner
        groups.append([index for index in range(n) if difference >> index & 1])
    groups.reverse()
    return groups


def _zero_sum_subsets(values: list[int]) -> int:
    """The family of subsets summing to zero, as a big integer (bit m ↔ subset m)."""
    n = len(values)
    low_count = n // 2
    high_count = n - low_count
    low_sums = _subset_sums(values[:low_count])
    high_sums = _subset_sums(values[low_count:])
    block_bits = 1 << low_count
    # For each sum, the bit pattern (one block) of the low halves that reach it.
    patterns: dict[int, int] = {}
    for low, total in enumerate(low_sums):
        patterns[total] = patterns.get(total, 0) | (1 << low)
    block_bytes = max(block_bits // 8, 1)
    if block_bits >= 8:
        encoded = {total: pattern.to_bytes(block_bytes, "little") for total, pattern in patterns.items()}
        empty = bytes(block_bytes)
        data = b"".join(encoded.get(-high_sums[high], empty) for high in range(1 << high_count))
        return int.from_bytes(data, "little")
    family = 0
    for high in range(1 << high_count):
        family |= patterns.get(-high_sums[high], 0) << (high * block_bits)
    return family


def _subset_sums(values: list[int]) -> list[int]:
    sums = [0] * (1 << len(values))
    for mask in range(1, len(sums)):
        lowest = mask & -mask
        sums[mask] = sums[mask ^ lowest] + values[lowest.bit_length() - 1]
    return sums


def _without_bit_sets(bit: int, n: int) -> int:
    """The family of subsets of ``range(n)`` that do not contain ``bit``."""
    period = 1 << (bit + 1)
    family = (1 << (1 << bit)) - 1
    length = period
    while length < (1 << n):
        family |= family << length
        length *= 2
    return family


def _subsets_of(mask: int) -> int:
    """The family of all subsets of ``mask``."""
    family = 1
    for bit in range(mask.bit_length()):
        if mask >> bit & 1:
            family |= family << (1 << bit)
    return family
