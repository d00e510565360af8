"""Booking e-mails: who hears about what, in their own language, each message claimed before it is sent."""

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from bookings.formatting import reason_text
from bookings.models import Booking, BookingEvent, Incident
from bookings.rules import OPEN_STATUSES
from bookings.selectors import bookings_to_record
from colocauto.core import outbox
from colocauto.core.mail import in_language, templated_email
from colocauto.text import StrOrPromise, date_text
from communities.models import Membership, User

START_REMINDER_AHEAD = timedelta(hours=2)
TRIP_REMINDER_AFTER = timedelta(hours=24)
# Bookings that ended long ago are not reminded (e.g. on the first run after an upgrade).
TRIP_REMINDER_HORIZON = timedelta(days=14)


def booking_event_notify(*, event_id: int) -> int:
    """E-mail the people concerned by one history line, once, through the outbox. Returns how many went out."""
    events = BookingEvent.objects.filter(pk=event_id)

    def messages():
        event = events.select_related(
            "actor", "booking", "booking__vehicle", "booking__vehicle__owner", "booking__member", "booking__community"
        ).first()
        if event is None:
            return
        for recipient in _recipients(event):
            with in_language(recipient):
                subject, lines = _event_text(event, recipient)
                if event.details.get("reason"):
                    lines.append(reason_text(event.details["reason"]))
                lines = [_one_full_stop(line) for line in lines]
                message = _message(recipient, subject, lines, event.booking, message=event.details.get("message", ""))
            yield recipient.pk, message

    return outbox.deliver(
        events, claimed="notice_claimed_at", done="notified_at", progress="notified_to", messages=messages
    )


def booking_notices_sweep() -> int:
    """Send the e-mails of recent history lines still due: the broker was down, or a sender died."""
    recent = BookingEvent.objects.filter(created_at__gte=timezone.now() - outbox.NOTICE_HORIZON)
    due = outbox.due(recent, claimed="notice_claimed_at", done="notified_at").order_by("pk")
    return outbox.sweep(
        due.values_list("pk", flat=True), lambda pk: booking_event_notify(event_id=pk), what="Booking event"
    )


def start_reminders_send() -> int:
    """Remind drivers of confirmed bookings starting within the next two hours (each booking once)."""
    now = timezone.now()
    due = Booking.objects.filter(
        status=Booking.Status.CONFIRMED, starts_at__gt=now, starts_at__lte=now + START_REMINDER_AHEAD
    )

    def reminder(booking: Booking) -> EmailMultiAlternatives:
        lines = [
            _("You have booked %(vehicle)s from %(start)s to %(end)s.")
            % {"vehicle": booking.vehicle.name, **_when(booking)}
        ]
        if booking.vehicle.parking_location:
            lines.append(_("Where it is parked: %(place)s") % {"place": booking.vehicle.parking_location})
        if booking.vehicle.instructions:
            lines.append(booking.vehicle.instructions)
        subject = _("Reminder: %(vehicle)s, %(start)s") % {"vehicle": booking.vehicle.name, **_when(booking)}
        return _message(booking.member, subject, lines, booking)

    return _remind(due, claim="start_reminder_sent_at", now=now, compose=reminder)


def trip_reminders_send() -> int:
    """Ask drivers to record the odometers of bookings that ended a day ago without a completed trip."""
    now = timezone.now()
    due = bookings_to_record(now=now - TRIP_REMINDER_AFTER).filter(ends_at__gt=now - TRIP_REMINDER_HORIZON)

    def reminder(booking: Booking) -> EmailMultiAlternatives:
        subject = _("Record your trip with %(vehicle)s") % {"vehicle": booking.vehicle.name}
        lines = [
            _("Your booking of %(vehicle)s ended on %(end)s.") % {"vehicle": booking.vehicle.name, **_when(booking)},
            _("Please record the odometer readings so everyone's account stays right."),
        ]
        return _message(booking.member, subject, lines, booking, action=_("Record the trip"))

    return _remind(due, claim="trip_reminder_sent_at", now=now, compose=reminder)


def _remind(
    due: QuerySet[Booking], *, claim: str, now: datetime, compose: Callable[[Booking], EmailMultiAlternatives]
) -> int:
    """E-mail the driver of each due booking in their language, each booking's reminder claimed once
    (the ``claim`` time is set before sending, so a retry never sends twice). Returns how many went out."""
    sent = 0
    for pk in list(due.filter(**{claim: None}).values_list("pk", flat=True)):
        if Booking.objects.filter(pk=pk, **{claim: None}).update(**{claim: now}) != 1:
            continue
        booking = _booking(pk)
        if booking is None or not _wants_mail(booking.member):
            continue
        with in_language(booking.member):
            compose(booking).send()
        sent += 1
    return sent


