"""Receipt to follow: an expense saved without its receipt is listed as missing it, its payer is reminded
once a few days later (through a real mail server: a refused address or a busy server loses nothing), and
the receipt is added later by whoever may undo the expense."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from colocauto.core.errors import DomainError, NotAllowed
from colocauto.core.outbox import MailDeferred
from communities.models import Membership
from ledger import receipt_reminders, services, tasks
from ledger.models import Expense
from tests.factories import CommunityFactory, ExpenseFactory, VehicleFactory, member_of
from tests.files import one_colour_png

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    community = CommunityFactory()
    payer = member_of(community, email="paula@example.org", display_name="Paula", language="fr")
    other = member_of(community)
    admin = member_of(community, role=Membership.Role.ADMIN)
    car = VehicleFactory(community=community, owner=other, name="Clio")
    return {"community": community, "payer": payer, "other": other, "admin": admin, "car": car}


def _membership(world, who):
    return Membership.objects.get(community=world["community"], user=world[who])


def _to_follow(world, **fields) -> Expense:
    return ExpenseFactory(vehicle=world["car"], paid_by=world["payer"], receipt_to_follow=True, **fields)


def _age(expense: Expense, days: int) -> None:
    Expense.objects.filter(pk=expense.pk).update(created_at=timezone.now() - timedelta(days=days))


def _receipt():
    return SimpleUploadedFile("ticket.png", one_colour_png(40, 60), content_type="image/png")


def test_an_expense_saved_without_receipt_is_listed_as_missing_it(client, world):
    waiting = _to_follow(world)
    ExpenseFactory(vehicle=world["car"], paid_by=world["payer"])  # no receipt, none announced
    client.force_login(world["other"])
    url = reverse("ledger_expenses", args=[world["community"].pk])

    content = client.get(url).content.decode()
    assert "1 reçu à suivre." in content and "reçu à suivre</span>" in content

    filtered = client.get(url, {"missing_receipts": "on"})
    assert [row["expense"].pk for row in filtered.context["rows"]] == [waiting.pk]


def test_a_receipt_given_at_once_makes_the_flag_moot(world):
    expense = ExpenseFactory(vehicle=world["car"], paid_by=world["payer"], receipt=_receipt(), receipt_to_follow=True)
    assert expense.receipt and not expense.receipt_to_follow


def test_the_payer_adds_the_receipt_later_from_the_list(client, world):
    expense = _to_follow(world)
    client.force_login(world["payer"])
    response = client.post(
        reverse("ledger_receipt_attach", args=[world["community"].pk, expense.pk]), {"receipt": _receipt()}
    )
    assert response.status_code == 302
    expense.refresh_from_db()
    assert expense.receipt and not expense.receipt_to_follow
    assert client.get(reverse("ledger_receipt", args=[world["community"].pk, expense.pk])).status_code == 200


def test_a_refused_receipt_file_is_said_and_nothing_is_stored(client, world):
    expense = _to_follow(world)
    client.force_login(world["payer"])
    fake = SimpleUploadedFile("ticket.png", b"not an image", content_type="image/png")
    response = client.post(
        reverse("ledger_receipt_attach", args=[world["community"].pk, expense.pk]), {"receipt": fake}, follow=True
    )
    assert response.status_code == 200
    assert list(response.context["messages"])[0].level_tag == "error"
    expense.refresh_from_db()
    assert not expense.receipt and expense.receipt_to_follow


def test_only_its_author_payer_or_an_admin_add_a_receipt_once_while_it_stands(world):
    expense = _to_follow(world)
    with pytest.raises(NotAllowed) as refused:
        services.expense_attach_receipt(membership=_membership(world, "other"), expense=expense, receipt=_receipt())
    assert refused.value.code == "receipt_attach_not_allowed"
    services.expense_attach_receipt(membership=_membership(world, "admin"), expense=expense, receipt=_receipt())
    with pytest.raises(DomainError) as twice:
        services.expense_attach_receipt(membership=_membership(world, "payer"), expense=expense, receipt=_receipt())
    assert twice.value.code == "receipt_already_attached"

    undone = _to_follow(world)
    services.expense_cancel(membership=_membership(world, "payer"), expense=undone, reason="doublon")
    with pytest.raises(DomainError) as gone:
        services.expense_attach_receipt(membership=_membership(world, "payer"), expense=undone, receipt=_receipt())
    assert gone.value.code == "expense_undone"


def test_a_non_member_cannot_add_a_receipt(client, world):
    expense = _to_follow(world)
    client.force_login(member_of(CommunityFactory()))
    url = reverse("ledger_receipt_attach", args=[world["community"].pk, expense.pk])
    assert client.post(url, {"receipt": _receipt()}).status_code == 404


def test_the_payer_is_reminded_once_in_their_language_after_a_few_days(world, mail_server, settings):
    settings.RECEIPT_REMINDER_AFTER_DAYS = 3
    due = _to_follow(world, amount=Decimal("52.30"))
    _age(due, 4)
    _age(_to_follow(world), 1)  # too recent
    added = _to_follow(world)
    _age(added, 5)
    services.expense_attach_receipt(membership=_membership(world, "payer"), expense=added, receipt=_receipt())
    undone = _to_follow(world)
    _age(undone, 5)
    services.expense_cancel(membership=_membership(world, "payer"), expense=undone, reason="erreur")

    assert tasks.receipts_remind() == 1
    (received,) = mail_server.sink.received
    assert received.to == ["paula@example.org"]
    content = received.content.decode()
    assert "Bonjour Paula" in content and "52,30" in content and "missing_receipts=on" in content
    assert tasks.receipts_remind() == 0  # once only
    assert len(mail_server.sink.received) == 1


def test_a_refused_address_is_not_retried_and_does_not_stop_the_others(world, mail_server, settings):
    settings.RECEIPT_REMINDER_AFTER_DAYS = 3
    mail_server.sink.refuse["paula@example.org"] = "550 5.1.1 User unknown"
    refused = _to_follow(world)
    _age(refused, 4)
    other = ExpenseFactory(vehicle=world["car"], paid_by=world["other"], receipt_to_follow=True)
    _age(other, 4)

    assert receipt_reminders.receipts_remind() == 1
    assert mail_server.sink.addresses() == [world["other"].email]
    assert receipt_reminders.receipts_remind() == 0


def test_a_busy_mail_server_delays_the_reminder_without_losing_it(world, mail_server, settings):
    settings.RECEIPT_REMINDER_AFTER_DAYS = 3
    mail_server.sink.refuse["paula@example.org"] = "451 4.3.0 Mailbox busy, try again later"
    expense = _to_follow(world)
    _age(expense, 4)

    assert receipt_reminders.receipts_remind() == 0
    expense.refresh_from_db()
    assert (expense.receipt_reminder_claimed_at, expense.receipt_reminded_at) == (None, None)
    with pytest.raises(MailDeferred):
        receipt_reminders.remind_one(expense.pk)

    del mail_server.sink.refuse["paula@example.org"]
    assert receipt_reminders.receipts_remind() == 1
    assert mail_server.sink.addresses() == ["paula@example.org"]


def test_a_reminder_claimed_by_a_sender_that_died_is_sent_once_its_lease_ran_out(world, mailoutbox, settings):
    settings.RECEIPT_REMINDER_AFTER_DAYS = 3
    expense = _to_follow(world)
    _age(expense, 4)
    Expense.objects.filter(pk=expense.pk).update(receipt_reminder_claimed_at=timezone.now())  # a live claim
    assert receipt_reminders.receipts_remind() == 0
    stale = timezone.now() - timedelta(seconds=settings.MAIL_CLAIM_LEASE_SECONDS + 1)
    Expense.objects.filter(pk=expense.pk).update(receipt_reminder_claimed_at=stale)
    assert receipt_reminders.receipts_remind() == 1
    assert len(mailoutbox) == 1
