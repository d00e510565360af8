"""Calendar and "my bookings" pages: parse the query string, call one selector, render."""

from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from bookings import selectors
from bookings.calendar import VIEWS, calendar_page, community_tz, parse_day, parse_page, parse_view
from bookings.timegrid import local_today
from colocauto.core.web import compressible, offline_copy
from communities.access import community_view


@compressible  # the week of many vehicles is the largest page; the calendar shows no secret
@community_view
@require_GET
def calendar(request, vehicle_id: int | None = None):
    """Week (default; day on a phone), day or month of the community's vehicles, or of one vehicle."""
    now = timezone.now()
    tz = community_tz(request.membership)
    chosen_view = request.GET.get("view")
    view_chosen = chosen_view in VIEWS
    view = parse_view(chosen_view) if view_chosen or not is_phone(request) else "day"
    day = parse_day(request.GET.get("date"), default=local_today(tz, now))
    page = calendar_page(
        membership=request.membership,
        vehicle_id=vehicle_id,
        view=view,
        day=day,
        now=now,
        page_number=parse_page(request.GET.get("page")),
    )
    # Every grid of the page shares one time axis: render it once, not once per vehicle.
    axis = render_to_string("bookings/calendar_axis.html", {"cal": page}) if page.grids else ""
    # The calendar's own moves (its links marked hx-boost, calendar.js) need only the calendar, not the page
    # around it; a page the browser reloads from its history is a whole page.
    in_place = bool(request.htmx) and not request.htmx.history_restore_request
    template = "bookings/calendar_fragment.html" if in_place else "bookings/calendar.html"
    response = render(request, template, {"cal": page, "axis": axis, "time_zone": request.community.time_zone})
    patch_vary_headers(response, ("HX-Request",) if view_chosen else ("HX-Request", *PHONE_HEADERS))
    return response


PHONE_HEADERS = ("Sec-CH-UA-Mobile", "User-Agent")


def is_phone(request) -> bool:
    """Whether the browser says it is a phone's: the client hint Chromium-based browsers send, or "Mobi" in the
    user agent (Safari, Firefox), as MDN advises. A phone gets the day view when it chose none: one column it
    can read, from the server, with no script and no second page."""
    return request.headers.get("Sec-CH-UA-Mobile") == "?1" or "Mobi" in request.headers.get("User-Agent", "")


@offline_copy
@community_view
@require_GET
def my_bookings(request):
    """Requests the member may answer, then their own bookings: in progress, to record, upcoming, past (paginated)."""
    mine = selectors.my_bookings(
        membership=request.membership,
        now=timezone.now(),
        upcoming_page=request.GET.get("upcoming"),
        past_page=request.GET.get("past"),
    )
    sections = [
        {
            "key": "in-progress",
            "title": _("In progress"),
            "bookings": mine.in_progress,
            "empty": _("No booking in progress."),
        },
        _paged_section(request, "upcoming", _("Upcoming"), mine.upcoming, _("No upcoming booking.")),
        _paged_section(request, "past", _("Past and cancelled"), mine.past, _("No past booking yet.")),
    ]
    return render(
        request,
        "bookings/my_bookings.html",
        {
            "mine": mine,
            "sections": sections,
            "to_decide": list(selectors.requests_awaiting_decision(request.membership)),
            "personal_feed": selectors.personal_feed(request.user),
            "time_zone": request.community.time_zone,
        },
    )


def _paged_section(request, key: str, title: str, page, empty: str) -> dict:
    """A section of My bookings with its own page number in the query string (the others' are kept)."""

    def url(number: int) -> str:
        query = request.GET.copy()
        query[key] = number
        return f"?{query.urlencode()}#{key}"

    return {
        "key": key,
        "title": title,
        "bookings": list(page.object_list),
        "empty": empty,
        "page": page,
        "previous_url": url(page.previous_page_number()) if page.has_previous() else "",
        "next_url": url(page.next_page_number()) if page.has_next() else "",
    }
