from zoneinfo import ZoneInfo

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from bookings.models import Booking, BookingSeries, Trip
from colocauto.core.clock import previous_month
from colocauto.management.commands.seed_demo import DEMO_PASSWORD
from communities.models import Community, Membership, User
from communities.onboarding import checklist_shown
from ledger.models import Entry, Expense, SettlementPeriod, Transaction, Transfer
from ledger.posting import local_today
from vehicles.models import AvailabilityWindow, Blackout, Vehicle

MODELS = (
    User,
    EmailAddress,
    Community,
    Membership,
    Vehicle,
    AvailabilityWindow,
    Blackout,
    Booking,
    BookingSeries,
    Trip,
    Expense,
    Transaction,
    Entry,
    SettlementPeriod,
    Transfer,
)


def _snapshot():
    return {model.__name__: sorted(model.objects.values_list("pk", flat=True)) for model in MODELS}


def test_seed_demo_creates_the_demo_community(db):
    call_command("seed_demo", stdout=None)

    community = Community.objects.get(name="Les Tilleuls")
    assert (community.municipality, community.postal_code, community.time_zone) == ("Crest", "26400", "Europe/Paris")
    memberships = community.memberships.filter(status=Membership.Status.ACTIVE)
    assert memberships.count() == 5
    assert memberships.filter(role=Membership.Role.ADMIN).count() == 1
    assert set(memberships.values_list("user__language", flat=True)) == {"fr", "en"}
    vehicles = community.vehicles.all()
    assert vehicles.count() == 3
    assert vehicles.filter(owner__isnull=True).count() == 1
    assert vehicles.filter(owner__isnull=False).values("owner").distinct().count() == 2
    assert len(set(vehicles.values_list("energy", flat=True))) == 3
    assert AvailabilityWindow.objects.filter(vehicle__community=community).exists()
    assert not EmailAddress.objects.filter(user__memberships__community=community, verified=False).exists()
    upcoming = Booking.objects.filter(community=community, series=None).exclude(status=Booking.Status.COMPLETED)
    assert upcoming.count() == 3
    assert set(upcoming.values_list("status", flat=True)) == {Booking.Status.CONFIRMED, Booking.Status.REQUESTED}


def test_seed_demo_shows_the_owners_car_booked_every_wednesday(db):
    call_command("seed_demo", stdout=None)

    series = BookingSeries.objects.get(community__name="Les Tilleuls")
    assert series.vehicle.owner == series.member  # the owner's own car: each date confirmed at once
    bookings = list(series.bookings.order_by("starts_at"))
    assert len(bookings) == 8
    assert {b.status for b in bookings} == {Booking.Status.CONFIRMED}
    zone = ZoneInfo(series.community.time_zone)
    assert {(b.starts_at.astimezone(zone).weekday(), b.starts_at.astimezone(zone).hour) for b in bookings} == {(2, 14)}


def test_seed_demo_closes_last_month_with_real_balances_and_a_plan(db):
    call_command("seed_demo", stdout=None)

    community = Community.objects.get(name="Les Tilleuls")
    kinds = set(Transaction.objects.filter(community=community).values_list("kind", flat=True))
    assert {"trip_charge", "expense", "shared_costs", "fixed_costs"} <= kinds
    amounts = list(Entry.objects.filter(transaction__community=community).values_list("amount", flat=True))
    assert sum(amounts) == 0
    # Six months closed in turn (the charts have a history); the latest plan is last month's.
    assert SettlementPeriod.objects.filter(community=community).count() == 6
    period = SettlementPeriod.objects.filter(community=community).latest("month")
    assert period.month == previous_month(local_today(community))
    transfers = Transfer.objects.filter(period=period)
    assert 0 < transfers.count() <= 5  # never more than n − 1 for 5 members and the pool


def test_running_seed_demo_twice_changes_nothing(db):
    call_command("seed_demo", stdout=None)
    first = _snapshot()
    passwords = dict(User.objects.values_list("email", "password"))

    call_command("seed_demo", stdout=None)

    assert _snapshot() == first
    assert dict(User.objects.values_list("email", "password")) == passwords


def test_demo_members_can_log_in_with_the_printed_password(client, db, capsys):
    call_command("seed_demo")
    printed = capsys.readouterr().out
    assert DEMO_PASSWORD in printed
    assert "camille@example.org" in printed

    response = client.post("/accounts/login/", {"login": "camille@example.org", "password": DEMO_PASSWORD})

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == User.objects.get(email="camille@example.org").pk


def test_seed_demo_repairs_a_changed_demo_password(db):
    call_command("seed_demo", stdout=None)
    user = User.objects.get(email="james@example.org")
    user.set_password("something-else-entirely")
    user.save()

    call_command("seed_demo", stdout=None)

    user.refresh_from_db()
    assert user.check_password(DEMO_PASSWORD)


def test_seed_demo_refuses_to_run_in_production(db, settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", stdout=None)

    assert not Community.objects.exists()


def test_the_demo_shows_a_receipt_to_follow(client, db):
    call_command("seed_demo", stdout=None)
    community = Community.objects.get(name="Les Tilleuls")
    assert Expense.objects.filter(community=community, receipt_to_follow=True, receipt="").count() == 1


def test_the_demo_shows_the_qr_code_to_pay_by_scanning(client, db):
    call_command("seed_demo", stdout=None)

    community = Community.objects.get(name="Les Tilleuls")
    people = User.objects.filter(memberships__community=community)
    assert not people.filter(iban="").exists()
    transfer = Transfer.objects.filter(period__community=community, payer__user__isnull=False).first()
    client.force_login(transfer.payer.user)
    page = client.get(f"/c/{community.pk}/ledger/settle/").content.decode()
    assert "ledger-qr" in page


def test_the_demo_community_is_set_up_so_nobody_sees_the_setup_checklist(db):
    call_command("seed_demo", stdout=None)

    community = Community.objects.get(name="Les Tilleuls")
    assert community.rules_reviewed_at is not None
    active = Membership.objects.filter(community=community, status=Membership.Status.ACTIVE)
    for membership in active.select_related("user", "community"):
        assert checklist_shown(membership) is None, membership
