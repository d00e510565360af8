"""What a community archive holds: one JSON file per table, in the order an import inserts them.

A row is the model's stored columns by their column names (``vehicle_id``), values as ``privacy.archive.plain``
writes them (decimals and durations as strings, times in ISO 8601). Every reference names the table it
points into, so the import can check that nothing dangles and give each row its new id. Secrets never
leave: no password hash, API token, calendar-feed or invitation token, session; people are only what the
community's admins already see (display name, e-mail address, language).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import QuerySet

from bookings.models import Booking, BookingEvent, BookingSeries, Incident, IncidentPhoto, Trip
from communities.models import Community, Inactivity, Membership, User
from ledger.models import (
    Account,
    Entry,
    Expense,
    LeftBalanceNotice,
    SettlementEmail,
    SettlementPeriod,
    Transaction,
    TransactionNote,
    Transfer,
)
from vehicles.models import AvailabilityWindow, Blackout, CostModelPeriod, Vehicle

FORMAT = "colocauto-community"
VERSION = 3
# What each version added, so that an archive an older Colocauto made is still read (as the current version):
# tables it could not hold are empty, and each added column takes the value its migration gave existing rows.
ADDED: dict[int, tuple[tuple[str, ...], dict[str, dict[str, Callable[[dict[str, Any]], Any]]]]] = {
    # 2: recurring bookings; the onboarding checklist (existing communities' rules count as set when created).
    2: (
        ("booking_series",),
        {
            "bookings": {"series_id": lambda row: None},
            "communities": {"rules_reviewed_at": lambda row: row.get("created_at")},
            "memberships": {"checklist_hidden_at": lambda row: None},
        },
    ),
    # 3: inactive members, and the community's months without activity before a member is listed.
    3: (("inactivities",), {"communities": {"inactivity_months": lambda row: 6}}),
}


@dataclass(frozen=True)
class Table:
    name: str
    model: type[models.Model]
    # The community's rows, given the community's id.
    rows: Callable[[int], QuerySet]
    # Columns left out (secrets, figures the database keeps itself, references outside the community).
    exclude: tuple[str, ...] = ()
    # JSON columns holding lists of user ids (the outbox's "notified so far").
    user_lists: tuple[str, ...] = ()
    # References set only after a later table is in (two tables pointing at each other): column → value meanwhile.
    deferred: dict[str, Any] = field(default_factory=dict)
    # Columns kept by the database (a trigger): exported to be checked, never inserted.
    kept_by_database: tuple[str, ...] = ()

    def columns(self) -> list[models.Field]:
        return [f for f in self.model._meta.concrete_fields if f.name not in self.exclude]

    def references(self) -> dict[str, str]:
        """Column → the table its ids point into."""
        found = {}
        for column in self.columns():
            if column.is_relation:
                found[column.attname] = TABLE_OF[column.related_model]
        return found

    def files(self) -> list[str]:
        return [c.attname for c in self.columns() if isinstance(c, models.FileField)]


def _people(community_id: int) -> QuerySet:
    """Everyone a row of the community points at: members past and present, authors, deciders, payers."""
    ids: set[int] = set()
    community = Community.objects.filter(pk=community_id)
    ids.update(community.exclude(pool_holder=None).values_list("pool_holder_id", flat=True))
    ids.update(community.exclude(created_by=None).values_list("created_by_id", flat=True))
    for table in TABLES[2:]:
        for column in table.columns():
            if column.is_relation and column.related_model is User:
                ids.update(
                    table.rows(community_id).exclude(**{column.attname: None}).values_list(column.attname, flat=True)
                )
    return User.objects.filter(pk__in=ids)


# A person as the community's admins see them; an erased account keeps its pseudonym ("Former member 3").
USER_COLUMNS = {"id", "email", "display_name", "language", "erased_at", "former_number"}

TABLES: list[Table] = [
    Table(
        "users",
        User,
        _people,
        exclude=tuple(f.name for f in User._meta.concrete_fields if f.name not in USER_COLUMNS),
    ),
    Table("communities", Community, lambda c: Community.objects.filter(pk=c)),
    # The invitation is left out: its token is a secret, and it is no use on another server.
    Table(
        "memberships",
        Membership,
        lambda c: Membership.objects.filter(community_id=c),
        exclude=("invitation",),
        user_lists=("request_notified_to",),
    ),
    Table("inactivities", Inactivity, lambda c: Inactivity.objects.filter(membership__community_id=c)),
    Table("vehicles", Vehicle, lambda c: Vehicle.objects.filter(community_id=c)),
    Table("cost_model_periods", CostModelPeriod, lambda c: CostModelPeriod.objects.filter(vehicle__community_id=c)),
    Table(
        "availability_windows", AvailabilityWindow, lambda c: AvailabilityWindow.objects.filter(vehicle__community_id=c)
    ),
    Table("blackouts", Blackout, lambda c: Blackout.objects.filter(vehicle__community_id=c)),
    Table("booking_series", BookingSeries, lambda c: BookingSeries.objects.filter(community_id=c)),
    Table("bookings", Booking, lambda c: Booking.objects.filter(community_id=c)),
    Table(
        "booking_events",
        BookingEvent,
        lambda c: BookingEvent.objects.filter(booking__community_id=c),
        user_lists=("notified_to",),
    ),
    Table("trips", Trip, lambda c: Trip.objects.filter(booking__community_id=c)),
    Table("incidents", Incident, lambda c: Incident.objects.filter(trip__booking__community_id=c)),
    Table(
        "incident_photos",
        IncidentPhoto,
        lambda c: IncidentPhoto.objects.filter(incident__trip__booking__community_id=c),
    ),
    Table("expenses", Expense, lambda c: Expense.objects.filter(community_id=c)),
    # The balance is the database's own sum of the entries (a trigger keeps it): it is checked, never written.
    Table("accounts", Account, lambda c: Account.objects.filter(community_id=c), kept_by_database=("balance",)),
    Table("settlement_periods", SettlementPeriod, lambda c: SettlementPeriod.objects.filter(community_id=c)),
    Table(
        "transfers",
        Transfer,
        lambda c: Transfer.objects.filter(period__community_id=c),
        deferred={"transaction_id": None, "confirmed_at": None},
    ),
    Table("transactions", Transaction, lambda c: Transaction.objects.filter(community_id=c)),
    Table("entries", Entry, lambda c: Entry.objects.filter(transaction__community_id=c)),
    Table("transaction_notes", TransactionNote, lambda c: TransactionNote.objects.filter(transaction__community_id=c)),
    Table(
        "left_balance_notices",
        LeftBalanceNotice,
        lambda c: LeftBalanceNotice.objects.filter(account__community_id=c),
        user_lists=("notified_to",),
    ),
    Table("settlement_emails", SettlementEmail, lambda c: SettlementEmail.objects.filter(period__community_id=c)),
]
TABLE_OF: dict[Any, str] = {table.model: table.name for table in TABLES}
BY_NAME = {table.name: table for table in TABLES}

# Models that point into an archived table but are not archived themselves, and why. A new model that points
# at a community's rows must be added to TABLES or here (tests/backups/test_coverage.py).
LEFT_OUT = {
    "communities.Invitation": "its token is a secret and its link works on the old server only",
    "bookings.CalendarFeed": "its token is a secret; members make a new feed on the new server",
    "ledger.AccountMonth": "kept by the database from the entries, rebuilt by the import",
    "privacy.DataExport": "a person's own download, not the community's data",
    "backups.CommunityExport": "an archive itself",
    "backups.CommunityImport": "this server's record of the archives it imported, not the community's data",
    "territories.MonthlyUsage": "territories' figures: a past month is computed again there by the roll-up (usage_rollup_month)",
    "territories.TerritoryConsent": "territories are the server's own: admins consent again on the new server",
}


def tables_of(version: int) -> list[Table]:
    """The tables an archive of format ``version`` holds (the later ones it could not)."""
    later = {name for added_in, (tables, _columns) in ADDED.items() if added_in > version for name in tables}
    return [table for table in TABLES if table.name not in later]
