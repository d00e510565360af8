"""Vehicle pages. Thin: parse input, call one service or selector, render. Scoping is done by community_view."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from bookings import selectors as booking_selectors
from colocauto.core.files import IMAGE_FORMATS, private_file_response
from colocauto.core.web import attempt, attempt_or_message, offline_copy
from communities.access import community_view, in_community_time
from vehicles import rules, selectors, services
from vehicles.forms import BlackoutForm, VehicleForm, WindowFormSet, cost_model_notice


def _managed_vehicle(request, pk):
    """The vehicle, if this member may change it: 404 outside the community, 403 for other members."""
    vehicle = selectors.vehicle_get(request.membership, pk)
    if not rules.can_manage(request.membership, vehicle):
        raise PermissionDenied
    return vehicle


def _to_detail(request, vehicle):
    """Back to the vehicle's page, after an action."""
    return redirect("vehicle_detail", community_id=request.community.pk, pk=vehicle.pk)


@community_view
@require_GET
def vehicle_list(request):
    vehicles = selectors.vehicles_for(request.membership)
    return render(request, "vehicles/vehicle_list.html", {"vehicles": vehicles})


@offline_copy
@community_view
@require_GET
@in_community_time
def vehicle_detail(request, pk):
    vehicle = selectors.vehicle_get(request.membership, pk)
    context = {
        "vehicle": vehicle,
        "can_manage": rules.can_manage(request.membership, vehicle),
        "windows": selectors.windows_of(vehicle),
        "blackouts": selectors.upcoming_blackouts_of(vehicle),
        "cost_model": selectors.cost_model_schedule(vehicle),
    }
    return render(request, "vehicles/vehicle_detail.html", context)


@community_view
@in_community_time
def vehicle_create(request):
    form = VehicleForm(request.POST or None, request.FILES or None, membership=request.membership)
    if request.method == "POST" and form.is_valid():
        vehicle = attempt(
            form,
            services.vehicle_create,
            membership=request.membership,
            data=form.service_data(),
            photo=form.cleaned_data.get("photo"),
        )
        if vehicle is not None:
            messages.success(request, _("%(name)s has been added.") % {"name": vehicle.name})
            return _to_detail(request, vehicle)
    return render(request, "vehicles/vehicle_form.html", {"form": form, "vehicle": None})


@community_view
@in_community_time
def vehicle_edit(request, pk):
    vehicle = _managed_vehicle(request, pk)
    saved_name = vehicle.name  # validating the form writes the typed values onto the instance
    form = VehicleForm(request.POST or None, request.FILES or None, instance=vehicle, membership=request.membership)
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            form,
            services.vehicle_update,
            membership=request.membership,
            vehicle=vehicle,
            data=form.service_data(),
            photo=form.cleaned_data.get("photo"),
            remove_photo=form.cleaned_data.get("remove_photo", False),
        )
        if saved is not None:
            messages.success(request, _("%(name)s has been saved.") % {"name": vehicle.name})
            schedule = selectors.cost_model_schedule(vehicle)
            if schedule.next_model:
                messages.info(request, cost_model_notice(schedule))
            return _to_detail(request, vehicle)
    return render(request, "vehicles/vehicle_form.html", {"form": form, "vehicle": vehicle, "vehicle_name": saved_name})


@community_view
@require_POST
def vehicle_set_active(request, pk):
    vehicle = _managed_vehicle(request, pk)
    active = request.POST.get("active") == "1"
    if attempt_or_message(
        request, services.vehicle_set_active, membership=request.membership, vehicle=vehicle, active=active
    ):
        if active:
            messages.success(request, _("%(name)s can be booked again.") % {"name": vehicle.name})
        else:
            messages.success(request, _("%(name)s is paused: nobody can book it.") % {"name": vehicle.name})
    return _to_detail(request, vehicle)


@community_view
def vehicle_availability(request, pk):
    vehicle = _managed_vehicle(request, pk)
    initial = [
        {"weekday": w.weekday, "start_time": w.start_time, "end_time": w.end_time}
        for w in selectors.windows_of(vehicle)
    ]
    formset = WindowFormSet(request.POST or None, initial=initial, prefix="windows")
    if request.method == "POST" and formset.is_valid():
        typed = formset.windows()
        windows = attempt(
            formset, services.availability_replace, membership=request.membership, vehicle=vehicle, windows=typed
        )
        if windows is not None:
            if windows:
                messages.success(
                    request, _("The weekly availability of %(name)s has been saved.") % {"name": vehicle.name}
                )
            else:
                messages.success(request, _("%(name)s is now available at any time.") % {"name": vehicle.name})
            return _to_detail(request, vehicle)
    return render(request, "vehicles/vehicle_availability.html", {"vehicle": vehicle, "formset": formset})


@community_view
@in_community_time
def vehicle_blackout_add(request, pk):
    vehicle = _managed_vehicle(request, pk)
    form = BlackoutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        blackout = attempt(
            form,
            services.blackout_add,
            membership=request.membership,
            vehicle=vehicle,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            reason=data["reason"],
        )
        if blackout is not None:
            messages.success(
                request,
                _("Blocked: nobody can book %(name)s from %(start)s to %(end)s.")
                % {
                    "name": vehicle.name,
                    "start": formats.date_format(timezone.localtime(blackout.starts_at), "SHORT_DATETIME_FORMAT"),
                    "end": formats.date_format(timezone.localtime(blackout.ends_at), "SHORT_DATETIME_FORMAT"),
                },
            )
            held = booking_selectors.holding_bookings_count(vehicle, blackout.starts_at, blackout.ends_at)
            if held:
                messages.warning(
                    request,
                    ngettext(
                        "%(count)d booking already falls in this period; it is not cancelled, so tell the "
                        "person concerned.",
                        "%(count)d bookings already fall in this period; they are not cancelled, so tell the "
                        "people concerned.",
                        held,
                    )
                    % {"count": held},
                )
            return _to_detail(request, vehicle)
    return render(request, "vehicles/blackout_form.html", {"vehicle": vehicle, "form": form})


@community_view
@require_POST
def vehicle_blackout_delete(request, pk, bpk):
    vehicle = _managed_vehicle(request, pk)
    blackout = selectors.blackout_get(vehicle, bpk)
    if attempt_or_message(request, services.blackout_delete, membership=request.membership, blackout=blackout):
        messages.success(request, _("The unavailability period has been removed."))
    return _to_detail(request, vehicle)


@community_view
@require_GET
def vehicle_photo(request, pk):
    """The photo, only for members of the vehicle's community: uploaded files are never public."""
    vehicle = selectors.vehicle_get(request.membership, pk)
    return private_file_response(vehicle.photo, allowed=IMAGE_FORMATS, filename=f"vehicle-{vehicle.pk}")
