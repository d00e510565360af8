"""Reads of bookings and trips. Every query starts from the viewer's membership: other communities get 404."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    Max,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    prefetch_related_objects,
)
from django.http import Http404
from django.utils import timezone

from bookings import rules
from bookings.models import Booking, BookingEvent, CalendarFeed, IncidentPhoto, Trip
from colocauto.core.parsers import parse_id
from communities.models import Membership, User
from communities.rules import is_active_member, is_admin
from vehicles.models import AvailabilityWindow, Blackout, Vehicle

FEED_PAST = timedelta(days=90)
PER_PAGE = 20  # upcoming and past bookings on My bookings
# Bookings drawn on the calendar; rejected and cancelled ones no longer concern anyone there.
CALENDAR_STATUSES = (*Booking.HOLDING_STATUSES, Booking.Status.COMPLETED)


def booking_get(membership: Membership, pk: int) -> Booking:
    """A booking of the viewer's community, with what its detail page shows."""
    booking = (
        Booking.objects.filter(community_id=membership.community_id, pk=pk)
        .select_related("community", "vehicle", "vehicle__owner", "member", "trip", "series")
        .first()
    )
    if booking is None:
        raise Http404
    if booking.vehicle.community_id == booking.community_id:
        booking.vehicle.community = booking.community  # the same row: no second join for it
    return booking


def booking_get_allowed(membership: Membership, pk: int, rule: Callable[[Membership, Booking], bool]) -> Booking:
    """The community's booking ``pk`` (404 outside it), if ``rule`` lets this member act on it (else 403)."""
    booking = booking_get(membership, pk)
    if not rule(membership, booking):
        raise PermissionDenied
    return booking


def trip_to_end(membership: Membership, pk: int) -> Trip:
    """The trip of the community's booking ``pk`` (404 without one), if this member drove it (else 403)."""
    booking = booking_get(membership, pk)
    if not rules.has_trip(booking):
        raise Http404
    if not rules.is_driver(membership, booking.trip):
        raise PermissionDenied
    return booking.trip


def bookings_for(
    membership: Membership,
    *,
    vehicle_id: int | None = None,
    member_id: int | None = None,
    statuses: Iterable[str] = (),
    start: datetime | None = None,
    end: datetime | None = None,
) -> QuerySet[Booking]:
    """The community's bookings (any status unless ``statuses``), of one vehicle or member, overlapping
    ``[start, end)`` when given; soonest first, with the vehicle and the booker."""
    bookings = Booking.objects.filter(community_id=membership.community_id)
    if vehicle_id is not None:
        bookings = bookings.filter(vehicle_id=vehicle_id)
    if member_id is not None:
        bookings = bookings.filter(member_id=member_id)
    if statuses := list(statuses):
        bookings = bookings.filter(status__in=statuses)
    if end is not None:
        bookings = bookings.filter(starts_at__lt=end)
    bookings = bookings.select_related("vehicle", "member")
    if start is None:
        return bookings.order_by("starts_at", "pk")
    # The rows ending after ``start`` all come last in start order, which the planner cannot know: for a page
    # (a LIMIT) it would walk the history through the starts_at index, seconds at a million bookings. Sorting
    # on an expression has it read them through the ends_at index, as the calendar does, then sort them.
    in_start_order = ExpressionWrapper(F("starts_at") + timedelta(0), output_field=DateTimeField())
    return bookings.filter(ends_at__gt=start).order_by(in_start_order, "pk")


def bookings_version(bookings: QuerySet[Booking]) -> tuple[int, datetime | None]:
    """How many bookings and their latest change, in one query: changes when any of them changes
    (every write saves ``updated_at``), so clients can poll with a validator instead of the list."""
    version = bookings.order_by().aggregate(count=Count("pk"), changed=Max("updated_at"))
    return version["count"], version["changed"]


def booking_history(booking: Booking) -> QuerySet[BookingEvent]:
    return booking.events.select_related("actor").order_by("created_at", "pk")


