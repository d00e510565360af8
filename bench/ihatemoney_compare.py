"""Balances side by side with ihatemoney 7.2.1 on the same bills (target: Colocauto at least 200× faster).

Usage (PyPI reachable the first time: ihatemoney is installed into its own virtualenv):

    .venv/bin/python bench/ihatemoney_compare.py --database-url postgres://postgres@127.0.0.1:5432/colocauto_bench_ihm

It draws ``--bills`` bills among ``--members`` people (a payer, an amount, the people it was for, a date
over three years; each amount divides evenly between them, so both applications must find the same
balances to the cent), then replays them identically:

- into ihatemoney, in its own virtualenv (``--venv``, created with ``pip install ihatemoney==7.2.1`` when
  missing) and its own SQLite database, through a worker process that stays up and answers timing requests;
- into Colocauto (the database of ``--database-url``; SQLite works too), one ledger transaction per bill:
  the payer credited, each person it was for debited their share.

Both sets of balances are compared, then timed in turns, round after round (``--runs``), so both see the
same machine load: ihatemoney's ``Project.balance`` and its bill list page (whose sidebar shows the
balances), Colocauto's ``balances_for`` and its balances page, each through its framework's test client.
The medians and their ratios are printed with the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from ledger_setup import database_label, new_users, setup_django

IHATEMONEY = "ihatemoney==7.2.1"
PROJECT = "bench"
FIRST_DAY = date(2023, 1, 1)

# Runs inside ihatemoney's virtualenv: seeds its database from the bills (JSON on stdin's first line),
# then answers "balance" and "page" with the elapsed milliseconds, "balances" with the balances.
WORKER = r"""
import json, sys, time

database, project_id = sys.argv[1], sys.argv[2]


class Config:
    SQLALCHEMY_DATABASE_URI = "sqlite:///" + database
    SECRET_KEY = "bench"
    ACTIVATE_DEMO_PROJECT = False
    SESSION_COOKIE_SECURE = False
    WTF_CSRF_ENABLED = False
    TESTING = False


from ihatemoney.run import create_app, db
from ihatemoney.models import Person, Project

app = create_app(Config)
members, bills = json.loads(sys.stdin.readline())
with app.app_context():
    db.create_all()
    if Project.query.get(project_id) is None:
        project = Project(id=project_id, name=project_id, password="!", contact_email="bench@example.org",
                          default_currency="XXX")
        db.session.add(project)
        people = [Person(name=name, project=project) for name in members]
        db.session.add_all(people)
        db.session.commit()
        ids = [person.id for person in people]
        # Written with sqlite3 directly: the rows ihatemoney's form would write, without its per-bill history
        # (SQLAlchemy-Continuum refuses bulk writes to the owers table).
        import sqlite3
        with sqlite3.connect(database) as raw:
            raw.executemany(
                "INSERT INTO bill (id, payer_id, amount, converted_amount, date, creation_date, what, bill_type,"
                " external_link, original_currency) VALUES (?, ?, ?, ?, ?, ?, ?, 'EXPENSE', '', 'XXX')",
                [(index, ids[payer], cents / 100, cents / 100, day, day, f"Bill {index}")
                 for index, (payer, cents, owed_by, day) in enumerate(bills, start=1)],
            )
            raw.executemany(
                "INSERT INTO billowers (bill_id, person_id) VALUES (?, ?)",
                [(index, ids[ower]) for index, (_p, _c, owed_by, _d) in enumerate(bills, start=1) for ower in owed_by],
            )
    client = app.test_client()
    with client.session_transaction() as session:
        session["projects"] = {project_id: project_id}
    print("ready", flush=True)
    for line in sys.stdin:
        command = line.strip()
        db.session.remove()  # every call reads the database afresh, as a new request does
        if command == "balances":
            project = Project.query.get(project_id)
            names = {person.id: person.name for person in project.members}
            print(json.dumps({names[pk]: round(value, 2) for pk, value in project.balance.items()}), flush=True)
            continue
        started = time.perf_counter()
        if command == "balance":
            Project.query.get(project_id).balance
        elif command == "page":
            response = client.get(f"/{project_id}/")
            assert response.status_code == 200, response.status_code
        else:
            raise SystemExit(f"unknown command {command!r}")
        print((time.perf_counter() - started) * 1000, flush=True)