def _recipients(event: BookingEvent) -> list[User]:
    """Everyone who would act on this line of the booking's history; nobody about what they did themselves.

    The booker hears about what others decide or change. The car's keepers — its owner, or for a
    community car the admins, who act as owner — hear about a request at every step (made, changed,
    withdrawn, answered by someone else); an owner also hears about every booking of their car.
    Trips are news to the keepers only with unlogged km or an incident.
    """
    booking = event.booking
    owner = booking.vehicle.owner
    keepers = [owner] if owner is not None else _admins(booking.community_id)
    party = keepers if owner is not None or _about_a_request(event) else []
    kind = event.kind
    if kind == BookingEvent.Kind.CREATED:
        people = party
    elif kind in (
        BookingEvent.Kind.CONFIRMED,
        BookingEvent.Kind.REJECTED,
        BookingEvent.Kind.CHANGED,
        BookingEvent.Kind.EXTENDED,
        BookingEvent.Kind.CANCELLED,
    ):
        people = [booking.member, *party]
    elif (kind == BookingEvent.Kind.TRIP_STARTED and event.details.get("unlogged_km")) or (
        kind == BookingEvent.Kind.TRIP_COMPLETED and event.details.get("incident")
    ):
        people = keepers
    else:
        people = []
    unique: dict[int, User] = {}
    for person in people:
        if person.pk != event.actor_id and _wants_mail(person):
            unique.setdefault(person.pk, person)
    return list(unique.values())


def _about_a_request(event: BookingEvent) -> bool:
    """Whether the line is about a request waiting for an answer, as it was when the line was written
    (the booking may have moved on before the e-mail goes out)."""
    kind = event.kind
    if kind in (BookingEvent.Kind.CONFIRMED, BookingEvent.Kind.REJECTED):
        return True
    if kind == BookingEvent.Kind.CANCELLED:
        return event.details.get("was") == Booking.Status.REQUESTED
    if kind in (BookingEvent.Kind.CREATED, BookingEvent.Kind.CHANGED):
        return event.details.get("status", event.booking.status) == Booking.Status.REQUESTED
    return False


def _admins(community_id: int) -> list[User]:
    return [
        membership.user
        for membership in Membership.objects.filter(
            community_id=community_id, role=Membership.Role.ADMIN, status=Membership.Status.ACTIVE
        ).select_related("user")
    ]


def _wants_mail(user: User) -> bool:
    return user.is_active and user.notify_bookings


# The notices that are a subject and one sentence, by (kind, whether the reader is the booker; None: anyone).
_ONE_LINE_NOTICES: dict[tuple[str, bool | None], tuple[StrOrPromise, StrOrPromise]] = {
    (BookingEvent.Kind.CREATED, None): (
        gettext_lazy("New booking: %(vehicle)s, %(start)s"),
        gettext_lazy("%(member)s booked %(vehicle)s from %(start)s to %(end)s."),
    ),
    (BookingEvent.Kind.CONFIRMED, True): (
        gettext_lazy("Your booking of %(vehicle)s is confirmed"),
        gettext_lazy("%(actor)s confirmed your booking of %(vehicle)s from %(start)s to %(end)s."),
    ),
    (BookingEvent.Kind.CONFIRMED, False): (
        gettext_lazy("Request confirmed: %(vehicle)s, %(start)s"),
        gettext_lazy("%(actor)s confirmed the request of %(member)s for %(vehicle)s from %(start)s to %(end)s."),
    ),
    (BookingEvent.Kind.REJECTED, True): (
        gettext_lazy("Your booking request for %(vehicle)s was declined"),
        gettext_lazy("%(actor)s declined your booking of %(vehicle)s from %(start)s to %(end)s."),
    ),
    (BookingEvent.Kind.REJECTED, False): (
        gettext_lazy("Request declined: %(vehicle)s, %(start)s"),
        gettext_lazy("%(actor)s declined the request of %(member)s for %(vehicle)s from %(start)s to %(end)s."),
    ),
    (BookingEvent.Kind.EXTENDED, None): (
        gettext_lazy("Booking extended: %(vehicle)s until %(end)s"),
        gettext_lazy("%(actor)s extended the booking of %(vehicle)s by %(member)s until %(end)s."),
    ),
}


