"""The monthly job at scale: a constant number of statements per community whatever its size, its
allocations posted together, and its e-mails claimed, sent over one connection and marked sent in batches."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from colocauto.core import outbox
from ledger import closing, emails, services
from ledger.models import SettlementEmail, Transaction
from tests.factories import CommunityFactory, ExpenseFactory, VehicleFactory
from tests.ledger.conftest import add_member, make_trip, mid, shared_car

REFUSED = "550 5.1.1 Recipient address rejected: User unknown"


def busy_community(members: int, month, name: str):
    """``members`` people who all end the month with a balance: a lent car each of the others drove, and a
    co-owned car with fixed costs and a fuel bill, as in the benchmark (bench/ledger_month_close.py)."""
    community = CommunityFactory(name=name)
    people = [add_member(community, f"{name} {index}")[0] for index in range(members)]
    lent = VehicleFactory(community=community, owner=people[0], name="Clio", rate_per_km=Decimal("0.300"))
    for index, driver in enumerate(people[1:], start=1):
        services.trip_charge(trip=make_trip(lent, driver, 10 * index, ended_at=mid(month, community)))
    kangoo = shared_car(community, people[1], fixed="40.00")
    make_trip(kangoo, people[-1], 50, ended_at=mid(month, community))
    ExpenseFactory(vehicle=kangoo, paid_by=people[0], amount=Decimal("60.00"), spent_on=month)
    return community


def statements_to_close_and_mail(community, month) -> int:
    with CaptureQueriesContext(connection) as queries:
        period = closing.month_close(community=community, month=month)
        emails.settlement_emails_send(period=period)
    return len(queries.captured_queries)


def test_closing_and_mailing_a_community_runs_as_many_statements_for_15_members_as_for_3(
    db, last_month, mailoutbox, settings
):
    settings.MAIL_BATCH_SIZE = 50
    small = busy_community(3, last_month, "Small")
    large = busy_community(15, last_month, "Large")

    statements_small = statements_to_close_and_mail(small, last_month)
    statements_large = statements_to_close_and_mail(large, last_month)

    assert len(mailoutbox) == 3 + 15
    assert statements_large == statements_small
    assert statements_large <= 40  # issue 13's budget of database round trips per community


def test_a_close_that_fails_midway_posts_none_of_the_communitys_allocations(db, last_month, monkeypatch):
    community = busy_community(3, last_month, "Half")
    shared_car(community, None, fixed="25.00")  # a second vehicle with fixed costs: its posting fails
    real = closing._fixed_costs_posting

    def fails_for_the_pool_car(vehicle, month):
        if vehicle.owner_id is None:
            raise RuntimeError("the database went away")
        return real(vehicle, month)

    monkeypatch.setattr(closing, "_fixed_costs_posting", fails_for_the_pool_car)

    with pytest.raises(RuntimeError):
        closing.month_close(community=community, month=last_month)

    kinds = [Transaction.Kind.SHARED_COSTS, Transaction.Kind.FIXED_COSTS]
    assert not Transaction.objects.filter(community=community, kind__in=kinds).exists()


def test_emails_beyond_one_batch_still_go_over_one_smtp_connection(mail_server, last_month, settings):
    settings.MAIL_BATCH_SIZE = 4
    community = busy_community(10, last_month, "Crowd")
    period = closing.month_close(community=community, month=last_month)

    assert emails.settlement_emails_send(period=period) == 10

    assert len(mail_server.sink.received) == 10
    assert len(mail_server.sink.sessions) == 1
    assert not SettlementEmail.objects.filter(period=period, sent_at=None).exists()


def test_a_refused_address_in_a_batch_does_not_keep_the_rest_of_that_batch_or_the_next_from_theirs(
    mail_server, last_month, settings
):
    settings.MAIL_BATCH_SIZE = 3
    community = busy_community(7, last_month, "Mixed")
    refused = "mixed.2@example.org"
    mail_server.sink.refuse[refused] = REFUSED
    period = closing.month_close(community=community, month=last_month)

    assert emails.settlement_emails_send(period=period) == 6

    everyone = {f"mixed.{index}@example.org" for index in range(7)}
    assert sorted(mail_server.sink.addresses()) == sorted(everyone - {refused})
    assert SettlementEmail.objects.get(period=period, user__email=refused).error_code == "550"
    assert SettlementEmail.objects.filter(period=period, sent_at__isnull=False).count() == 6
    assert len(mail_server.sink.sessions) == 1  # the refusal did not cost a new connection


def test_running_the_emails_again_sends_nothing_twice_and_claims_nothing(mail_server, last_month, settings):
    settings.MAIL_BATCH_SIZE = 4
    community = busy_community(9, last_month, "Again")
    period = closing.month_close(community=community, month=last_month)
    assert emails.settlement_emails_send(period=period) == 9

    with CaptureQueriesContext(connection) as queries:
        assert emails.settlement_emails_send(period=period) == 0
    assert emails.settlement_emails_send(period=closing.month_close(community=community, month=last_month)) == 0

    assert len(mail_server.sink.received) == 9
    marks = [query["sql"] for query in queries.captured_queries if 'SET "sent_at"' in query["sql"]]
    assert marks == []


def test_emails_a_fast_server_accepted_are_marked_sent_together_after_the_batch(mailoutbox, last_month, monkeypatch):
    community = busy_community(4, last_month, "Fast")
    period = closing.month_close(community=community, month=last_month)
    marked_when_built = spy_on_marks(monkeypatch)

    emails.settlement_emails_send(period=period)

    assert marked_when_built == [0, 0, 0, 0]  # one statement marks the batch
    assert SettlementEmail.objects.filter(period=period, sent_at__isnull=False).count() == 4


def test_with_a_slow_server_each_accepted_email_is_marked_sent_before_the_next_is_sent(
    mailoutbox, last_month, monkeypatch
):
    """The window in which a crash could send a message twice stays about one second long."""
    community = busy_community(4, last_month, "Slow")
    period = closing.month_close(community=community, month=last_month)
    monkeypatch.setattr(outbox, "MARK_SENT_WITHIN", 0.0)  # as if each message took longer than the window
    marked_when_built = spy_on_marks(monkeypatch)

    emails.settlement_emails_send(period=period)

    assert marked_when_built == [0, 1, 2, 3]


def spy_on_marks(monkeypatch) -> list[int]:
    """How many e-mails of the run were marked sent when each message was built (just before it is sent)."""
    seen: list[int] = []
    build = emails._settlement_message

    def counting(period, user, part, pool_holder):
        seen.append(SettlementEmail.objects.filter(period=period, sent_at__isnull=False).count())
        return build(period, user, part, pool_holder)

    monkeypatch.setattr(emails, "_settlement_message", counting)
    return seen


def test_the_close_task_sends_the_communitys_emails_itself_and_queues_nothing(
    db, last_month, mailoutbox, django_capture_on_commit_callbacks
):
    from ledger import tasks
    from ledger.models import SettlementPeriod

    community = busy_community(4, last_month, "One task")
    with django_capture_on_commit_callbacks() as queued:  # nothing runs after commit: no second task
        tasks.month_close_community(community.pk, f"{last_month:%Y-%m}")

    assert queued == []
    assert len(mailoutbox) == 4
    assert SettlementPeriod.objects.get(community=community).emails_sent_at is not None
    tasks.month_close_community(community.pk, f"{last_month:%Y-%m}")  # again: the month is closed and mailed
    assert len(mailoutbox) == 4


def test_a_close_whose_plan_fails_posts_none_of_its_allocations(db, last_month, monkeypatch):
    community = busy_community(3, last_month, "Plan fails")
    posted_before = Transaction.objects.filter(community=community).count()

    def fails(balances):
        raise RuntimeError("the plan could not be computed")

    monkeypatch.setattr(closing, "settlement_plan", fails)
    with pytest.raises(RuntimeError):
        closing.month_close(community=community, month=last_month)

    assert Transaction.objects.filter(community=community).count() == posted_before  # one transaction
    monkeypatch.undo()
    period = closing.month_close(community=community, month=last_month)
    assert period.transfers.exists()
    assert Transaction.objects.filter(community=community).count() > posted_before


def test_a_month_before_a_closed_one_is_refused_before_anything_is_posted(db, last_month):
    from colocauto.core.clock import previous_month
    from colocauto.core.errors import Conflict

    community = busy_community(3, previous_month(last_month), "Late")
    closing.month_close(community=community, month=last_month)
    posted = Transaction.objects.filter(community=community).count()

    with pytest.raises(Conflict) as refusal:
        closing.month_close(community=community, month=previous_month(last_month))

    assert refusal.value.code == "later_month_closed"
    assert Transaction.objects.filter(community=community).count() == posted


@pytest.mark.postgres("synchronous_commit is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_outbox_rows_and_claims_commit_without_waiting_for_the_disk_but_sent_marks_wait(last_month, mailoutbox):
    community = busy_community(3, last_month, "Flush")
    period = closing.month_close(community=community, month=last_month)

    with CaptureQueriesContext(connection) as queries:
        assert emails.settlement_emails_send(period=period) == 3
    transactions, current = [], []
    for query in queries.captured_queries:
        current.append(query["sql"])
        if query["sql"] in ("COMMIT", "ROLLBACK") or current[0] != "BEGIN":  # an autocommitted statement is its own
            transactions.append(current)
            current = []
    unflushed = [each for each in transactions if "SET LOCAL synchronous_commit TO OFF" in each]

    assert len(unflushed) == 1
    assert any(sql.startswith('INSERT INTO "ledger_settlementemail"') for sql in unflushed[0])
    assert any('SET "claimed_at"' in sql for sql in unflushed[0])
    marks = [each for each in transactions if any('SET "sent_at"' in sql for sql in each)]
    assert marks and all(each not in unflushed for each in marks)
    with connection.cursor() as cursor:  # SET LOCAL: the session's setting is untouched
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