"""


def draw_bills(members: int, count: int) -> list[tuple[int, int, list[int], str]]:
    """``count`` bills: (payer, amount in cents, the people it was for, ISO date); reproducible."""
    rng = random.Random(2026)
    bills = []
    for _ in range(count):
        owed_by = sorted(rng.sample(range(members), rng.randint(1, members)))
        share = rng.randint(1, 20_000 // len(owed_by) + 1)  # cents each
        day = FIRST_DAY + timedelta(days=rng.randrange(3 * 365))
        bills.append((rng.randrange(members), share * len(owed_by), owed_by, day.isoformat()))
    return bills


def ensure_venv(path: Path) -> Path:
    python = path / "bin" / "python"
    if not python.exists():
        print(f"Creating {path} with {IHATEMONEY} (once)…", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", IHATEMONEY], check=True)
    return python


class Ihatemoney:
    """The worker process in ihatemoney's virtualenv."""

    def __init__(self, python: Path, database: Path, names: list[str], bills) -> None:
        script = Path(tempfile.gettempdir()) / "colocauto_ihatemoney_worker.py"
        script.write_text(WORKER)
        self.process = subprocess.Popen(
            [str(python), str(script), str(database), PROJECT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=tempfile.gettempdir(),
        )
        self._send(json.dumps([names, bills]))
        ready = self.process.stdout.readline().strip()
        assert ready == "ready", f"ihatemoney's worker did not start: {ready!r}"

    def _send(self, line: str) -> None:
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def ask(self, command: str) -> str:
        self._send(command)
        return self.process.stdout.readline().strip()

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


def seed_colocauto(names: list[str], bills) -> int:
    """The Colocauto community holding the bills (seeded once per database): one transaction per bill."""
    from django.db import transaction
    from django.utils import timezone

    from communities.models import Community, Membership
    from ledger.models import Account, Entry, Transaction

    community_name = f"Bench ihatemoney — {len(names)} members × {len(bills)} bills"
    community = Community.objects.filter(name=community_name).first()
    if community is not None:
        return community.pk
    started = time.perf_counter()
    with transaction.atomic():
        community = Community.objects.create(name=community_name, municipality="Crest", postal_code="26400")
        users = new_users(f"ihm{community.pk}", len(names))
        for user, name in zip(users, names, strict=True):
            user.display_name = name
        type(users[0]).objects.bulk_update(users, ["display_name"])
        joined = timezone.now() - timedelta(days=4 * 365)
        Membership.objects.bulk_create(
            Membership(community=community, user=user, status="active", joined_at=joined) for user in users
        )
        accounts = Account.objects.bulk_create(Account(community=community, user=user) for user in users)
        for batch_start in range(0, len(bills), 5_000):
            batch = bills[batch_start : batch_start + 5_000]
            records = Transaction.objects.bulk_create(
                Transaction(community=community, kind="expense", date=date.fromisoformat(day))
                for _payer, _cents, _owed_by, day in batch
            )
            entries = []
            for record, (payer, cents, owed_by, _day) in zip(records, batch, strict=True):
                amounts = dict.fromkeys(owed_by, Decimal(-cents // len(owed_by)) / 100)
                amounts[payer] = amounts.get(payer, Decimal(0)) + Decimal(cents) / 100
                entries += [
                    Entry(transaction=record, account=accounts[person], amount=amount)
                    for person, amount in amounts.items()
                    if amount
                ]
            Entry.objects.bulk_create(entries, batch_size=10_000)
    print(f"Seeded Colocauto in {time.perf_counter() - started:.1f} s.", flush=True)
    return community.pk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="Colocauto's database (PostgreSQL or sqlite:///…)")
    parser.add_argument("--venv", default=str(Path(tempfile.gettempdir()) / "ihatemoney-7.2.1"))
    parser.add_argument("--ihatemoney-db", default=None, help="ihatemoney's SQLite file (default: next to --venv)")
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--bills", type=int, default=40_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    python = ensure_venv(Path(args.venv))
    ihm_db = Path(args.ihatemoney_db or f"{args.venv}-{args.members}x{args.bills}.sqlite3")
    names = [f"Person {index:02d}" for index in range(args.members)]
    bills = draw_bills(args.members, args.bills)

    setup_django(args.database_url)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from communities.models import Membership
    from ledger.selectors import balances_for

    community_id = seed_colocauto(names, bills)
    started = time.perf_counter()
    ihatemoney = Ihatemoney(python, ihm_db, names, bills)
    print(f"ihatemoney ready in {time.perf_counter() - started:.1f} s (seeded on first use).", flush=True)

    membership = Membership.objects.filter(community_id=community_id).select_related("community", "user").first()
    ours = {str(row.user): row.amount for row in balances_for(membership) if row.user is not None}
    theirs = {
        name: Decimal(str(value)).quantize(Decimal("0.01"))
        for name, value in json.loads(ihatemoney.ask("balances")).items()
    }
    assert ours == theirs, f"different balances: {ours} != {theirs}"

    client = Client()
    client.force_login(membership.user)
    url = reverse("ledger_balances", args=[community_id])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    page_queries = len(queries)

    measures = {
        "ihatemoney `Project.balance`": lambda: float(ihatemoney.ask("balance")),
        "ihatemoney bill list page (balances sidebar)": lambda: float(ihatemoney.ask("page")),
        "Colocauto `balances_for`": lambda: _timed(lambda: balances_for(membership)),
        "Colocauto balances page": lambda: _timed(lambda: client.get(url)),
    }
    load_before = os.getloadavg()
    times: dict[str, list[float]] = {name: [] for name in measures}
    for run in range(args.runs + 1):
        for name, measure in measures.items():
            elapsed = measure()
            if run:  # the first round warms up
                times[name].append(elapsed)
    load_after = os.getloadavg()
    ihatemoney.close()

    medians = {name: statistics.median(values) for name, values in times.items()}
    print(
        f"\n{args.members} members × {args.bills:,} bills, identical balances in both. Colocauto on "
        f"{database_label()} ({page_queries} queries for the page), ihatemoney 7.2.1 on SQLite; medians of "
        f"{args.runs} interleaved rounds; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after.\n"
    )
    print("| measure | median |")
    print("| --- | ---: |")
    for name, value in medians.items():
        print(f"| {name} | {value:.2f} ms |")
    computation = medians["ihatemoney `Project.balance`"] / medians["Colocauto `balances_for`"]
    page = medians["ihatemoney bill list page (balances sidebar)"] / medians["Colocauto balances page"]
    print(f"\nColocauto is {computation:,.0f}× faster on the balances computation and {page:,.0f}× on the page.")


def _timed(function) -> float:
    started = time.perf_counter()
    function()
    return (time.perf_counter() - started) * 1000


if __name__ == "__main__":
    main()
