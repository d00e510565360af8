"""Recurring bookings: the preview of a series' dates, making the series, and cancelling or replacing it from
one occurrence onwards.

Nothing here restates a booking rule. The preview asks ``services.slot_refusal`` (the very checks of
``booking_create``) about each date; saving makes each ticked date with ``services.booking_create`` and
cancelling goes through ``services.booking_cancel``: every occurrence gets the usual status (requested when
the owner must approve), history and notices, as if booked on its own.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from bookings import recurrence, rules, services
from bookings.errors import BookingRefused, SeriesOccurrenceRefused
from bookings.history import QUIET, told_together
from bookings.models import Booking, BookingSeries
from bookings.recurrence import Recurrence
from colocauto.core.errors import DomainError, NotAllowed, NotFound
from colocauto.text import date_text, french_typography
from communities.models import Membership
from vehicles.models import Blackout, Vehicle


@dataclass(frozen=True)
class PlannedDate:
    """One date of a series before it is saved: free, or why ``booking_create`` would refuse it."""

    day: date
    starts_at: datetime
    ends_at: datetime
    refusal: str = ""
    code: str = ""

    @property
    def free(self) -> bool:
        return not self.code


@dataclass(frozen=True)
class SeriesPreview:
    summary: str
    dates: list[PlannedDate]
    confirmed_at_once: bool  # False: each date waits for the owner's (or an admin's) approval

    @property
    def free_days(self) -> set[date]:
        return {planned.day for planned in self.dates if planned.free}


def series_preview(
    *, membership: Membership, vehicle: Vehicle, rule: Recurrence, replacing: Booking | None = None
) -> SeriesPreview:
    """Every date of ``rule`` for ``vehicle``, each free or with the reason it would be refused. A constant
    number of queries: the vehicle with its windows and blackouts, and the bookings holding its slots over
    the whole series are read once. ``replacing``: an occurrence whose series the new dates replace from
    it onwards; those occurrences do not count as taking the slots, since saving cancels them first."""
    _check_may_book(membership, vehicle)
    _check_rule(rule)
    planned = recurrence.occurrences(rule, ZoneInfo(membership.community.time_zone))
    if not planned:
        return SeriesPreview(recurrence.summary(rule), [], True)
    first, last = planned[0].starts_at, max(p.ends_at for p in planned)
    vehicle = (
        Vehicle.objects.select_related("community")
        .prefetch_related(
            "availability_windows",
            Prefetch("blackouts", queryset=Blackout.objects.filter(starts_at__lt=last, ends_at__gt=first)),
        )
        .get(pk=vehicle.pk)
    )
    holding = Booking.objects.filter(
        vehicle_id=vehicle.pk, status__in=Booking.HOLDING_STATUSES, starts_at__lt=last, ends_at__gt=first
    )
    if replacing is not None:
        holding = holding.exclude(pk__in=_following(replacing).values("pk"))
    holding_list = list(holding)
    dates = []
    for occurrence in planned:
        refusal = services.slot_refusal(
            vehicle=vehicle, starts_at=occurrence.starts_at, ends_at=occurrence.ends_at, holding=holding_list
        )
        dates.append(
            PlannedDate(
                occurrence.day,
                occurrence.starts_at,
                occurrence.ends_at,
                str(refusal.message) if refusal else "",
                refusal.code if refusal else "",
            )
        )
    return SeriesPreview(recurrence.summary(rule), dates, rules.books_without_approval(membership, vehicle))


def series_create(
    *,
    membership: Membership,
    vehicle: Vehicle,
    rule: Recurrence,
    days: Iterable[date],
    note: str = "",
    replacing: Booking | None = None,
) -> BookingSeries:
    """Book the ticked ``days`` of ``rule``, each with ``booking_create``, all or nothing: a date refused
    meanwhile (taken since the preview) refuses the whole series, saying which date and why.

    ``replacing``: an occurrence of another series, cancelled with the following ones first (in the same
    transaction), so the new dates may take their slots: "change this and the following dates"."""
    _check_may_book(membership, vehicle)
    _check_rule(rule)
    chosen = set(days)
    with transaction.atomic():
        if replacing is not None:
            if not rules.can_change_series(membership, replacing):
                raise NotAllowed(_("Only the person who booked can change these dates."), code="not_booker")
            _cancel_following(membership, replacing, message="")
        planned = [
            occurrence
            for occurrence in recurrence.occurrences(rule, ZoneInfo(membership.community.time_zone))
            if occurrence.day in chosen
        ]
        if not planned:
            raise BookingRefused(_("Tick at least one date to book."), code="series_no_date")
        series = BookingSeries.objects.create(
            community=membership.community,
            vehicle=vehicle,
            member=membership.user,
            frequency=rule.frequency,
            interval=rule.interval,
            first_date=rule.first_date,
            until=rule.until,
            start_time=rule.start_time,
            end_time=rule.end_time,
        )
        for position, occurrence in enumerate(planned):
            try:
                services.booking_create(
                    membership=membership,
                    vehicle=vehicle,
                    starts_at=occurrence.starts_at,
                    ends_at=occurrence.ends_at,
                    note=note,
                    series=series,
                    notice=None if position == 0 else QUIET,  # one e-mail, the first date's, lists them all
                )
            except (NotAllowed, NotFound):
                raise
            except DomainError as refusal:
                when = date_text(occurrence.day, "DATE_FORMAT")
                raise SeriesOccurrenceRefused(
                    french_typography(
                        _("%(date)s can no longer be booked: %(reason)s Untick it or choose other times.")
                        % {"date": when, "reason": refusal.message}
                    ),
                    params={"date": occurrence.day.isoformat(), "code": refusal.code},
                ) from refusal
    return series


def series_cancel_following(*, membership: Membership, booking: Booking, message: str = "") -> list[Booking]:
    """Cancel ``booking`` and the later occurrences of its series still requested or confirmed; earlier ones
    stay. Each is cancelled by ``booking_cancel`` (late within the minimum notice, with its notice)."""
    with transaction.atomic():
        return _cancel_following(membership, booking, message=message)


def _cancel_following(membership: Membership, booking: Booking, *, message: str) -> list[Booking]:
    if booking.series_id is None:
        raise BookingRefused(_("This booking is not part of a recurring booking."), code="not_in_series")
    following = list(_following(booking).select_related("community", "vehicle"))
    if booking.pk not in {b.pk for b in following}:
        raise BookingRefused(
            _("Only a requested or confirmed booking can be cancelled."), code="booking_not_cancellable"
        )
    # One e-mail, the first date's, lists every date cancelled with it.
    return [
        services.booking_cancel(membership=membership, booking=b, message=message, notice=notice)
        for b, notice in zip(following, told_together(following), strict=True)
    ]


def _waiting_later(booking: Booking):
    """The later dates of ``booking``'s series that still wait for an answer."""
    return Booking.objects.filter(
        series_id=booking.series_id, starts_at__gt=booking.starts_at, status=Booking.Status.REQUESTED
    ).order_by("starts_at", "pk")


