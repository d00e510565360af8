"""Words for durations and history lines, in the active language and time zone."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bookings.models import Booking, BookingEvent, BookingSeries
from bookings.recurrence import rule_of, summary


def duration_text(value: timedelta | None) -> str:
    """'2 days', '3 hours', '1 day 6 hours', '30 minutes'."""
    if value is None:
        return ""
    days, seconds = value.days, value.seconds
    hours, minutes = divmod(seconds // 60, 60)
    parts = []
    if days:
        parts.append(ngettext("%(count)d day", "%(count)d days", days) % {"count": days})
    if hours:
        parts.append(ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours})
    if minutes or not parts:
        parts.append(ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes})
    return " ".join(parts)


@dataclass
class HistoryRow:
    label: str
    actor: str
    at: datetime
    lines: list[str] = field(default_factory=list)


def history_rows(events) -> list[HistoryRow]:
    """One readable row per history line: what happened, who did it, the times before and after."""
    rows = []
    for event in events:
        details = event.details or {}
        lines = []
        if event.kind in (BookingEvent.Kind.CREATED, BookingEvent.Kind.CHANGED, BookingEvent.Kind.EXTENDED):
            if details.get("old_starts_at") or details.get("old_ends_at"):
                lines.append(
                    _("Before: %(start)s → %(end)s")
                    % {
                        "start": _moment(details.get("old_starts_at") or details.get("starts_at")),
                        "end": _moment(details.get("old_ends_at")),
                    }
                )
            if details.get("starts_at"):
                lines.append(
                    _("Times: %(start)s → %(end)s")
                    % {"start": _moment(details["starts_at"]), "end": _moment(details.get("ends_at"))}
                )
            if details.get("status"):
                lines.append(_("Status: %(status)s") % {"status": Booking.Status(details["status"]).label})
        if event.kind == BookingEvent.Kind.CANCELLED and details.get("late"):
            lines.append(_("Late cancellation"))
        if event.kind == BookingEvent.Kind.TRIP_STARTED:
            lines.append(
                _("Odometer: %(km)s km")
                % {"km": formats.number_format(details.get("start_odometer", 0), force_grouping=True)}
            )
            if details.get("unlogged_km"):
                lines.append(
                    _("%(km)s km unlogged since the last trip")
                    % {"km": formats.number_format(details["unlogged_km"], force_grouping=True)}
                )
        if event.kind == BookingEvent.Kind.TRIP_COMPLETED:
            lines.append(
                _("Odometer: %(km)s km (%(distance)s km driven)")
                % {
                    "km": formats.number_format(details.get("end_odometer", 0), force_grouping=True),
                    "distance": formats.number_format(details.get("distance_km", 0), force_grouping=True),
                }
            )
            if details.get("incident"):
                lines.append(_("Incident reported"))
        if details.get("reason"):
            lines.append(reason_text(details["reason"]))
        if details.get("message"):
            lines.append(_("Message: %(message)s") % {"message": details["message"]})
        rows.append(
            HistoryRow(
                label=event.get_kind_display(),
                actor=event.actor.name if event.actor else _("someone"),
                at=event.created_at,
                lines=lines,
            )
        )
    return rows


def series_summary(series: BookingSeries) -> str:
    """A recurring booking's rule in words: "Every week on Wednesday from 14:00 to 18:00 until …"."""
    return summary(rule_of(series))


def reason_text(code: str) -> str:
    """A ``Booking.Reason`` code in the active language (the reader's); an unknown code as it is."""
    try:
        return str(Booking.Reason(code).label)
    except ValueError:
        return code


def _moment(value: str | None) -> str:
    if not value:
        return "…"
    return formats.date_format(timezone.localtime(datetime.fromisoformat(value)), "SHORT_DATETIME_FORMAT")