def trip_incidents(trip: Trip):
    return trip.incidents.select_related("reported_by").prefetch_related("photos").order_by("created_at", "pk")


def bookings_to_record(*, now: datetime) -> QuerySet[Booking]:
    """Every booking ended by ``now`` that was (or is being) driven but whose trip is not recorded yet.

    The one definition of "a trip still to record": the member's list, the community overview and the
    reminder e-mails all start from it.
    """
    return Booking.objects.filter(
        Q(trip__isnull=True) | Q(trip__ended_at__isnull=True),
        status__in=[Booking.Status.CONFIRMED, Booking.Status.IN_PROGRESS],
        ends_at__lte=now,
    )


def bookings_awaiting_trip(membership: Membership) -> QuerySet[Booking]:
    """The viewer's bookings here whose odometers are still to record, longest waiting first."""
    return _mine(membership, bookings_to_record(now=timezone.now())).order_by("ends_at", "pk")


def requests_awaiting_decision(membership: Membership) -> QuerySet[Booking]:
    """Requests in the viewer's community that they may answer (admins: all; owners: their vehicles'), soonest first.

    Only requests not over yet: one starting now or later, or already under way while the driver waits.
    """
    requests = Booking.objects.filter(
        community_id=membership.community_id, status=Booking.Status.REQUESTED, ends_at__gt=timezone.now()
    )
    if not is_active_member(membership):
        return requests.none()
    if not is_admin(membership):
        requests = requests.filter(vehicle__owner_id=membership.user_id)
    return requests.select_related("vehicle", "member").order_by("starts_at", "pk")


def upcoming_bookings(membership: Membership) -> QuerySet[Booking]:
    """The viewer's bookings here that still hold a vehicle and are not over yet, soonest first."""
    holding = Booking.objects.filter(status__in=Booking.HOLDING_STATUSES, ends_at__gt=timezone.now())
    return _mine(membership, holding).order_by("starts_at", "pk")


def _mine(membership: Membership, bookings: QuerySet[Booking] | None = None) -> QuerySet[Booking]:
    """Of ``bookings`` (default: all), the viewer's own in this community, with their vehicle."""
    bookings = Booking.objects.all() if bookings is None else bookings
    return bookings.filter(community_id=membership.community_id, member_id=membership.user_id).select_related("vehicle")


def vehicle_for_booking(membership: Membership, pk: int | str | None) -> Vehicle | None:
    """A vehicle of the viewer's community, or None (used to pre-fill the booking form)."""
    vehicle_id = parse_id(pk)
    if vehicle_id is None:
        return None
    return Vehicle.objects.filter(community_id=membership.community_id, pk=vehicle_id).first()


def bookable_vehicles(membership: Membership) -> QuerySet[Vehicle]:
    return Vehicle.objects.filter(community_id=membership.community_id, is_active=True).order_by("name", "pk")


def community_vehicles(membership: Membership) -> QuerySet[Vehicle]:
    return Vehicle.objects.filter(community_id=membership.community_id).order_by("name", "pk")


def incident_photo_get(membership: Membership, pk: int) -> IncidentPhoto:
    photo = (
        IncidentPhoto.objects.filter(pk=pk, incident__trip__booking__community_id=membership.community_id)
        .select_related("incident__trip__booking__vehicle")
        .first()
    )
    if photo is None:
        raise Http404
    return photo


def calendar_feeds_of(user: User, membership: Membership) -> dict[int | None, CalendarFeed]:
    """The user's feeds relevant to this community, by vehicle id (None: the personal feed)."""
    feeds = CalendarFeed.objects.filter(user=user).filter(
        Q(vehicle__isnull=True) | Q(vehicle__community_id=membership.community_id)
    )
    return {feed.vehicle_id: feed for feed in feeds}


