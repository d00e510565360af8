"""The monthly e-mails through a real SMTP server: each person on their own, over one connection, a
refused address recorded and shown to the admins, a temporary failure retried, nothing lost."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from colocauto.core.outbox import MailDeferred
from ledger import closing, emails, tasks, transfers
from ledger.models import SettlementEmail, SettlementPeriod, Transfer

REFUSED = "550 5.1.1 <bruno@example.org>: Recipient address rejected: User unknown"


def test_a_refused_address_does_not_keep_the_others_from_their_email(mail_server, trio, period_example):
    mail_server.sink.refuse["bruno@example.org"] = REFUSED

    sent = emails.settlement_emails_send(period=period_example)

    assert sent == 2
    assert sorted(mail_server.sink.addresses()) == ["anne@example.org", "chloe@example.org"]
    refused = SettlementEmail.objects.get(user=trio["b"])
    assert refused.failed_at is not None
    assert refused.sent_at is None
    assert refused.error_code == "550"
    # Nothing is left to retry: the month's e-mails are done, and a second run sends nothing more.
    assert SettlementPeriod.objects.get().emails_sent_at is not None
    assert emails.settlement_emails_send(period=period_example) == 0
    assert len(mail_server.sink.received) == 2


def test_the_monthly_emails_of_a_community_go_over_one_connection(mail_server, trio, period_example):
    assert emails.settlement_emails_send(period=period_example) == 3
    assert len(mail_server.sink.received) == 3
    assert len(mail_server.sink.sessions) == 1


def test_admins_are_shown_the_settlement_email_that_could_not_be_delivered(
    client,
    mail_server,
    trio,
    period_example,
):
    mail_server.sink.refuse["bruno@example.org"] = REFUSED
    emails.settlement_emails_send(period=period_example)
    url = reverse("ledger_balances", kwargs={"community_id": trio["car"].community_id})

    client.force_login(trio["a"])  # an admin
    trio["a"].language = "en"
    trio["a"].save()
    page = client.get(url).content.decode()
    assert "to Bruno (bruno@example.org) could not be delivered: the address was refused." in page

    client.force_login(trio["c"])  # a member
    assert "could not be delivered" not in client.get(url).content.decode()


def test_a_temporary_refusal_is_retried_and_only_that_email_is_sent_again(
    mail_server,
    trio,
    period_example,
):
    mail_server.sink.refuse["bruno@example.org"] = "451 4.3.0 Mailbox busy, try again later"

    with pytest.raises(MailDeferred):
        emails.settlement_emails_send(period=period_example)
    assert sorted(mail_server.sink.addresses()) == ["anne@example.org", "chloe@example.org"]
    waiting = SettlementEmail.objects.get(user=trio["b"])
    assert (waiting.claimed_at, waiting.failed_at, waiting.error_code, waiting.attempts) == (None, None, "451", 1)
    assert SettlementPeriod.objects.get().emails_sent_at is None

    del mail_server.sink.refuse["bruno@example.org"]
    assert tasks.emails_sweep() == 1
    assert sorted(mail_server.sink.addresses()) == ["anne@example.org", "bruno@example.org", "chloe@example.org"]
    assert SettlementPeriod.objects.get().emails_sent_at is not None


def test_an_address_that_keeps_failing_is_recorded_after_the_last_attempt(
    mail_server,
    trio,
    period_example,
    settings,
):
    settings.MAIL_MAX_ATTEMPTS = 2
    mail_server.sink.refuse["bruno@example.org"] = "452 4.2.2 Mailbox full"

    with pytest.raises(MailDeferred):
        emails.settlement_emails_send(period=period_example)
    assert emails.settlement_emails_send(period=period_example) == 0

    failed = SettlementEmail.objects.get(user=trio["b"])
    assert failed.failed_at is not None
    assert (failed.error_code, failed.attempts, failed.refused) == ("452", 2, False)
    assert SettlementPeriod.objects.get().emails_sent_at is not None


def test_an_unreachable_mail_server_delays_every_email_without_counting_it_against_anyone(
    settings,
    trio,
    period_example,
):
    from tests.processes import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", free_port(), False

    with pytest.raises(MailDeferred):
        emails.settlement_emails_send(period=period_example)

    assert (
        list(SettlementEmail.objects.values_list("claimed_at", "sent_at", "failed_at", "attempts"))
        == [(None, None, None, 0)] * 3
    )


def test_a_period_whose_emails_were_never_queued_is_sent_by_the_sweep(
    trio,
    period_example,
    mailoutbox,
):
    # month_close posted the plan, but the broker was down when the e-mails were to be queued.
    assert tasks.emails_sweep() == 3
    assert sorted(message.to[0] for message in mailoutbox) == [
        "anne@example.org",
        "bruno@example.org",
        "chloe@example.org",
    ]
    assert tasks.emails_sweep() == 0


def test_the_sweep_leaves_alone_the_emails_of_long_closed_months(
    trio,
    period_example,
    mailoutbox,
):
    SettlementPeriod.objects.update(created_at=timezone.now() - emails.SWEEP_HORIZON - timedelta(days=1))
    assert tasks.emails_sweep() == 0
    assert mailoutbox == []


def test_the_close_still_mails_when_the_plan_was_posted_by_an_earlier_run(
    trio,
    community,
    last_month,
    period_example,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        tasks.month_close_community(community.pk, f"{last_month:%Y-%m}")
    assert len(mailoutbox) == 3
    assert closing.month_close(community=community, month=last_month) == period_example


def test_a_paid_notice_whose_wake_up_was_lost_is_sent_by_the_sweep(trio, period_example, mailoutbox):
    transfer = Transfer.objects.get(period=period_example, payee__user=trio["b"])
    # No on-commit callback runs: as if the broker had been down when Chloe said she paid.
    transfers.transfer_declare_paid(membership=trio["c_membership"], transfer=transfer)
    SettlementPeriod.objects.update(emails_sent_at=timezone.now())  # the monthly e-mails are another matter
    assert mailoutbox == []

    assert tasks.emails_sweep() == 1
    assert [m.to for m in mailoutbox] == [["bruno@example.org"]]
    assert tasks.emails_sweep() == 0
