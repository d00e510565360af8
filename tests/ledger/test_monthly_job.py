from datetime import timedelta
from decimal import Decimal
from io import StringIO
from smtplib import SMTPServerDisconnected
from unittest import mock

import pytest
from celery.schedules import crontab
from django.core.management import CommandError, call_command
from django.utils import formats, timezone, translation

from colocauto.celery import app
from colocauto.core.outbox import MailDeferred
from communities.models import Community
from ledger import closing, emails, services, tasks
from ledger.closing import communities_to_close
from ledger.epc import epc_payload
from ledger.models import Entry, SettlementEmail, SettlementPeriod, Transaction
from ledger.posting import local_today
from tests.factories import CommunityFactory
from tests.ledger.conftest import add_member, make_trip


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a task as a worker would, with the tasks it queues after commit."""

    def run(task, *args):
        with django_capture_on_commit_callbacks(execute=True):
            return task.delay(*args).get()

    return run


@pytest.fixture
def closed_month_activity(community, trio, mid_last_month, last_month):
    """The worked example, last month: C owes B 10.00 and A 5.00. Every community is a year old."""
    Community.objects.update(created_at=timezone.now() - timedelta(days=365))
    car = trio["car"]
    services.trip_charge(trip=make_trip(car, trio["b"], 100, ended_at=mid_last_month))
    services.trip_charge(trip=make_trip(car, trio["c"], 50, ended_at=mid_last_month + timedelta(hours=4)))
    services.expense_record(
        membership=trio["b_membership"], vehicle=car, category="fuel", amount=Decimal("40"), spent_on=last_month
    )
    return trio


def test_the_monthly_job_mails_each_person_once_even_when_run_twice(
    run, community, closed_month_activity, last_month, mailoutbox
):
    trio = closed_month_activity
    zero = add_member(community, "Zoe")[0]  # balance zero: no e-mail

    assert run(tasks.month_close_all, f"{last_month:%Y-%m}") == 1
    postings = (Transaction.objects.count(), Entry.objects.count())
    run(tasks.month_close_all, f"{last_month:%Y-%m}")
    run(tasks.month_close_community, community.pk, f"{last_month:%Y-%m}")

    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        [trio["a"].email, trio["b"].email, trio["c"].email]
    )
    assert zero.email not in [message.to[0] for message in mailoutbox]
    assert (Transaction.objects.count(), Entry.objects.count()) == postings
    assert SettlementPeriod.objects.get().emails_sent_at is not None
    assert list(communities_to_close(last_month)) == []


def test_the_email_tells_whom_to_pay_in_the_recipients_language(
    run, community, closed_month_activity, last_month, mailoutbox
):
    trio = closed_month_activity
    trio["c"].language = "en"
    trio["b"].iban = "FR76 3000 6000 0112 3456 7890 189"
    trio["c"].save()
    trio["b"].save()

    run(tasks.month_close_community, community.pk, f"{last_month:%Y-%m}")

    to_chloe = next(message for message in mailoutbox if message.to == [trio["c"].email])
    assert "settle up" in to_chloe.subject
    assert "You owe €15.00 in all." in to_chloe.body
    assert "€10.00 to Bruno" in to_chloe.body
    assert "€5.00 to Anne" in to_chloe.body
    assert "FR76 3000 6000 0112 3456 7890 189" in to_chloe.body
    assert f"/c/{community.pk}/ledger/settle/" in to_chloe.body
    to_bruno = next(message for message in mailoutbox if message.to == [trio["b"].email])
    assert "10,00" in to_bruno.body  # French number format
    assert "Chloe" in to_bruno.body


def test_people_who_turned_off_settlement_emails_get_none(
    run, community, closed_month_activity, last_month, mailoutbox
):
    trio = closed_month_activity
    trio["c"].notify_settlements = False
    trio["c"].save()

    run(tasks.month_close_community, community.pk, f"{last_month:%Y-%m}")

    assert trio["c"].email not in [message.to[0] for message in mailoutbox]
    assert len(mailoutbox) == 2


def test_a_failed_send_releases_its_claim_so_the_retry_sends_it_once(
    community, closed_month_activity, last_month, mailoutbox
):
    period = closing.month_close(community=community, month=last_month)

    with (
        mock.patch("ledger.emails.EmailMultiAlternatives.send", side_effect=SMTPServerDisconnected("down")),
        pytest.raises(MailDeferred),
    ):
        emails.settlement_emails_send(period=period)
    assert not SettlementEmail.objects.filter(claimed_at__isnull=False).exists()
    assert not SettlementEmail.objects.filter(sent_at__isnull=False).exists()

    assert emails.settlement_emails_send(period=period) == 3
    assert emails.settlement_emails_send(period=period) == 0
    assert len(mailoutbox) == 3


def test_an_email_claimed_by_a_run_that_died_is_sent_after_the_lease_not_before(
    community, closed_month_activity, last_month, mailoutbox, settings
):
    trio = closed_month_activity
    period = closing.month_close(community=community, month=last_month)
    # The run that claimed Anne's e-mail was killed before sending it.
    SettlementEmail.objects.create(period=period, user=trio["a"], claimed_at=timezone.now())

    assert emails.settlement_emails_send(period=period) == 2
    assert trio["a"].email not in [message.to[0] for message in mailoutbox]
    assert SettlementPeriod.objects.get().emails_sent_at is None

    SettlementEmail.objects.filter(user=trio["a"]).update(
        claimed_at=timezone.now() - timedelta(seconds=settings.MAIL_CLAIM_LEASE_SECONDS + 1)
    )
    assert tasks.emails_sweep() == 1
    assert sorted(message.to[0] for message in mailoutbox) == sorted(u.email for u in (trio["a"], trio["b"], trio["c"]))
    assert SettlementPeriod.objects.get().emails_sent_at is not None
    assert tasks.emails_sweep() == 0


def test_the_task_for_a_missing_community_or_period_returns_quietly(run, db):
    assert run(tasks.month_close_community, 987654, "2024-01") is None
    assert run(tasks.settlement_emails_send, 987654) == 0


def test_the_current_month_is_not_closed_by_the_task(run, community, trio, mailoutbox):
    today = local_today(community)

    assert run(tasks.month_close_community, community.pk, f"{today:%Y-%m}") is None
    assert not SettlementPeriod.objects.exists()


def test_settle_month_command_shows_progress_and_is_idempotent(
    community, closed_month_activity, last_month, mailoutbox
):
    CommunityFactory(name="Les Peupliers")
    Community.objects.update(created_at=timezone.now() - timedelta(days=365))
    out = StringIO()

    call_command("settle_month", "--month", f"{last_month:%Y-%m}", stdout=out)
    call_command("settle_month", "--month", f"{last_month:%Y-%m}", "--community", str(community.pk), stdout=out)

    output = out.getvalue()
    assert "[1/2] Les Tilleuls" in output
    assert "2 transfer(s) in the plan, 3 e-mail(s) sent." in output
    assert "2 transfer(s) in the plan, 0 e-mail(s) sent." in output
    assert len(mailoutbox) == 3


@pytest.mark.parametrize("arguments", [["--month", "January"], ["--month", "2025-01", "--community", "987654"]])
def test_settle_month_command_refuses_bad_arguments(db, arguments):
    with pytest.raises(CommandError):
        call_command("settle_month", *arguments, stdout=StringIO())


def test_the_beat_closes_the_month_on_the_first_and_catches_up_daily():
    schedule = app.conf.beat_schedule

    monthly = schedule["ledger-month-close"]
    daily = schedule["ledger-month-close-catch-up"]
    assert monthly["task"] == daily["task"] == "ledger.tasks.month_close_all"
    assert monthly["schedule"] == crontab(minute=0, hour=7, day_of_month=1)
    assert daily["schedule"] == crontab(minute=30, hour=7)
    assert app.conf.timezone == "Europe/Paris"


def test_the_email_carries_an_epc_qr_code_for_each_transfer_to_someone_with_an_iban(
    run, community, closed_month_activity, last_month, mailoutbox
):
    trio = closed_month_activity
    trio["b"].iban = "FR7630006000011234567890189"
    trio["b"].save()

    run(tasks.month_close_community, community.pk, f"{last_month:%Y-%m}")

    to_chloe = next(message for message in mailoutbox if message.to == [trio["c"].email])
    html, mimetype = to_chloe.alternatives[0]
    assert mimetype == "text/html"
    images = [part for part in to_chloe.attachments if part.get_content_type() == "image/png"]
    # Chloe pays Bruno (who has an IBAN) and Anne (who has none): one code, for Bruno.
    assert len(images) == 1
    content_id = images[0]["Content-ID"].strip("<>")
    assert f'src="cid:{content_id}"' in html
    reference = emails.payment_reference(SettlementPeriod.objects.get())
    expected = epc_payload(
        name="Bruno", iban="FR7630006000011234567890189", amount=Decimal("10.00"), reference=reference
    )
    assert images[0].get_payload(decode=True) == emails.epc_qr_png(expected)
    assert "BCD\n002\n1\nSCT\n\nBruno\nFR7630006000011234567890189\nEUR10.00" in expected
    to_anne = next(message for message in mailoutbox if message.to == [trio["a"].email])
    assert not to_anne.attachments  # Anne only receives: nothing to scan


def test_the_french_subject_elides_before_a_month_starting_with_a_vowel(
    run, community, closed_month_activity, last_month, mailoutbox
):
    run(tasks.month_close_community, community.pk, f"{last_month:%Y-%m}")

    subject = next(message.subject for message in mailoutbox if message.to == [closed_month_activity["a"].email])
    with translation.override("fr"):
        month = formats.date_format(last_month, "YEAR_MONTH_FORMAT")
    preposition = "d’" if month[0] in "aeiouAEIOU" else "de "
    assert f"régularisation {preposition}{month}" in subject, subject
    assert "de a" not in subject and "de o" not in subject
