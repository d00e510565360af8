"""A community with a history to back up, and what a person sees of it (balances, statements, calendar), stated
without ids so that a source and its imported copy can be compared."""

from datetime import date, time, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bookings.models import Booking, BookingSeries
from bookings.selectors import calendar_bookings
from communities.models import Inactivity, Membership
from ledger import services as ledger_services
from ledger import transfers
from ledger.models import Account
from ledger.posting import account_for
from ledger.selectors import balances_for
from ledger.statement_selectors import statement_for
from privacy.erasure import person_erase
from tests.factories import (
    CommunityFactory,
    ExpenseFactory,
    MembershipFactory,
    SettlementPeriodFactory,
    TransferFactory,
    VehicleFactory,
    book,
    drive,
    member_of,
    owes,
)
from tests.files import pdf_bytes
from tests.helpers import image_bytes
from vehicles.models import AvailabilityWindow, Blackout, CostModelPeriod


def community_with_history(name="Les Tilleuls"):
    """Admin, owner, member, a former member; a car with a photo, windows, a blackout, an earlier cost model; a
    completed trip (charged) with an incident and its photo, future bookings (two the dates of a weekly
    recurring booking), an expense with its receipt, an undone expense, a closed month whose transfer was
    confirmed, debts between members, and an owner who was inactive for two months and is again since."""
    community = CommunityFactory(name=name, inactivity_months=9)
    admin = member_of(community, Membership.Role.ADMIN, display_name=f"{name} admin")
    owner = member_of(community, display_name=f"{name} owner")
    member = member_of(community, display_name=f"{name} member")
    former = member_of(community, display_name=f"{name} former")
    admin_ms = Membership.objects.get(community=community, user=admin)
    member_ms = Membership.objects.get(community=community, user=member)
    car = VehicleFactory(community=community, owner=owner, rate_per_km=Decimal("0.250"))
    car.photo.save("car.png", SimpleUploadedFile("car.png", image_bytes()), save=True)
    AvailabilityWindow.objects.create(vehicle=car, weekday=0, start_time=time(8), end_time=time(20))
    now = timezone.now()
    Blackout.objects.create(
        vehicle=car, starts_at=now + timedelta(days=20), ends_at=now + timedelta(days=22), reason="garage"
    )
    CostModelPeriod.objects.create(vehicle=car, cost_model="shared_costs", ends_on=date(2026, 1, 1))

    booking = book(car, member, now - timedelta(hours=5), hours=3, status=Booking.Status.CONFIRMED)
    drive(
        member_ms,
        booking,
        120,
        notes="Windscreen chipped",
        incident_description="A stone hit the windscreen.",
        incident_photos=[SimpleUploadedFile("stone.png", image_bytes(), content_type="image/png")],
    )
    book(car, admin, now + timedelta(days=2), hours=4)
    book(car, member, now + timedelta(days=3), hours=2, status=Booking.Status.REQUESTED)
    book(car, former, now + timedelta(days=4), hours=2, status=Booking.Status.CANCELLED)
    weekly = BookingSeries.objects.create(
        community=community,
        vehicle=car,
        member=member,
        first_date=timezone.localdate() + timedelta(days=10),
        until=timezone.localdate() + timedelta(days=17),
        start_time=time(18),
        end_time=time(20),
    )
    for week in (0, 1):
        book(car, member, now + timedelta(days=10 + 7 * week), hours=2, series=weekly)

    ExpenseFactory(
        vehicle=car,
        paid_by=member,
        amount=Decimal("61.37"),
        receipt=SimpleUploadedFile("fuel.pdf", pdf_bytes(), content_type="application/pdf"),
    )
    undone = ExpenseFactory(vehicle=car, paid_by=admin, amount=Decimal("12.05"))
    ledger_services.expense_cancel(membership=admin_ms, expense=undone, reason="Typed twice")
    owes(community, admin, former, "7.33")
    owes(community, owner, member, "19.99")

    period = SettlementPeriodFactory(community=community)
    transfer = TransferFactory(period=period, paid_by=member, paid_to=owner, amount=Decimal("10.00"))
    transfers.transfer_declare_paid(membership=member_ms, transfer=transfer)
    transfers.transfer_confirm(membership=admin_ms, transfer=transfer)
    TransferFactory(period=period, paid_by=former, paid_to=admin, amount=Decimal("3.00"))

    former_ms = Membership.objects.get(community=community, user=former)
    Membership.objects.filter(pk=former_ms.pk).update(status=Membership.Status.LEFT, ended_at=now)
    owner_ms = Membership.objects.get(community=community, user=owner)
    Inactivity.objects.create(
        membership=owner_ms, starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 1), marked_by=admin, ended_by=admin
    )
    Inactivity.objects.create(membership=member_ms, starts_on=date(2030, 1, 1), marked_by=admin)
    MembershipFactory(community=community, pending=True)
    account_for(community, None)  # the pool, without entries
    person_erase(user_id=former.pk)  # a former member whose account was erased: "Former member 1"
    return community


def what_people_see(community):
    """Balances, every account's statement and the calendar, by e-mail address and vehicle name."""
    admin = Membership.objects.filter(community=community, role=Membership.Role.ADMIN, status="active").first()
    balances = [(_who(b.user) if b.user else "pool", str(b.amount)) for b in balances_for(admin)]
    statements = {}
    for account in Account.objects.filter(community=community, user__isnull=False).select_related("user"):
        statement = statement_for(admin, account.user)
        statements[_who(account.user)] = [
            (
                line.date.isoformat(),
                line.transaction.kind,
                line.description,
                line.vehicle.name if line.vehicle else None,
                str(line.amount),
                str(line.balance),
            )
            for line in statement.lines
        ]
    far = timedelta(days=3650)
    names = {vehicle.pk: vehicle.name for vehicle in community.vehicles.all()}
    calendar = [
        (names[row.vehicle_id], row.member_name, row.starts_at.isoformat(), row.ends_at.isoformat(), row.status)
        for row in calendar_bookings(admin, vehicle_id=None, start=timezone.now() - far, end=timezone.now() + far)
    ]
    series = [
        (
            names[row.vehicle_id],
            _who(row.member),
            row.frequency,
            row.interval,
            row.first_date.isoformat(),
            row.until.isoformat(),
            row.start_time.isoformat(),
            row.end_time.isoformat(),
            sorted(b.starts_at.isoformat() for b in row.bookings.all()),
        )
        for row in BookingSeries.objects.filter(community=community).select_related("member").order_by("first_date")
    ]
    return {"balances": balances, "statements": statements, "calendar": calendar, "series": series}


def inactive_periods(community):
    """Each inactive period: whose, when, and who marked and ended it, by e-mail address."""
    rows = Inactivity.objects.filter(membership__community=community).select_related(
        "membership__user", "marked_by", "ended_by"
    )
    return sorted(
        (
            _who(row.membership.user),
            row.starts_on.isoformat(),
            row.ends_on.isoformat() if row.ends_on else None,
            _who(row.marked_by),
            _who(row.ended_by) if row.ended_by else None,
        )
        for row in rows
    )


def _who(user):
    """A person by e-mail address; an erased one (whose placeholder address is the server's own) by pseudonym."""
    return str(user.name) if user.is_erased else user.email
