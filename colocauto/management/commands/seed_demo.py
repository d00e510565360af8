"""Create the demo community "Les Tilleuls" with a few members and vehicles. Running it again changes nothing."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from bookings import services as booking_services
from bookings.models import Booking, BookingSeries, Trip
from bookings.recurrence import WEEKLY, Recurrence
from bookings.series import series_create, series_preview
from colocauto.core.clock import previous_month
from colocauto.seeding import past_trip
from communities import services as community_services
from communities.models import Community, Membership, User
from ledger import services as ledger_services
from ledger.closing import month_close
from ledger.models import Expense
from ledger.posting import local_today
from territories.demo import seed_territories
from vehicles import services as vehicle_services
from vehicles.models import AvailabilityWindow, Vehicle

DEMO_PASSWORD = "colocauto-demo"
COMMUNITY = {
    "name": "Les Tilleuls",
    "description": "Quatre foyers de la rue des Tilleuls partagent trois véhicules.",
    "charter": (
        "On rend le véhicule propre, avec au moins un quart de réservoir ou de batterie.\n"
        "On note le kilométrage au départ et au retour.\n"
        "On prévient le propriétaire en cas de retard ou d'incident."
    ),
    "municipality": "Crest",
    "postal_code": "26400",
    "time_zone": "Europe/Paris",
    "currency": "EUR",
}


@dataclass(frozen=True)
class DemoPerson:
    email: str
    display_name: str
    language: str
    role: str
    note: str
    # Everyone gives an IBAN, so the settle-up page shows its EPC QR code ("pay by scanning").
    iban: str = ""
    phone: str = ""


PEOPLE = (
    DemoPerson(
        "camille@example.org",
        "Camille Martin",
        "fr",
        Membership.Role.ADMIN,
        "admin",
        "FR7630006000011234567890189",
        "+33 6 12 34 56 78",
    ),
    DemoPerson(
        "bernard@example.org",
        "Bernard Roux",
        "fr",
        Membership.Role.MEMBER,
        "owner of the Clio",
        "FR1420041010050500013M02606",
        "+33 6 23 45 67 89",
    ),
    DemoPerson(
        "sophie@example.org",
        "Sophie Laurent",
        "en",
        Membership.Role.MEMBER,
        "owner of the Yaris",
        "DE89370400440532013000",
        "+33 7 34 56 78 90",
    ),
    DemoPerson(
        "james@example.org",
        "James Wilson",
        "en",
        Membership.Role.MEMBER,
        "member",
        "GB82WEST12345698765432",
        "+44 7700 900123",
    ),
    DemoPerson(
        "lea@example.org",
        "Léa Fabre",
        "fr",
        Membership.Role.MEMBER,
        "member",
        "FR7630001007941234567890185",
        "+33 6 45 67 89 01",
    ),
)
ADMIN_EMAIL = PEOPLE[0].email
WEDNESDAY = 2

# (owner's e-mail or None for the community, vehicle fields)
VEHICLES = (
    (
        "bernard@example.org",
        {
            "name": "La Clio bleue",
            "kind": Vehicle.Kind.CAR,
            "make": "Renault",
            "model": "Clio",
            "year": 2016,
            "plate": "FA-123-BC",
            "energy": Vehicle.Energy.PETROL,
            "seats": 5,
            "gearbox": Vehicle.Gearbox.MANUAL,
            "parking_location": "Devant le 12 rue des Tilleuls",
            "instructions": "Les clés sont dans la boîte aux lettres de Bernard (code 2468).",
            "insurer": "MAIF",
            "policy_number": "DEMO-0001",
            "odometer_km": 98450,
            "cost_model": Vehicle.CostModel.RATES,
            "rate_per_km": Decimal("0.250"),
            "rate_per_hour": Decimal("0.500"),
            "daily_cap": Decimal("15.00"),
        },
    ),
    (
        "sophie@example.org",
        {
            "name": "La Yaris hybride",
            "kind": Vehicle.Kind.CAR,
            "make": "Toyota",
            "model": "Yaris",
            "year": 2020,
            "plate": "FG-456-HJ",
            "energy": Vehicle.Energy.HYBRID,
            "seats": 5,
            "gearbox": Vehicle.Gearbox.AUTOMATIC,
            "parking_location": "Garage du 3 impasse des Lilas",
            "instructions": "Ask Sophie for the key; the garage door code is 1357.",
            "odometer_km": 41200,
            "cost_model": Vehicle.CostModel.RATES,
            "rate_per_km": Decimal("0.300"),
        },
    ),
    (
        None,
        {
            "name": "Le Kangoo électrique",
            "kind": Vehicle.Kind.VAN,
            "make": "Renault",
            "model": "Kangoo E-Tech",
            "year": 2022,
            "plate": "GK-789-LM",
            "energy": Vehicle.Energy.ELECTRIC,
            "seats": 2,
            "gearbox": Vehicle.Gearbox.AUTOMATIC,
            "parking_location": "Parking de la salle des fêtes, borne de recharge n° 2",
            "instructions": "Badge de recharge dans la boîte à gants. Rebranchez-le en rentrant.",
            "odometer_km": 15300,
            "cost_model": Vehicle.CostModel.SHARED_COSTS,
            "fixed_monthly_cost": Decimal("45.00"),
        },
    ),
)

# The Yaris may be booked on weekdays during the day and on Saturday mornings.
YARIS_WINDOWS = [vehicle_services.WindowSpec(weekday, time(8, 0), time(19, 0)) for weekday in range(5)] + [
    vehicle_services.WindowSpec(5, time(9, 0), time(13, 0))
]


MEMBERS_SINCE = timedelta(days=230)
# Six closed months, oldest first, so the charts have a history: how much each month drove and spent
# compared with the pattern below (last month is 1).
HISTORY = (Decimal("0.6"), Decimal("1.2"), Decimal("0.9"), Decimal("1.4"), Decimal("0.8"), Decimal("1"))

# Last month's driving: (driver's e-mail, vehicle index, day of the month, hour, hours, km).
LAST_MONTH_TRIPS = (
    ("james@example.org", 0, 4, 9, 3, 42),
    ("lea@example.org", 0, 11, 14, 4, 96),
    ("sophie@example.org", 0, 19, 8, 10, 230),
    ("lea@example.org", 2, 7, 10, 3, 38),
    ("camille@example.org", 2, 15, 9, 5, 64),
    ("james@example.org", 2, 22, 13, 2, 21),
    ("bernard@example.org", 1, 12, 9, 6, 120),
)
# Last month's expenses: (payer's e-mail, vehicle index, day, category, amount, litres, note).
LAST_MONTH_EXPENSES = (
    ("sophie@example.org", 0, 19, Expense.Category.FUEL, Decimal("52.30"), Decimal("28.50"), "Plein à Valence"),
    ("camille@example.org", 2, 3, Expense.Category.INSURANCE, Decimal("38.00"), None, "Assurance du mois"),
    ("lea@example.org", 2, 16, Expense.Category.CLEANING, Decimal("12.50"), None, "Lavage"),
)


class Command(BaseCommand):
    help = "Create the demo community Les Tilleuls (Crest) with members and vehicles. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even with COLOCAUTO_ENV=production (the demo accounts share a known password).",
        )

    def handle(self, *args, allow_production: bool = False, **options):
        if getattr(settings, "PRODUCTION", False) and not allow_production:
            raise CommandError(
                "Refusing to create demo accounts with a known password in production (use --allow-production)."
            )
        # The demo addresses are fictitious: the notices the demo bookings trigger would only bury the logins.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"), transaction.atomic():
            users = {person.email: self._user(person) for person in PEOPLE}
            community = self._community(users[ADMIN_EMAIL])
            memberships = {person.email: self._membership(community, users[person.email], person) for person in PEOPLE}
            vehicles = [
                self._vehicle(memberships[ADMIN_EMAIL], users.get(owner_email), data) for owner_email, data in VEHICLES
            ]
            self._windows(memberships[ADMIN_EMAIL], vehicles[1], YARIS_WINDOWS)
            self._bookings(community, memberships, vehicles)
            self._every_wednesday(community, memberships[vehicles[0].owner.email], vehicles[0])
            self._history(community, memberships, vehicles)
            territory_staff = seed_territories(
                tilleuls=community, tilleuls_admin=memberships[ADMIN_EMAIL], password=DEMO_PASSWORD
            )
        self._print_logins(community, territory_staff)

    def _user(self, person: DemoPerson) -> User:
        user, created = User.objects.get_or_create(
            email=person.email,
            defaults={
                "display_name": person.display_name,
                "language": person.language,
                "iban": person.iban,
                "phone": person.phone,
            },
        )
        if not created and not user.iban and person.iban:  # a demo database seeded before IBANs were added
            user.iban, user.phone = person.iban, user.phone or person.phone
            user.save(update_fields=["iban", "phone"])
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        address, _ = EmailAddress.objects.get_or_create(
            user=user, email=person.email, defaults={"primary": True, "verified": True}
        )
        if not (address.verified and address.primary):
            address.verified = address.primary = True
            address.save(update_fields=["verified", "primary"])
        return user

    def _community(self, admin: User) -> Community:
        community = Community.objects.filter(name=COMMUNITY["name"], municipality=COMMUNITY["municipality"]).first()
        if community is None:
            community = community_services.community_create(user=admin, data=COMMUNITY)
        # The admin holds the pool the Kangoo's users pay into.
        Community.objects.filter(pk=community.pk, pool_holder=None).update(pool_holder=admin)
        # A community set up long ago: its admin has reviewed the rules, so the overview shows no setup checklist.
        Community.objects.filter(pk=community.pk, rules_reviewed_at=None).update(rules_reviewed_at=timezone.now())
        community.refresh_from_db()
        return community

    def _membership(self, community: Community, user: User, person: DemoPerson) -> Membership:
        open_statuses = [Membership.Status.ACTIVE, Membership.Status.PENDING]
        membership = Membership.objects.filter(community=community, user=user, status__in=open_statuses).first()
        if membership is None:
            # Members since well before last month, so last month's fixed costs are shared by everyone.
            since = timezone.now() - MEMBERS_SINCE
            return Membership.objects.create(
                community=community,
                user=user,
                role=person.role,
                status=Membership.Status.ACTIVE,
                requested_at=since,
                joined_at=since,
            )
        if membership.status != Membership.Status.ACTIVE or membership.role != person.role:
            membership.status = Membership.Status.ACTIVE
            membership.role = person.role
            membership.joined_at = membership.joined_at or timezone.now()
            membership.save(update_fields=["status", "role", "joined_at"])
        return membership

    def _vehicle(self, admin: Membership, owner: User | None, data: dict) -> Vehicle:
        vehicle = Vehicle.objects.filter(community_id=admin.community_id, name=data["name"]).first()
        if vehicle is None:
            vehicle = vehicle_services.vehicle_create(membership=admin, data={**data, "owner": owner})
        return vehicle

    def _windows(self, admin: Membership, vehicle: Vehicle, windows: list) -> None:
        if not AvailabilityWindow.objects.filter(vehicle=vehicle).exists():
            vehicle_services.availability_replace(membership=admin, vehicle=vehicle, windows=windows)

    def _bookings(self, community: Community, memberships: dict[str, Membership], vehicles: list[Vehicle]) -> None:
        """A few upcoming bookings so the calendar isn't empty: one confirmed, one waiting for the owner."""
        if Booking.objects.filter(community=community).exists():
            return
        clio, yaris, kangoo = vehicles
        zone = ZoneInfo(community.time_zone)
        today = timezone.localdate(timezone=zone)

        def at(day: date, hour: int) -> datetime:
            return datetime.combine(day, time(hour), tzinfo=zone)

        tomorrow = today + timedelta(days=1)
        next_weekday = today + timedelta(days=2)
        while next_weekday.weekday() >= 5:  # the Yaris is only available on weekdays
            next_weekday += timedelta(days=1)
        james, lea, camille = (memberships[f"{name}@example.org"] for name in ("james", "lea", "camille"))
        owner_of_clio = memberships[clio.owner.email]

        trip_to_market = booking_services.booking_create(
            membership=james, vehicle=clio, starts_at=at(tomorrow, 9), ends_at=at(tomorrow, 12), note="Marché de Crest"
        )
        booking_services.booking_confirm(membership=owner_of_clio, booking=trip_to_market)
        for membership, vehicle, day, start, end, note in (
            (camille, kangoo, tomorrow, 14, 18, "Déchetterie"),
            (lea, yaris, next_weekday, 10, 16, "Rendez-vous à Valence"),
        ):
            booking_services.booking_create(
                membership=membership, vehicle=vehicle, starts_at=at(day, start), ends_at=at(day, end), note=note
            )

    def _every_wednesday(self, community: Community, owner: Membership, clio: Vehicle) -> None:
        """The owner's car every Wednesday afternoon for two months: a recurring booking, one booking per date."""
        if BookingSeries.objects.filter(community=community).exists():
            return
        today = timezone.localdate(timezone=ZoneInfo(community.time_zone))
        first = today + timedelta(days=(WEDNESDAY - today.weekday() - 1) % 7 + 1)  # the next Wednesday
        rule = Recurrence(WEEKLY, 1, first, first + timedelta(weeks=7), time(14), time(18))
        free = series_preview(membership=owner, vehicle=clio, rule=rule).free_days  # as a person would tick them
        series_create(membership=owner, vehicle=clio, rule=rule, days=free, note="Courses à Valence")

    def _history(self, community: Community, memberships: dict[str, Membership], vehicles: list[Vehicle]) -> None:
        """Six months of trips and expenses, charged through the ledger, each month closed in turn: the demo
        opens with real balances, a settle-up plan and charts with a history. This month, one fuel expense
        waits for its receipt."""
        if Trip.objects.filter(vehicle__community=community).exists():
            return
        # The community and its cars date from before the first month, or the month close would skip them.
        Community.objects.filter(pk=community.pk).update(created_at=timezone.now() - MEMBERS_SINCE)
        Vehicle.objects.filter(community=community).update(created_at=timezone.now() - MEMBERS_SINCE)
        zone = ZoneInfo(community.time_zone)
        months = [previous_month(local_today(community))]
        while len(months) < len(HISTORY):
            months.insert(0, previous_month(months[0]))
        odometers = {vehicle.pk: vehicle.odometer_km - 6000 for vehicle in vehicles}
        for month, factor in zip(months, HISTORY, strict=True):
            for email, index, day, hour, hours, km in LAST_MONTH_TRIPS:
                vehicle, driven = vehicles[index], max(5, int(km * factor))
                starts_at = datetime.combine(month.replace(day=day), time(hour), tzinfo=zone)
                start = odometers[vehicle.pk]
                odometers[vehicle.pk] = start + driven
                past_trip(
                    vehicle=vehicle,
                    driver=memberships[email].user,
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(hours=hours),
                    start_odometer=start,
                    km=driven,
                )
            for email, index, day, category, amount, litres, note in LAST_MONTH_EXPENSES:
                scaled = category == Expense.Category.FUEL
                ledger_services.expense_record(
                    membership=memberships[email],
                    vehicle=vehicles[index],
                    category=category,
                    amount=(amount * factor).quantize(Decimal("0.01")) if scaled else amount,
                    spent_on=month.replace(day=day),
                    note=note,
                    litres=(litres * factor).quantize(Decimal("0.01")) if scaled and litres else litres,
                )
            month_close(community=community, month=month)
        ledger_services.expense_record(
            membership=memberships["james@example.org"],
            vehicle=vehicles[0],
            category=Expense.Category.FUEL,
            amount=Decimal("31.20"),
            spent_on=local_today(community),
            note="Plein à Crest, ticket oublié",
            litres=Decimal("17.10"),
            receipt_to_follow=True,
        )

    def _print_logins(self, community: Community, territory_staff: User) -> None:
        self.stdout.write(self.style.SUCCESS(f"Demo community “{community.name}” ({community.municipality}) is ready."))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for person in PEOPLE:
            self.stdout.write(f"  {person.email:<22} {person.display_name:<16} {person.language}  {person.note}")
        self.stdout.write(
            f"  {territory_staff.email:<22} {territory_staff.display_name:<16} fr  "
            "territory staff: reports of Crest and of its intercommunality"
        )