def personal_feed(user: User) -> CalendarFeed | None:
    """The feed of all the person's bookings, if they asked for one."""
    return CalendarFeed.objects.filter(user=user, vehicle__isnull=True).first()


def calendar_feed_by_token(token: str) -> CalendarFeed:
    """A feed whose owner may still see it: 404 for an unknown token or a vehicle of a community they left."""
    feed = CalendarFeed.objects.filter(token=token, user__is_active=True).select_related("user", "vehicle").first()
    if feed is None:
        raise Http404
    if feed.vehicle is not None and not rules.may_follow(feed.user, feed.vehicle):
        raise Http404
    return feed


def feed_bookings(feed: CalendarFeed) -> QuerySet[Booking]:
    """Upcoming and recent (90 days) bookings that happen or happened: the user's own, or one vehicle's."""
    bookings = Booking.objects.filter(
        ends_at__gte=timezone.now() - FEED_PAST,
        status__in=[*Booking.HOLDING_STATUSES, Booking.Status.COMPLETED],
    )
    if feed.vehicle_id is None:
        bookings = bookings.filter(member_id=feed.user_id)
    else:
        bookings = bookings.filter(vehicle_id=feed.vehicle_id)
    return bookings.select_related("vehicle", "member", "community").order_by("starts_at", "pk")


# Calendar: one query for the vehicles (windows and blackouts prefetched), one for the bookings


def _calendar_prefetches(start: datetime, end: datetime) -> tuple[str | Prefetch, ...]:
    """What the grid needs of each vehicle: its weekly windows and its blackouts in ``[start, end)``."""
    return (
        "availability_windows",
        Prefetch("blackouts", queryset=Blackout.objects.filter(starts_at__lt=end, ends_at__gt=start)),
    )


