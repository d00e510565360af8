"""Booking and trip pages. Thin: parse the form, call one service, show its refusal on the form."""

from functools import wraps
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bookings import permissions, selectors, services
from bookings.formatting import history_rows
from bookings.forms import (
    BookingForm,
    ChangeTimesForm,
    ExtendForm,
    MessageForm,
    TripEndForm,
    TripStartForm,
    parse_query_datetime,
)
from bookings.models import Booking
from colocauto.core.errors import DomainError, NotAllowed
from colocauto.uploads import IMAGE_EXTENSIONS, IMAGE_FORMATS, stored_image_format
from communities.access import community_view


def in_community_time(view):
    """Show and read every date-time of the page in the community's time zone."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        with timezone.override(ZoneInfo(request.community.time_zone)):
            return view(request, *args, **kwargs)

    return wrapper


def _refusal(form, error: DomainError) -> None:
    """A service refused: 403 for a permission, else the reason on the form (the input is kept)."""
    if isinstance(error, NotAllowed):
        raise PermissionDenied(str(error.message))
    form.add_error(None, error.message)


def _to_detail(booking: Booking):
    return redirect("booking_detail", community_id=booking.community_id, pk=booking.pk)


@community_view
@in_community_time
@require_http_methods(["GET", "POST"])
def booking_create(request):
    membership = request.membership
    vehicles = selectors.bookable_vehicles(membership)
    if request.method == "POST":
        form = BookingForm(request.POST, vehicles=vehicles)
        if form.is_valid():
            data = form.cleaned_data
            try:
                booking = services.booking_create(
                    membership=membership,
                    vehicle=data["vehicle"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    note=data["note"],
                )
            except DomainError as error:
                _refusal(form, error)
            else:
                if booking.status == Booking.Status.REQUESTED:
                    messages.success(request, _("Your request has been sent; the slot is held until it is answered."))
                else:
                    messages.success(request, _("Your booking is confirmed."))
                return _to_detail(booking)
    else:
        vehicle = selectors.vehicle_for_booking(membership, request.GET.get("vehicle"))
        initial = {
            "vehicle": vehicle.pk if vehicle and vehicle.is_active else None,
            "starts_at": parse_query_datetime(request.GET.get("start")),
            "ends_at": parse_query_datetime(request.GET.get("end")),
        }
        form = BookingForm(initial=initial, vehicles=vehicles)
    return render(request, "bookings/booking_form.html", {"form": form})


@community_view
@in_community_time
@require_http_methods(["GET"])
def booking_detail(request, pk):
    membership = request.membership
    booking = selectors.booking_get(membership, pk)
    trip = booking.trip if permissions.has_trip(booking) else None
    sees_record = permissions.sees_vehicle_record(membership, booking)
    context = {
        "booking": booking,
        "trip": trip,
        "history": history_rows(selectors.booking_history(booking)),
        "incidents": selectors.trip_incidents(trip) if trip and sees_record else [],
        "sees_record": sees_record,
        "can_confirm": permissions.can_confirm(membership, booking),
        "can_cancel": permissions.can_cancel(membership, booking),
        "can_change": permissions.can_change(membership, booking),
        "can_extend": permissions.can_extend(membership, booking),
        "can_start_trip": permissions.can_start_trip(membership, booking),
        "can_complete_trip": permissions.can_complete_trip(membership, booking),
        "is_booker": permissions.is_booker(membership, booking),
        "decision_form": MessageForm(),
    }
    opens_at = booking.starts_at - services.TRIP_EARLY_START
    context["trip_opens_at"] = opens_at if timezone.now() < opens_at else None
    if context["can_start_trip"]:
        context["trip_start_form"] = TripStartForm(initial={"start_odometer": booking.vehicle.odometer_km})
    if context["can_complete_trip"]:
        context["trip_end_form"] = TripEndForm()
    return render(request, "bookings/booking_detail.html", context)


def _booking_allowed(membership, pk, rule) -> Booking:
    """The community's booking ``pk`` (404 outside it), if ``rule`` lets this member act on it (else 403)."""
    booking = selectors.booking_get(membership, pk)
    if not rule(membership, booking):
        raise PermissionDenied
    return booking


def _decision_view(request, pk, *, accept: bool):
    membership = request.membership
    booking = _booking_allowed(membership, pk, permissions.may_decide)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service = services.booking_confirm if accept else services.booking_reject
        try:
            service(membership=membership, booking=booking, message=form.cleaned_data["message"])
        except DomainError as error:
            _refusal(form, error)
        else:
            messages.success(request, _("The booking is confirmed.") if accept else _("The request is declined."))
            return _to_detail(booking)
    return render(request, "bookings/booking_decide.html", {"booking": booking, "form": form, "accept": accept})


@community_view
@in_community_time
@require_http_methods(["GET", "POST"])
def booking_confirm(request, pk):
    return _decision_view(request, pk, accept=True)


@community_view
@in_community_time
@require_http_methods(["GET", "POST"])
def booking_reject(request, pk):
    return _decision_view(request, pk, accept=False)


@community_view
@in_community_time
@require_http_methods(["GET", "POST"])
def booking_cancel(request, pk):
    membership = request.membership
    booking = _booking_allowed(membership, pk, permissions.may_manage)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_cancel(membership=membership, booking=booking, message=form.cleaned_data["message"])
        except DomainError as error:
            _refusal(form, error)
        else:
            booking.refresh_from_db()
            if booking.cancelled_late:
                messages.warning(request, _("The booking is cancelled (late: within the community's minimum notice)."))
            else:
                messages.success(request, _("The booking is cancelled."))
            return _to_detail(booking)
    return render(request, "bookings/booking_cancel.html", {"booking": booking, "form": form})


