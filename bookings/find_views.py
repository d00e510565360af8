""" "Find a free car": pick a slot (a preset link or from/to), see the vehicles free then with their rules and an
estimated cost, book one with one button. Thin: the slot's vehicles come from ``bookings.finder``, the estimate
from ``ledger.estimates`` and the booking from ``services.booking_create``."""

from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings import finder, selectors, services
from bookings.availability import windows_text
from bookings.forms import LOCAL_FORMAT, BookingForm, SlotForm
from bookings.views import booked, booking_page
from colocauto.core.web import attempt_or_message
from ledger.estimates import EXAMPLE_KM, trip_estimate


def _local(moment) -> str:
    return timezone.localtime(moment).strftime(LOCAL_FORMAT)


def _slot(request):
    """The chosen slot ``(preset, form, starts_at, ends_at)``; no times until one is chosen."""
    preset = request.GET.get("when", "")
    if preset in finder.PRESETS:
        tz = ZoneInfo(request.community.time_zone)
        starts_at, ends_at = finder.preset_slot(preset, now=timezone.now(), tz=tz)
        form = SlotForm(initial={"starts_at": _local(starts_at), "ends_at": _local(ends_at)})
        return preset, form, starts_at, ends_at
    if "starts_at" in request.GET or "ends_at" in request.GET:
        form = SlotForm(request.GET)
        if form.is_valid():
            return "", form, form.cleaned_data["starts_at"], form.cleaned_data["ends_at"]
        return "", form, None, None
    starts_at, ends_at = finder.preset_slot("soon", now=timezone.now(), tz=ZoneInfo(request.community.time_zone))
    return "", SlotForm(initial={"starts_at": _local(starts_at), "ends_at": _local(ends_at)}), None, None


@booking_page
def booking_find(request):
    membership = request.membership
    if request.method == "POST":
        form = BookingForm(request.POST, vehicles=selectors.bookable_vehicles(membership))
        if form.is_valid():
            booking = attempt_or_message(request, services.booking_create, membership=membership, **form.cleaned_data)
            if booking:
                return booked(request, booking)
        else:
            messages.error(request, _("This vehicle can no longer be booked for these times. Choose another one."))
        # A refusal (taken meanwhile, a rule) is said on the same slot's list, which no longer offers what failed.
        query = urlencode({key: request.POST.get(key, "") for key in ("starts_at", "ends_at")})
        return redirect(f"{reverse('booking_find', args=[membership.community_id])}?{query}")
    preset, form, starts_at, ends_at = _slot(request)
    context = {"form": form, "preset": preset, "presets": finder.PRESETS, "example_km": EXAMPLE_KM}
    if starts_at is not None:
        found = finder.free_vehicles(membership, starts_at, ends_at)
        context.update(
            found=found,
            starts_at=starts_at,
            ends_at=ends_at,
            slot_start=_local(starts_at),
            slot_end=_local(ends_at),
            offers=[
                {
                    "vehicle": free.vehicle,
                    "confirmed_at_once": free.confirmed_at_once,
                    "windows": windows_text(free.vehicle.availability_windows.all()),
                    "estimate": trip_estimate(
                        vehicle=free.vehicle, driver_id=membership.user_id, starts_at=starts_at, ends_at=ends_at
                    ),
                }
                for free in found.vehicles
            ],
        )
    return render(request, "bookings/booking_find.html", context)