def _event_text(event: BookingEvent, recipient: User) -> tuple[str, list[str]]:
    booking = event.booking
    names = {
        "vehicle": booking.vehicle.name,
        "member": booking.member.name,
        "actor": event.actor.name if event.actor else _("Someone"),
        **_when(booking),
    }
    is_booker = recipient.pk == booking.member_id
    kind = event.kind
    request = _about_a_request(event)
    together = _dates_together(event)
    if len(together) > 1:
        return _dates_text(event, names, together, request=request, is_booker=is_booker)
    if kind == BookingEvent.Kind.CREATED and request:
        return (
            _("Booking request: %(vehicle)s, %(start)s") % names,
            [
                _("%(member)s asks to book %(vehicle)s from %(start)s to %(end)s.") % names,
                _("The slot is held until you confirm or decline the request."),
            ],
        )
    one_line = _ONE_LINE_NOTICES.get((kind, is_booker)) or _ONE_LINE_NOTICES.get((kind, None))
    if one_line:
        subject, line = one_line
        return subject % names, [line % names]
    if kind == BookingEvent.Kind.CHANGED:
        names["old_start"], names["old_end"] = _format_pair(booking, event.details)
        if is_booker:
            changed = _("%(actor)s changed your booking of %(vehicle)s: now from %(start)s to %(end)s.")
        elif event.actor_id == booking.member_id:
            changed = _("%(member)s changed their booking of %(vehicle)s: now from %(start)s to %(end)s.")
        else:
            changed = _("%(actor)s changed %(member)s's booking of %(vehicle)s: now from %(start)s to %(end)s.")
        lines = [
            changed % names,
            _("It was from %(old_start)s to %(old_end)s.") % names,
        ]
        if request and not is_booker:
            lines.append(_("The new times wait for your answer."))
        return _("Booking changed: %(vehicle)s, %(start)s") % names, lines
    if kind == BookingEvent.Kind.TRIP_STARTED:
        names["odometer"] = formats.number_format(event.details.get("start_odometer", 0), force_grouping=True)
        names["km"] = formats.number_format(event.details.get("unlogged_km", 0), force_grouping=True)
        return (
            _("Unlogged km on %(vehicle)s: %(km)s km") % names,
            [
                _("%(actor)s started a trip with %(vehicle)s at %(odometer)s km.") % names,
                _("That is %(km)s km more than the last recorded trip: nobody logged them.") % names,
            ],
        )
    if kind == BookingEvent.Kind.TRIP_COMPLETED:
        incident = Incident.objects.filter(trip__booking=booking).prefetch_related("photos").order_by("-pk").first()
        lines = [_("%(actor)s reported an incident with %(vehicle)s at the end of a trip.") % names]
        if incident is not None:
            lines.append(incident.description)
            photos = len(incident.photos.all())
            if photos:
                lines.append(
                    ngettext(
                        "%(count)d photo is on the booking page.", "%(count)d photos are on the booking page.", photos
                    )
                    % {"count": photos}
                )
        return _("Incident reported: %(vehicle)s") % names, lines
    if request and event.actor_id == booking.member_id and not is_booker:
        return (
            _("Request withdrawn: %(vehicle)s, %(start)s") % names,
            [_("%(member)s withdrew their request for %(vehicle)s (%(start)s to %(end)s).") % names],
        )
    if is_booker:
        line = _("%(actor)s cancelled your booking of %(vehicle)s (%(start)s to %(end)s).")
    elif event.actor_id == booking.member_id:
        line = _("%(member)s cancelled their booking of %(vehicle)s (%(start)s to %(end)s).")
    else:
        line = _("%(actor)s cancelled %(member)s's booking of %(vehicle)s (%(start)s to %(end)s).")
    return _("Booking cancelled: %(vehicle)s, %(start)s") % names, [line % names]


# How many dates one e-mail lists (half a year of a weekly booking); the booking pages have the rest.
DATES_LISTED = 26


def _dates_together(event: BookingEvent) -> list[Booking]:
    """The dates one e-mail tells about: a recurring booking's dates, booked at once (the series from this
    booking on: "change this and the following dates" starts a new series) or cancelled at once (the
    ``with`` of the line); else just the line's booking."""
    booking = event.booking
    if event.kind == BookingEvent.Kind.CREATED and booking.series_id is not None:
        # Its dates still booked when the e-mail goes out (one cancelled meanwhile has its own e-mail).
        dates = Booking.objects.filter(
            Q(pk=booking.pk) | Q(status__in=OPEN_STATUSES),
            series_id=booking.series_id,
            starts_at__gte=booking.starts_at,
        )
    elif event.details.get("with"):  # cancelled, confirmed or declined together
        dates = Booking.objects.filter(pk__in=[booking.pk, *event.details["with"]])
    else:
        return [booking]
    return list(dates.select_related("community").order_by("starts_at", "pk"))