@community_view
@in_community_time
@require_http_methods(["GET", "POST"])
def booking_change(request, pk):
    membership = request.membership
    booking = _booking_allowed(membership, pk, permissions.may_manage)
    initial = {"starts_at": timezone.localtime(booking.starts_at), "ends_at": timezone.localtime(booking.ends_at)}
    form = ChangeTimesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        was_confirmed = booking.status == Booking.Status.CONFIRMED
        try:
            changed = services.booking_change_times(
                membership=membership,
                booking=booking,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
            )
        except DomainError as error:
            _refusal(form, error)
        else:
            if changed.status == Booking.Status.REQUESTED and was_confirmed:
                messages.success(
                    request,
                    _(
                        "The booking's times have been changed. They go beyond the approved times, so the booking waits for the owner's approval again."
                    ),
                )
            elif changed.status == Booking.Status.CONFIRMED:
                messages.success(request, _("The booking's times have been changed; it stays confirmed."))
            else:
                messages.success(request, _("The booking's times have been changed; the request waits for an answer."))
            return _to_detail(booking)
    return render(request, "bookings/booking_change.html", {"booking": booking, "form": form})


@community_view
@in_community_time
@require_http_methods(["GET", "POST"])
def booking_extend(request, pk):
    membership = request.membership
    booking = _booking_allowed(membership, pk, permissions.may_manage)
    form = ExtendForm(request.POST or None, initial={"ends_at": timezone.localtime(booking.ends_at)})
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_extend(membership=membership, booking=booking, ends_at=form.cleaned_data["ends_at"])
        except DomainError as error:
            _refusal(form, error)
        else:
            messages.success(request, _("The booking has been extended."))
            return _to_detail(booking)
    return render(request, "bookings/booking_extend.html", {"booking": booking, "form": form})


@community_view
@in_community_time
@require_http_methods(["GET", "POST"])
def trip_start(request, pk):
    membership = request.membership
    booking = _booking_allowed(membership, pk, permissions.is_booker)
    form = TripStartForm(request.POST or None, initial={"start_odometer": booking.vehicle.odometer_km})
    if request.method == "POST" and form.is_valid():
        try:
            services.trip_start(
                membership=membership, booking=booking, start_odometer=form.cleaned_data["start_odometer"]
            )
        except DomainError as error:
            _refusal(form, error)
        else:
            messages.success(request, _("Trip started. Drive safely!"))
            return _to_detail(booking)
    return render(request, "bookings/trip_start.html", {"booking": booking, "form": form})


@community_view
@in_community_time
@require_http_methods(["GET", "POST"])
def trip_end(request, pk):
    membership = request.membership
    booking = selectors.booking_get(membership, pk)
    trip = booking.trip if permissions.has_trip(booking) else None
    if trip is None:
        raise Http404
    if trip.driver_id != membership.user_id:
        raise PermissionDenied
    form = TripEndForm(request.POST or None, request.FILES or None)
    ask_confirmation = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.trip_complete(
                membership=membership,
                trip=trip,
                end_odometer=data["end_odometer"],
                fuel_level=data["fuel_level"],
                notes=data["notes"],
                confirm_implausible=data["confirm_implausible"],
                incident_description=data["incident_description"],
                incident_photos=data["incident_photos"],
            )
        except services.ImplausibleDistance as error:
            ask_confirmation = True
            form.add_error("confirm_implausible", error.message)
            form.fields["confirm_implausible"].widget.attrs["aria-describedby"] = "implausible-warning"
        except DomainError as error:
            _refusal(form, error)
        else:
            messages.success(request, _("Trip recorded. Thank you!"))
            return _to_detail(booking)
    context = {"booking": booking, "trip": trip, "form": form, "ask_confirmation": ask_confirmation}
    return render(request, "bookings/trip_end.html", context)


@community_view
@require_http_methods(["GET"])
def incident_photo(request, pk):
    """Incident photos are private files: only the booker, the owner and admins may see them."""
    photo = selectors.incident_photo_get(request.membership, pk)
    if not permissions.sees_vehicle_record(request.membership, photo.incident.trip.booking):
        raise PermissionDenied
    try:
        handle = photo.photo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    # The type comes from the content, never the file name: a file that is not a JPEG, PNG or WebP
    # picture (stored before uploads were re-encoded) is refused rather than served as a page.
    image_format = stored_image_format(handle)
    if image_format is None:
        handle.close()
        raise Http404
    response = FileResponse(
        handle,
        content_type=IMAGE_FORMATS[image_format],
        filename=f"incident-photo-{photo.pk}.{IMAGE_EXTENSIONS[image_format]}",
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@community_view
@require_http_methods(["GET"])
def calendar_feeds(request):
    membership = request.membership
    feeds = selectors.calendar_feeds_of(request.user, membership)
    vehicles = [(vehicle, feeds.get(vehicle.pk)) for vehicle in selectors.community_vehicles(membership)]
    context = {"personal_feed": feeds.get(None), "vehicles": vehicles, "site_url": settings.SITE_URL.rstrip("/")}
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
    try:
        services.calendar_feed_regenerate(user=request.user, vehicle=vehicle)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The calendar address is ready. Any older address no longer works."))
    return redirect("booking_feeds", community_id=membership.community_id)
