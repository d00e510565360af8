"""Recurring booking pages: the form and its preview (one page, no script needed), and from an occurrence,
change or cancel it and the following ones. Thin: the dates and their refusals come from ``bookings.series``."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import ngettext

from bookings import rules, selectors, series
from bookings.forms import MessageForm
from bookings.models import Booking
from bookings.recurrence import rule_of
from bookings.series_forms import SeriesForm, chosen_days, initial_from_times
from bookings.views import _booking_action, booking_page
from colocauto.core.web import attempt


@booking_page
def series_create(request):
    """Every week (or month) from the first date: "See the dates", untick some, then "Book"."""
    initial = initial_from_times(request.GET.get("start"), request.GET.get("end"))
    vehicle = selectors.vehicle_for_booking(request.membership, request.GET.get("vehicle"))
    if vehicle is not None and vehicle.is_active:
        initial["vehicle"] = vehicle.pk
    initial["note"] = request.GET.get("note", "")[:500]
    return _series_page(request, initial=initial)


@booking_page
def booking_series_change(request, pk):
    """Replace this occurrence and the following ones by the dates of a new rule (the same preview)."""
    booking = selectors.booking_get_allowed(request.membership, pk, rules.can_change_series)
    rule = rule_of(booking.series)
    initial = {
        "vehicle": booking.vehicle_id,
        "first_date": timezone.localtime(booking.starts_at).date(),
        "start_time": rule.start_time,
        "end_time": rule.end_time,
        "frequency": rule.frequency,
        "interval": rule.interval,
        "until": rule.until,
        "note": booking.note,
    }
    return _series_page(request, initial=initial, replacing=booking)


def _series_page(request, *, initial: dict, replacing: Booking | None = None):
    membership = request.membership
    form = SeriesForm(request.POST or None, initial=initial, vehicles=selectors.bookable_vehicles(membership))
    preview, ticked = None, set()
    if request.method == "POST" and form.is_valid():
        kwargs = {"membership": membership, "vehicle": form.cleaned_data["vehicle"], "replacing": replacing}
        rule = form.recurrence()
        if "save" in request.POST:
            ticked = chosen_days(request.POST.getlist("day"))
            made = attempt(form, series.series_create, rule=rule, days=ticked, note=form.cleaned_data["note"], **kwargs)
            if made is not None:
                return _saved(request, made)
        preview = attempt(form, series.series_preview, rule=rule, **kwargs)
        # First preview: every free date is ticked; after a refused save, what was ticked and is still free.
        if preview is not None:
            ticked = preview.free_days & ticked if "save" in request.POST else preview.free_days
    context = {"form": form, "preview": preview, "ticked": ticked, "replacing": replacing}
    return render(request, "bookings/series_form.html", context)


def _saved(request, made):
    bookings = list(made.bookings.order_by("starts_at"))
    waiting = any(b.status == Booking.Status.REQUESTED for b in bookings)
    count = len(bookings)
    if waiting:
        text = ngettext(
            "%(count)d booking requested; each waits for the owner's answer.",
            "%(count)d bookings requested; each waits for the owner's answer.",
            count,
        )
    else:
        text = ngettext("%(count)d booking confirmed.", "%(count)d bookings confirmed.", count)
    messages.success(request, text % {"count": count})
    return redirect("booking_detail", community_id=made.community_id, pk=bookings[0].pk)


def _cancelled(request, before: Booking, after: list[Booking]) -> None:
    count = len(after)
    messages.success(
        request,
        ngettext("%(count)d booking is cancelled.", "%(count)d bookings are cancelled.", count) % {"count": count},
    )


booking_series_cancel = _booking_action(
    "booking_series_cancel", rules.can_cancel_series, MessageForm, series.series_cancel_following, _cancelled
)
