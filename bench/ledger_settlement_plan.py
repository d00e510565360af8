"""Benchmark the settle-up plan (``ledger.settlement.settlement_plan``) for 20 and 200 members.

Usage (pure computation, no database):

    .venv/bin/python bench/ledger_settlement_plan.py

Balances are random whole cents summing to zero, every one non-zero (the hardest case: all
members take part). Up to 20 non-zero balances the plan is the exact minimum (zero-sum groups);
above that, opposite pairs then largest-to-largest. Also checks each plan settles every balance.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ledger.money import from_cents  # noqa: E402
from ledger.settlement import settlement_plan  # noqa: E402


def random_balances(members: int, rng: random.Random, *, paired: bool = False) -> dict[int, Decimal]:
    """``members`` non-zero balances summing to zero; with ``paired``, half of them exactly offset others
    (as when a month is mostly one-to-one trips), which lets the exact search find many groups."""
    while True:
        if paired:
            half = [rng.randrange(100, 40_000) for _ in range(members // 2)]
            cents = half + [-value for value in half]
            rng.shuffle(cents)
        else:
            cents = [rng.randrange(-40_000, 40_000) for _ in range(members - 1)]
            cents.append(-sum(cents))
        if all(cents):
            return {index: from_cents(value) for index, value in enumerate(cents)}


def check(balances: dict[int, Decimal], plan) -> None:
    left = dict(balances)
    for payer, payee, amount in plan:
        left[payer] += amount
        left[payee] -= amount
    assert all(value == 0 for value in left.values()), "the plan must settle every balance"


def measure(members: int, runs: int, *, paired: bool = False) -> tuple[float, float, float]:
    rng = random.Random(members * 7 + paired)
    times, lengths = [], []
    for _ in range(runs):
        balances = random_balances(members, rng, paired=paired)
        started = time.perf_counter()
        plan = settlement_plan(balances)
        times.append((time.perf_counter() - started) * 1000)
        check(balances, plan)
        lengths.append(len(plan))
    return statistics.median(times), max(times), statistics.mean(lengths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    print("| members (all non-zero) | balances | median | slowest | transfers (mean) |")
    print("| ---: | --- | ---: | ---: | ---: |")
    for members, paired in ((8, False), (20, False), (20, True), (200, False), (200, True)):
        median, slowest, length = measure(members, args.runs, paired=paired)
        kind = "half offset in pairs" if paired else "random"
        print(f"| {members} | {kind} | {median:.1f} ms | {slowest:.1f} ms | {length:.1f} |")


if __name__ == "__main__":
    main()
