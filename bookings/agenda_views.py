"""Calendar and "my bookings" pages: parse the query string, call one selector, render."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from bookings import agenda
from communities.access import community_view


@community_view
@require_GET
def calendar(request, vehicle_id: int | None = None):
    """Week (default), day or month of the community's vehicles, or of one vehicle."""
    now = timezone.now()
    tz = agenda.community_tz(request.membership)
    chosen_view = request.GET.get("view")
    view = agenda.parse_view(chosen_view)
    day = agenda.parse_day(request.GET.get("date"), default=agenda.local_today(tz, now))
    page = agenda.calendar_page(membership=request.membership, vehicle_id=vehicle_id, view=view, day=day, now=now)
    return render(
        request,
        "bookings/calendar.html",
        {"cal": page, "view_chosen": chosen_view in agenda.VIEWS, "time_zone": request.community.time_zone},
    )


@community_view
@require_GET
def my_bookings(request):
    """The member's own bookings here: in progress, upcoming, trips to record, and the past (paginated)."""
    mine = agenda.my_bookings(membership=request.membership, now=timezone.now(), page=request.GET.get("page"))
    sections = [
        {
            "key": "in-progress",
            "title": _("In progress"),
            "bookings": mine.in_progress,
            "empty": _("No booking in progress."),
        },
        {"key": "upcoming", "title": _("Upcoming"), "bookings": mine.upcoming, "empty": _("No upcoming booking.")},
        {
            "key": "past",
            "title": _("Past and cancelled"),
            "bookings": mine.past.object_list,
            "empty": _("No past booking yet."),
            "page": mine.past,
        },
    ]
    return render(
        request,
        "bookings/my_bookings.html",
        {"mine": mine, "sections": sections, "time_zone": request.community.time_zone},
    )
