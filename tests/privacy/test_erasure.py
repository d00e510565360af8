"""Delete my account (GDPR Art. 17): after the grace period the job erases every personal value of the person from
every table and the media folder, keeps every balance (each community still sums to zero, the others' statements
unchanged, the ledger still append-only), and the person can sign up again as someone new."""

import os
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from api.tokens import token_create
from bookings.models import Booking, BookingEvent, CalendarFeed, Incident, IncidentPhoto
from communities.models import Invitation, Membership, User
from ledger import services as ledger_services
from ledger.models import Account, Entry, Expense, Transaction
from ledger.statement_selectors import statement_for
from privacy import deletion
from privacy.erasure import person_erase
from privacy.models import AccountDeletion
from tests.factories import ExpenseFactory, TripFactory, VehicleFactory, book, owes
from tests.helpers import english, image_bytes

pytestmark = pytest.mark.django_db

NAME, EMAIL, PHONE, IBAN = (
    "Bruno Lefebvre",
    "bruno.lefebvre@example.org",
    "+33 6 12 34 56 78",
    "FR7630006000011234567890189",
)
NOTES = (
    "Pour le marché de Crest",
    "Pneu avant un peu mou",
    "Rayure sur la portière",
    "Plein à Intermarché",
    "Erreur de Bruno",
    "Pour Jeanne",
    "Raccourci iPhone",
    "AB-123-CD",
    "Derrière la boulangerie",
    "Clé sous le pot de fleurs",
)


@pytest.fixture
def bruno(community, admin_user, owner, member, vehicle, client, now):
    """A member with a life in the community: profile, booking notes, a trip with notes and an incident with a photo,
    an expense with a receipt, an undo with his reason, a car of his own, an invitation, a feed, an API token, an
    allauth address and a session."""
    user = User.objects.create_user(
        email=EMAIL, password="s3cret-Pass!", display_name=NAME, phone=PHONE, iban=IBAN, language="fr"
    )
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    joined = Membership.objects.create(
        community=community, user=user, status=Membership.Status.ACTIVE, joined_at=now - timedelta(days=300)
    )
    past = book(vehicle, user, now - timedelta(days=3), note=NOTES[0], status=Booking.Status.COMPLETED)
    BookingEvent.objects.create(booking=past, actor=owner, kind="confirmed", details={"message": "Bon voyage Bruno"})
    future = book(vehicle, user, now + timedelta(days=30), note=NOTES[0])
    trip = TripFactory(booking__vehicle=vehicle, booking__member=user, km=42)
    trip.notes = NOTES[1]
    trip.save()
    incident = Incident.objects.create(trip=trip, reported_by=user, description=NOTES[2])
    IncidentPhoto.objects.create(incident=incident, photo=SimpleUploadedFile("rayure.png", image_bytes()))
    expense = ExpenseFactory(
        vehicle=vehicle,
        paid_by=user,
        amount=Decimal("55.10"),
        note=NOTES[3],
        receipt=SimpleUploadedFile("ticket.png", image_bytes(), content_type="image/png"),
    )
    owes(community, owner, member, "7.00")
    own_car = VehicleFactory(
        community=community,
        owner=user,
        name="Twingo",
        plate=NOTES[7],
        parking_location=NOTES[8],
        instructions=NOTES[9],
        photo=SimpleUploadedFile("twingo.png", image_bytes()),
    )
    Invitation.objects.create(community=community, email="voisine@example.org", note=NOTES[5], created_by=user)
    Invitation.objects.create(community=community, email=EMAIL, note=f"Pour {NAME}", created_by=admin_user)
    CalendarFeed.objects.create(user=user)
    token_create(user=user, name=NOTES[6], scope="read")
    LogEntry.objects.log_actions(admin_user.pk, [user], CHANGE, change_message=f"Phone of {NAME}")
    client.force_login(user)
    return {"user": user, "membership": joined, "expense": expense, "future": future, "own_car": own_car}


def _undo_by_bruno(community, bruno, owner, admin_user):
    """Bruno, made an admin for a moment, undoes a line with his reason (a ``TransactionNote``)."""
    membership = bruno["membership"]
    Membership.objects.filter(pk=membership.pk).update(role=Membership.Role.ADMIN)
    membership.refresh_from_db()
    line = owes(community, owner, admin_user, "3.00")
    ledger_services.transaction_reverse(membership=membership, transaction=line, reason=NOTES[4])
    Membership.objects.filter(pk=membership.pk).update(role=Membership.Role.MEMBER)