def calendar_fleet(
    membership: Membership, *, start: datetime, end: datetime, page: int, per_page: int
) -> tuple[list[Vehicle], int, int]:
    """A page of the community's vehicles, with what the grid needs (the last page past the end): the vehicles,
    the page's number and how many vehicles the community has."""
    vehicles = list(Vehicle.objects.filter(community_id=membership.community_id).order_by("name", "pk"))
    pages = max(1, -(-len(vehicles) // per_page))
    page = min(max(page, 1), pages)
    shown = vehicles[(page - 1) * per_page : page * per_page]
    prefetch_related_objects(shown, *_calendar_prefetches(start, end))
    return shown, page, len(vehicles)


def calendar_vehicles(
    membership: Membership, *, vehicle_id: int | None, start: datetime, end: datetime
) -> list[Vehicle]:
    """The community's vehicles (or the one asked for; 404 outside the community), with what the grid needs."""
    vehicles = Vehicle.objects.filter(community_id=membership.community_id).prefetch_related(
        *_calendar_prefetches(start, end)
    )
    if vehicle_id is not None:
        vehicles = vehicles.filter(pk=vehicle_id)
    result = list(vehicles.order_by("name", "pk"))
    if vehicle_id is not None and not result:
        raise Http404
    return result


class CalendarBooking(NamedTuple):
    """What the calendar draws of a booking: plain values, thousands of model instances would cost more."""

    pk: int
    vehicle_id: int
    member_id: int
    starts_at: datetime
    ends_at: datetime
    status: str
    member_name: str


def calendar_bookings(
    membership: Membership,
    *,
    vehicle_id: int | None,
    start: datetime,
    end: datetime,
    vehicle_ids: list[int] | None = None,
) -> list[CalendarBooking]:
    """Every shown booking of the community (or vehicle, or of ``vehicle_ids`` of the community's vehicles)
    overlapping ``[start, end)``, in one query."""
    bookings = Booking.objects.filter(
        community_id=membership.community_id,
        status__in=CALENDAR_STATUSES,
        starts_at__lt=end,
        ends_at__gt=start,
    )
    if vehicle_id is not None:
        bookings = bookings.filter(vehicle_id=vehicle_id)
    if vehicle_ids is not None:
        bookings = bookings.filter(vehicle_id__in=vehicle_ids)
    rows = bookings.order_by("starts_at", "pk").values_list(
        "pk", "vehicle_id", "member_id", "starts_at", "ends_at", "status", "member__display_name", "member__email"
    )
    # The member's name as User.name gives it: the display name, else the e-mail address's local part.
    return [CalendarBooking(*row[:6], row[6] or row[7].split("@")[0]) for row in rows]


@dataclass
class MyBookings:
    in_progress: list[Booking]
    to_record: list[Booking]
    upcoming: Page
    past: Page


def my_bookings(
    *, membership: Membership, now: datetime, upcoming_page: int | str | None = 1, past_page: int | str | None = 1
) -> MyBookings:
    """The member's bookings in this community, by what they call for: ongoing, to record, coming, done."""
    mine = _mine(membership)
    holding = Q(status__in=Booking.HOLDING_STATUSES)
    in_progress = mine.filter(holding, starts_at__lte=now, ends_at__gt=now).order_by("starts_at", "pk")
    upcoming = mine.filter(holding, starts_at__gt=now).order_by("starts_at", "pk")
    to_record = _mine(membership, bookings_to_record(now=now)).order_by("-ends_at", "-pk")
    # Done with: driven and recorded, cancelled, rejected, or a request whose time passed unanswered.
    past = mine.filter(
        Q(status__in=[Booking.Status.COMPLETED, Booking.Status.CANCELLED, Booking.Status.REJECTED])
        | Q(status=Booking.Status.REQUESTED, ends_at__lte=now)
    ).order_by("-starts_at", "-pk")
    return MyBookings(
        in_progress=list(in_progress),
        to_record=list(to_record),
        upcoming=Paginator(upcoming, PER_PAGE).get_page(upcoming_page),
        past=Paginator(past, PER_PAGE).get_page(past_page),
    )


def holding_bookings_count(vehicle: Vehicle, starts_at: datetime, ends_at: datetime) -> int:
    """Bookings that still hold a slot of the vehicle within [starts_at, ends_at) (e.g. under a new blackout)."""
    return Booking.objects.filter(
        vehicle=vehicle, status__in=Booking.HOLDING_STATUSES, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).count()


def calendar_fingerprint(membership: Membership, *, vehicle_id: int | None, start: datetime, end: datetime) -> tuple:
    """A value that changes whenever what the calendar (or ``freebusy``) shows of ``[start, end)`` may change,
    read with a few aggregate queries instead of the rows: the vehicles and their pauses, their windows, the
    blackouts and the bookings (of any status) meeting the range. Windows are replaced and blackouts added or
    removed, never edited, so a count and the highest id see every change; every booking change moves its
    ``updated_at``. Names are not part of it: a renamed member shows under the new name at the next change."""
    vehicles = Vehicle.objects.filter(community_id=membership.community_id)
    bookings = Booking.objects.filter(community_id=membership.community_id, starts_at__lt=end, ends_at__gt=start)
    if vehicle_id is not None:
        vehicles = vehicles.filter(pk=vehicle_id)
        bookings = bookings.filter(vehicle_id=vehicle_id)
    ids = vehicles.values("pk")
    fleet = vehicles.aggregate(n=Count("pk"), top=Max("pk"), active=Sum("pk", filter=Q(is_active=True)))
    windows = AvailabilityWindow.objects.filter(vehicle__in=ids).aggregate(n=Count("pk"), top=Max("pk"))
    blackouts = Blackout.objects.filter(vehicle__in=ids, starts_at__lt=end, ends_at__gt=start).aggregate(
        n=Count("pk"), top=Max("pk")
    )
    held = bookings.aggregate(n=Count("pk"), changed=Max("updated_at"))
    return (
        tuple(fleet.values()),
        tuple(windows.values()),
        tuple(blackouts.values()),
        held["n"],
        held["changed"].isoformat() if held["changed"] else None,
    )