def _dates_text(
    event: BookingEvent, names: dict[str, str], dates: list[Booking], *, request: bool, is_booker: bool
) -> tuple[str, list[str]]:
    """One e-mail for the dates of a recurring booking booked or cancelled together, listing them."""
    count = len(dates)
    params: dict[str, object] = {**names, "count": count}
    shown = [_date_line(booking) for booking in dates[:DATES_LISTED]]
    if count > DATES_LISTED:
        more = count - DATES_LISTED
        shown.append(
            ngettext(
                "And %(more)d more date: see the booking pages.",
                "And %(more)d more dates: see the booking pages.",
                more,
            )
            % {"more": more}
        )
    if event.kind in (BookingEvent.Kind.CONFIRMED, BookingEvent.Kind.REJECTED):
        confirmed = event.kind == BookingEvent.Kind.CONFIRMED
        if is_booker and confirmed:
            subject = _("Your recurring booking of %(vehicle)s is confirmed: %(count)d dates from %(start)s")
            line = _("%(actor)s confirmed these %(count)d dates of your recurring booking of %(vehicle)s:")
        elif is_booker:
            subject = _("Your recurring booking of %(vehicle)s was declined: %(count)d dates from %(start)s")
            line = _("%(actor)s declined these %(count)d dates of your recurring booking of %(vehicle)s:")
        elif confirmed:
            subject = _("Requests confirmed: %(vehicle)s, %(count)d dates from %(start)s")
            line = _("%(actor)s confirmed these %(count)d dates requested by %(member)s for %(vehicle)s:")
        else:
            subject = _("Requests declined: %(vehicle)s, %(count)d dates from %(start)s")
            line = _("%(actor)s declined these %(count)d dates requested by %(member)s for %(vehicle)s:")
        return subject % params, [line % params, *shown]
    if event.kind == BookingEvent.Kind.CANCELLED:
        if is_booker:
            line = _("%(actor)s cancelled these %(count)d dates of your recurring booking of %(vehicle)s:")
        elif event.actor_id == event.booking.member_id:
            line = _("%(member)s cancelled these %(count)d dates of their recurring booking of %(vehicle)s:")
        else:
            line = _("%(actor)s cancelled these %(count)d dates of %(member)s's recurring booking of %(vehicle)s:")
        subject = _("Recurring booking cancelled: %(vehicle)s, %(count)d dates from %(start)s")
        return subject % params, [line % params, *shown]
    if request:
        return (
            _("Booking request: %(vehicle)s, %(count)d dates from %(start)s") % params,
            [
                _("%(member)s asks to book %(vehicle)s on these %(count)d dates (a recurring booking):") % params,
                *shown,
                _("Each date is held until you confirm or decline it, on its booking page."),
            ],
        )
    return (
        _("New recurring booking: %(vehicle)s, %(count)d dates from %(start)s") % params,
        [_("%(member)s booked %(vehicle)s on these %(count)d dates:") % params, *shown],
    )


def _date_line(booking: Booking) -> str:
    """« mercredi 2 décembre 2026, 14:00 to 18:00 », or both moments in full when it ends another day."""
    tz = ZoneInfo(booking.community.time_zone)
    start, end = booking.starts_at.astimezone(tz), booking.ends_at.astimezone(tz)
    if start.date() != end.date():
        return _("%(start)s to %(end)s") % _when(booking)
    return _("%(day)s, %(start)s to %(end)s") % {
        "day": f"{formats.date_format(start, 'l')} {date_text(start, 'DATE_FORMAT')}",
        "start": formats.time_format(start, "TIME_FORMAT"),
        "end": formats.time_format(end, "TIME_FORMAT"),
    }


def _one_full_stop(line: str) -> str:
    """A sentence ending on a date like "4 p.m." must not end with two full stops."""
    if line.endswith("..") and not line.endswith("..."):
        return line[:-1]
    return line


def _format_pair(booking: Booking, details: dict) -> tuple[str, str]:
    tz = ZoneInfo(booking.community.time_zone)
    start = datetime.fromisoformat(details.get("old_starts_at") or booking.starts_at.isoformat())
    end = datetime.fromisoformat(details.get("old_ends_at") or booking.ends_at.isoformat())
    return _format(start, tz), _format(end, tz)


def _when(booking: Booking) -> dict[str, str]:
    tz = ZoneInfo(booking.community.time_zone)
    return {"start": _format(booking.starts_at, tz), "end": _format(booking.ends_at, tz)}


def _format(moment: datetime, tz: ZoneInfo) -> str:
    return date_text(moment.astimezone(tz), "DATETIME_FORMAT")


def _booking(pk: int) -> Booking | None:
    return Booking.objects.select_related("vehicle", "member", "community").filter(pk=pk).first()


def _message(
    recipient: User, subject: str, lines: list[str], booking: Booking, *, message: str = "", action=None
) -> EmailMultiAlternatives:
    url = settings.SITE_URL.rstrip("/") + reverse(
        "booking_detail", kwargs={"community_id": booking.community_id, "pk": booking.pk}
    )
    context = {
        "recipient": recipient,
        "lines": lines,
        "message": message,
        "booking": booking,
        "when": _when(booking),
        "url": url,
        "action": action or _("See the booking"),
    }
    return templated_email(subject, "emails/bookings/notification", context, recipient.email)