def _text_columns():
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT table_name, column_name FROM information_schema.columns
               WHERE table_schema = current_schema()
                 AND data_type IN ('character varying', 'text', 'json', 'jsonb', 'character')"""
        )
        return cursor.fetchall()


def _found_in_database(values) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for table, column in _text_columns():
            for value in values:
                cursor.execute(f'SELECT COUNT(*) FROM "{table}" WHERE "{column}"::text ILIKE %s', [f"%{value}%"])
                if cursor.fetchone()[0]:
                    found.setdefault(value, []).append(f"{table}.{column}")
    return found


def _found_in_media(values) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for root, _dirs, files in os.walk(settings.MEDIA_ROOT):
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as handle:
                content = handle.read()
            for value in values:
                if value.encode() in content or value.lower() in path.lower():
                    found.setdefault(value, []).append(path)
    return found


def _personal_values():
    return {NAME, EMAIL, "bruno.lefebvre", PHONE, IBAN, *NOTES, "Bon voyage Bruno"}


def _sums_by_community() -> dict[int, Decimal]:
    sums: dict[int, Decimal] = {}
    for account in Account.objects.all():
        sums[account.community_id] = sums.get(account.community_id, Decimal(0)) + account.balance
    return sums


def _statement(membership, user):
    return [
        (line.date, line.transaction.kind, line.amount, line.balance) for line in statement_for(membership, user).lines
    ]


def _after_grace():
    return time_machine.travel(timezone.now() + timedelta(days=15), tick=False)


def test_with_a_zero_balance_the_job_erases_everything_personal_after_the_grace_period(
    bruno, community, admin_user, owner, member, client, django_capture_on_commit_callbacks
):
    user = bruno["user"]
    _undo_by_bruno(community, bruno, owner, admin_user)
    assert Account.objects.get(community=community, user=user).balance != 0  # the expense credited him
    owes(community, owner, user, "55.10")  # settled up: now zero everywhere
    assert deletion.standing_balances(user) == []
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy_account_delete"))

    assert response.status_code == 302
    scheduled = AccountDeletion.objects.get(user=user)
    assert scheduled.erase_after - scheduled.requested_at == timedelta(days=14)
    (notice,) = [message for message in mail.outbox if message.to == [EMAIL]]
    assert "annuler" in notice.body and reverse("privacy_deletion_cancel_link", args=[scheduled.token]) in notice.body
    assert deletion.erasures_run() == 0  # not before the grace period ends
    assert User.objects.get(pk=user.pk).display_name == NAME

    admin_statement = _statement(Membership.objects.get(community=community, user=admin_user), admin_user)
    owner_statement = _statement(Membership.objects.get(community=community, user=owner), owner)
    with _after_grace(), django_capture_on_commit_callbacks(execute=True):
        assert deletion.erasures_run() == 1

    assert _found_in_database(_personal_values()) == {}
    assert _found_in_media(_personal_values()) == {}
    erased = User.objects.get(pk=user.pk)
    assert erased.is_erased and not erased.is_active and not erased.has_usable_password()
    assert erased.name in ("Ancien membre 1", "Former member 1")
    assert all(total == 0 for total in _sums_by_community().values())
    assert _statement(Membership.objects.get(community=community, user=admin_user), admin_user) == admin_statement
    assert _statement(Membership.objects.get(community=community, user=owner), owner) == owner_statement
    # Past trips keep their km, the future booking is cancelled, the receipt stays with the expense.
    assert Booking.objects.get(pk=bruno["future"].pk).status == Booking.Status.CANCELLED
    assert Booking.objects.filter(member=user, status=Booking.Status.COMPLETED).exists()
    assert Expense.objects.get(pk=bruno["expense"].pk).receipt
    assert client.get(reverse("profile")).status_code == 302  # logged out everywhere: to the login page


def test_with_a_balance_left_to_the_community_it_stays_as_a_former_members_account(
    bruno, community, admin_user, owner, member, client, django_capture_on_commit_callbacks
):
    user = bruno["user"]
    english(admin_user)
    balance = Account.objects.get(community=community, user=user).balance
    assert balance == Decimal("55.10")
    admin_statement = _statement(Membership.objects.get(community=community, user=admin_user), admin_user)

    refused = client.post(reverse("privacy_account_delete"))
    assert refused.status_code == 302 and not AccountDeletion.objects.exists()
    page = client.get(reverse("privacy_account_delete")).content.decode()
    assert "Les Tilleuls" in page and "leave_balance" in page

    client.post(reverse("privacy_account_delete"), {"leave_balance": "on"})
    mail.outbox.clear()
    with _after_grace(), django_capture_on_commit_callbacks(execute=True):
        assert deletion.erasures_run() == 1

    assert Account.objects.get(community=community, user=user).balance == balance  # never dropped
    assert all(total == 0 for total in _sums_by_community().values())
    assert _statement(Membership.objects.get(community=community, user=admin_user), admin_user) == admin_statement
    assert _found_in_database(_personal_values()) == {}
    told = [message for message in mail.outbox if message.to == [admin_user.email]]
    assert told and "Former member 1" in told[0].subject and "€55.10" in told[0].body


def test_the_ledger_stays_append_only_after_an_erasure(bruno):
    person_erase(user_id=bruno["user"].pk)
    record = Transaction.objects.filter(expense=bruno["expense"]).first()
    if connection.vendor != "postgresql":
        pytest.skip("the guards are PostgreSQL triggers")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Transaction.objects.filter(pk=record.pk).update(description="")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Entry.objects.filter(transaction=record).delete()


def test_cancelling_in_the_grace_period_keeps_the_account(bruno, community, owner, client):
    user = bruno["user"]
    owes(community, owner, user, "55.10")
    client.post(reverse("privacy_account_delete"))
    scheduled = AccountDeletion.objects.get(user=user)
    assert "erasure_due_at" in client.get(reverse("profile")).context

    client.post(reverse("privacy_deletion_cancel_link", args=[scheduled.token]))

    with _after_grace():
        assert deletion.erasures_run() == 0
    assert User.objects.get(pk=user.pk).email == EMAIL
    assert AccountDeletion.objects.get(pk=scheduled.pk).cancelled_at is not None


def test_the_job_is_idempotent(bruno):
    deletion.deletion_request(user=bruno["user"], leave_balance=True)
    with _after_grace():
        assert deletion.erasures_run() == 1
        assert deletion.erasures_run() == 0
    assert person_erase(user_id=bruno["user"].pk) is False
    assert User.objects.get(pk=bruno["user"].pk).former_number == 1


def test_the_same_address_signs_up_again_as_a_new_person(bruno, client):
    person_erase(user_id=bruno["user"].pk)
    client.logout()

    assert not client.login(email=EMAIL, password="s3cret-Pass!")
    passphrase = "a-long-unusual-passphrase-77"
    response = client.post(
        reverse("account_signup"),
        {"email": EMAIL, "password1": passphrase, "password2": passphrase, "display_name": "B.", "language": "fr"},
    )

    assert response.status_code == 302
    again = User.objects.get(email=EMAIL)
    assert again.pk != bruno["user"].pk and not again.is_erased
    assert not again.memberships.exists() and not Account.objects.filter(user=again).exists()


def test_a_site_operator_erases_on_written_request_and_the_log_says_who_and_why(bruno, caplog):
    with pytest.raises(CommandError):
        call_command("erase_person", "--email", EMAIL, "--operator", "Jeanne Exploitante")

    call_command(
        "erase_person", "--email", EMAIL, "--operator", "Jeanne Exploitante", "--reason", "Courrier du 28/11, réf. 42"
    )

    record = AccountDeletion.objects.get(user=bruno["user"], operator="Jeanne Exploitante")
    assert record.operator_reason == "Courrier du 28/11, réf. 42" and record.erased_at is not None
    assert User.objects.get(pk=bruno["user"].pk).is_erased
    assert "Jeanne Exploitante" in caplog.text and "réf. 42" in caplog.text
    assert _found_in_database(_personal_values()) == {}


def test_former_members_are_numbered_per_community(community, member, owner):
    person_erase(user_id=member.pk)
    person_erase(user_id=owner.pk)

    assert [User.objects.get(pk=pk).former_number for pk in (member.pk, owner.pk)] == [1, 2]


def test_the_community_settles_with_a_former_members_account_in_the_next_plan(community, admin_user, owner, member):
    from ledger import closing, transfers
    from ledger.posting import local_today

    owes(community, member, owner, "20.00")  # the community owes the member 20.00
    deletion.deletion_request(user=member, leave_balance=True)
    this_month = local_today(community).replace(day=1)
    with time_machine.travel(timezone.now() + timedelta(days=40), tick=False):
        deletion.erasures_run()
        period = closing.month_close(community=community, month=this_month)
        (transfer,) = period.transfers.select_related("payer__user", "payee__user")
        assert (transfer.payer.user, transfer.payee.user, transfer.amount) == (owner, member, Decimal("20.00"))
        assert str(transfer.payee) in ("Ancien membre 1", "Former member 1")
        # The former member cannot confirm: an admin does it for them once the money has reached them.
        transfers.transfer_confirm(
            membership=Membership.objects.get(community=community, user=admin_user), transfer=transfer
        )

    assert Account.objects.get(community=community, user=member).balance == 0
    assert all(total == 0 for total in _sums_by_community().values())


def test_erasing_a_communitys_only_admin_hands_the_community_to_its_longest_standing_member(
    community, admin_user, owner, member
):
    Membership.objects.filter(community=community, user=owner).update(joined_at=timezone.now() - timedelta(days=900))

    person_erase(user_id=admin_user.pk)

    assert Membership.objects.get(community=community, user=owner).is_admin
    assert not Membership.objects.get(community=community, user=member).is_admin
    assert Membership.objects.get(community=community, user=admin_user).status == Membership.Status.LEFT


def test_the_page_warns_a_communitys_only_admin_that_it_will_be_handed_over(client, community, admin_user, member):
    english(admin_user)
    client.force_login(admin_user)

    page = client.get(reverse("privacy_account_delete")).content.decode()

    assert "You are the only admin of Les Tilleuls: its longest-standing member will become admin" in page