def waiting_after(booking: Booking) -> int:
    """How many later dates of ``booking``'s series still wait for an answer (none outside a series)."""
    return 0 if booking.series_id is None else _waiting_later(booking).count()


def request_answer(
    *, membership: Membership, booking: Booking, accept: bool, message: str = "", following: bool = False
) -> Booking:
    """Confirm or decline a request; ``following``: the later dates of its recurring booking that still wait
    too (locked, so none changes meanwhile), each with ``services.booking_decide``'s checks, all or nothing,
    and one e-mail listing them (the first date's)."""
    if not following or booking.series_id is None:
        return services.booking_decide(membership=membership, booking=booking, message=message, accept=accept)
    with transaction.atomic():
        dates = [booking, *_waiting_later(booking).select_for_update()]
        answered = [
            services.booking_decide(membership=membership, booking=each, message=message, accept=accept, notice=notice)
            for each, notice in zip(dates, told_together(dates), strict=True)
        ]
    return answered[0]


def confirm_with_following(
    *, membership: Membership, booking: Booking, message: str = "", following: bool = False
) -> Booking:
    return request_answer(membership=membership, booking=booking, accept=True, message=message, following=following)


def reject_with_following(
    *, membership: Membership, booking: Booking, message: str = "", following: bool = False
) -> Booking:
    return request_answer(membership=membership, booking=booking, accept=False, message=message, following=following)


def _following(booking: Booking):
    """The occurrences of ``booking``'s series from it onwards that can still be cancelled."""
    return Booking.objects.filter(
        series_id=booking.series_id, starts_at__gte=booking.starts_at, status__in=rules.OPEN_STATUSES
    ).order_by("starts_at", "pk")


def _check_may_book(membership: Membership, vehicle: Vehicle) -> None:
    if not rules.may_book(membership, vehicle):
        raise NotAllowed(_("You can only book vehicles of your own community."), code="not_community_vehicle")


def _check_rule(rule: Recurrence) -> None:
    problem = recurrence.rule_problem(rule)
    if problem:
        raise BookingRefused(problem, code="series_rule_invalid")
