"""Booking and trip pages. Thin: parse the form, call one service, and let ``colocauto.core.web`` show
its refusal (on the form, input kept; 403/404 pages for permissions)."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from bookings import rules, selectors, series, services, trips
from bookings.calendar import proposed_length
from bookings.errors import ImplausibleDistance
from bookings.estimate_views import form_estimate
from bookings.formatting import history_rows, series_summary
from bookings.forms import (
    BookingForm,
    ChangeTimesForm,
    DecisionForm,
    ExtendForm,
    MessageForm,
    TripEndForm,
    TripStartForm,
    local_after,
    parse_query_datetime,
)
from bookings.models import Booking
from colocauto.core.files import IMAGE_FORMATS, private_file_response
from colocauto.core.web import attempt, attempt_or_message, offline_copy
from communities.access import community_view, in_community_time
from ledger import selectors as ledger_selectors


def booking_page(view):
    """A page of the community's bookings with a form (GET shows it, POST acts), in the community's time."""
    return community_view(in_community_time(require_http_methods(["GET", "POST"])(view)))


def _to_detail(booking: Booking):
    return redirect("booking_detail", community_id=booking.community_id, pk=booking.pk)


def _booking_action(name: str, rule, form_class, service, done, *, template: str = "", initial=None, **context):
    """The page ``name`` acting on one booking: 403 unless ``rule`` lets the member act; on a valid POST
    ``service`` gets the form's fields, then ``done(request, before, after)`` tells how it went; a refusal
    stays on the form with what was typed. ``initial(booking)`` pre-fills the form."""

    def view(request, pk):
        membership = request.membership
        booking = selectors.booking_get_allowed(membership, pk, rule)
        form = form_class(request.POST or None, initial=initial(booking) if initial else None)
        if request.method == "POST" and form.is_valid():
            after = attempt(form, service, membership=membership, booking=booking, **form.cleaned_data)
            if after is not None:
                done(request, booking, after)
                return _to_detail(booking)
        page = template or f"bookings/{name}.html"
        return render(request, page, {"booking": booking, "form": form, **context})

    view.__name__ = view.__qualname__ = name
    return booking_page(view)


def _said(text) -> Callable:
    return lambda request, before, after: messages.success(request, text)


def _odometer(booking: Booking) -> dict:
    return {"start_odometer": booking.vehicle.odometer_km}


def _local_times(*names: str) -> Callable[[Booking], dict]:
    return lambda booking: {name: timezone.localtime(getattr(booking, name)) for name in names}


_REPEATED = {"vehicle": "vehicle", "start": "starts_at", "end": "ends_at", "note": "note"}


def booked(request, booking: Booking):
    """After a booking is made: say whether it is confirmed or waits for an answer, and show it."""
    if booking.status == Booking.Status.REQUESTED:
        messages.success(request, _("Your request has been sent; the slot is held until it is answered."))
    else:
        messages.success(request, _("Your booking is confirmed."))
    return _to_detail(booking)


@booking_page
def booking_create(request):
    membership = request.membership
    vehicles = selectors.bookable_vehicles(membership)
    estimate = None
    if request.method == "POST":
        form = BookingForm(request.POST, vehicles=vehicles)
        if "repeat" in request.POST:
            # "Repeat it": the recurring booking's page, filled in with what was typed here.
            fields = {name: request.POST.get(key, "") for name, key in _REPEATED.items()}
            return redirect(f"{reverse('series_create', args=[membership.community_id])}?{urlencode(fields)}")
        if "preview" in request.POST:
            # "See the cost" (the way without JavaScript): the same form with its estimate; nothing is booked.
            estimate = form_estimate(membership, form)
        else:
            booking = form.is_valid() and attempt(
                form, services.booking_create, membership=membership, **form.cleaned_data
            )
            if booking:
                return booked(request, booking)
    else:
        vehicle = selectors.vehicle_for_booking(membership, request.GET.get("vehicle"))
        starts_at = parse_query_datetime(request.GET.get("start"))
        # A link with a start and no end (the calendar's free intervals) proposes a booking of the usual length.
        ends_at = parse_query_datetime(request.GET.get("end")) or local_after(
            starts_at, proposed_length(membership.community)
        )
        initial = {
            "vehicle": vehicle.pk if vehicle and vehicle.is_active else None,
            "starts_at": starts_at,
            "ends_at": ends_at,
        }
        form = BookingForm(initial=initial, vehicles=vehicles)
        # A link that fills the form in (a free slot of the calendar) shows its estimate at once; the form's
        # own fields read the times, as they would on "Book".
        estimate = form_estimate(membership, BookingForm(data=initial, vehicles=vehicles))
    return render(request, "bookings/booking_form.html", {"form": form, "estimate": estimate})


@offline_copy
@community_view
@in_community_time
@require_http_methods(["GET"])
def booking_detail(request, pk):
    membership = request.membership
    booking = selectors.booking_get(membership, pk)
    trip = booking.trip if rules.has_trip(booking) else None
    sees_record = rules.sees_vehicle_record(membership, booking)
    context = {
        "booking": booking,
        "trip": trip,
        "history": history_rows(selectors.booking_history(booking)),
        "incidents": selectors.trip_incidents(trip) if trip and sees_record else [],
        "sees_record": sees_record,
        "can_confirm": rules.can_confirm(membership, booking),
        "can_cancel": rules.can_cancel(membership, booking),
        "can_change": rules.can_change(membership, booking),
        "can_extend": rules.can_extend(membership, booking),
        "can_start_trip": rules.can_start_trip(membership, booking),
        "can_change_series": rules.can_change_series(membership, booking),
        "can_cancel_series": rules.can_cancel_series(membership, booking),
        "series_summary": series_summary(booking.series) if booking.series else "",
        "can_complete_trip": rules.can_complete_trip(membership, booking),
        "is_booker": rules.is_booker(membership, booking),
        "decision_form": DecisionForm(initial=_waiting(booking)) if rules.can_confirm(membership, booking) else None,
    }
    opens_at = trips.trip_opens_at(booking)
    context["trip_opens_at"] = opens_at if timezone.now() < opens_at else None
    if context["can_start_trip"]:
        context["trip_start_form"] = TripStartForm(initial=_odometer(booking))
    if context["can_complete_trip"]:
        context["trip_end_form"] = TripEndForm()
    if trip is not None and trip.is_completed:
        context["trip_charge"] = ledger_selectors.trip_charge_of(membership, trip)
    return render(request, "bookings/booking_detail.html", context)


def _cancelled(request, before: Booking, after: Booking) -> None:
    if after.cancelled_late:
        messages.warning(request, _("The booking is cancelled (late: within the community's minimum notice)."))
    else:
        messages.success(request, _("The booking is cancelled."))


def _times_changed(request, before: Booking, after: Booking) -> None:
    if after.status == Booking.Status.REQUESTED and before.status == Booking.Status.CONFIRMED:
        messages.success(
            request,
            _(
                "The booking's times have been changed. They go beyond the approved times, so the booking waits for the owner's approval again."
            ),
        )
    elif after.status == Booking.Status.CONFIRMED:
        messages.success(request, _("The booking's times have been changed; it stays confirmed."))
    else:
        messages.success(request, _("The booking's times have been changed; the request waits for an answer."))


DECIDE = "bookings/booking_decide.html"
_times = _local_times("starts_at", "ends_at")
_confirmed = _said(gettext_lazy("The booking is confirmed."))
_declined = _said(gettext_lazy("The request is declined."))
_extended = _said(gettext_lazy("The booking has been extended."))
_started = _said(gettext_lazy("Trip started. Drive safely!"))


def _waiting(booking: Booking) -> dict:
    return {"waiting_after": series.waiting_after(booking)}


booking_confirm = _booking_action(
    "booking_confirm",
    rules.may_decide,
    DecisionForm,
    series.confirm_with_following,
    _confirmed,
    template=DECIDE,
    initial=_waiting,
    accept=True,
)
booking_reject = _booking_action(
    "booking_reject",
    rules.may_decide,
    DecisionForm,
    series.reject_with_following,
    _declined,
    template=DECIDE,
    initial=_waiting,
    accept=False,
)
booking_cancel = _booking_action("booking_cancel", rules.may_manage, MessageForm, services.booking_cancel, _cancelled)
booking_change = _booking_action(
    "booking_change", rules.may_manage, ChangeTimesForm, services.booking_change_times, _times_changed, initial=_times
)
booking_extend = _booking_action(
    "booking_extend", rules.may_manage, ExtendForm, services.booking_extend, _extended, initial=_local_times("ends_at")
)
trip_start = _booking_action(
    "trip_start", rules.is_booker, TripStartForm, trips.trip_start, _started, initial=_odometer
)


@booking_page
def trip_end(request, pk):
    membership = request.membership
    trip = selectors.trip_to_end(membership, pk)
    booking = trip.booking
    form = TripEndForm(request.POST or None, request.FILES or None)
    submitted = request.method == "POST" and form.is_valid()
    if submitted and attempt(form, trips.trip_complete, membership=membership, trip=trip, **form.cleaned_data):
        messages.success(request, _("Trip recorded. Thank you!"))
        return _to_detail(booking)
    # An implausible distance is refused on its confirmation box (ImplausibleDistance.field): ask there.
    ask_confirmation = form.has_error(ImplausibleDistance.field)
    if ask_confirmation:
        form.fields[ImplausibleDistance.field].widget.attrs["aria-describedby"] = "implausible-warning"
    context = {"booking": booking, "trip": trip, "form": form, "ask_confirmation": ask_confirmation}
    return render(request, "bookings/trip_end.html", context)


@community_view
@require_http_methods(["GET"])
def incident_photo(request, pk):
    """Incident photos are private files: only the booker, the owner and admins may see them."""
    photo = selectors.incident_photo_get(request.membership, pk)
    if not rules.sees_vehicle_record(request.membership, photo.incident.trip.booking):
        raise PermissionDenied
    # Served by what the file holds: a legacy upload that is not a JPEG, PNG or WebP picture is a 404.
    return private_file_response(photo.photo, allowed=IMAGE_FORMATS, filename=f"incident-photo-{photo.pk}")


@community_view
@require_http_methods(["GET"])
def calendar_feeds(request):
    membership = request.membership
    feeds = selectors.calendar_feeds_of(request.user, membership)
    vehicles = [(vehicle, feeds.get(vehicle.pk)) for vehicle in selectors.community_vehicles(membership)]
    context = {"personal_feed": feeds.get(None), "vehicles": vehicles}
    return render(request, "bookings/calendar_feeds.html", context)


@community_view
@require_POST
def calendar_feed_regenerate(request):
    membership = request.membership
    vehicle = None
    if request.POST.get("vehicle"):
        vehicle = selectors.vehicle_for_booking(membership, request.POST["vehicle"])
        if vehicle is None:
            raise Http404
    if attempt_or_message(request, services.calendar_feed_regenerate, user=request.user, vehicle=vehicle):
        messages.success(request, _("The calendar address is ready. Any older address no longer works."))
    return redirect("booking_feeds", community_id=membership.community_id)
