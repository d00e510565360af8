from datetime import timedelta

from django import template
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def duration_words(value: timedelta | None) -> str:
    """A rule's duration in plain words: “7 days”, “36 hours”, “1 day and 2 hours”."""
    if value is None:
        return ""
    hours_total = int(value.total_seconds() // 3600)
    days, hours = divmod(hours_total, 24)
    if days and hours:
        return (
            ngettext("%(days)d day", "%(days)d days", days) % {"days": days}
            + " "
            + (ngettext("and %(hours)d hour", "and %(hours)d hours", hours) % {"hours": hours})
        )
    if days:
        return ngettext("%(days)d day", "%(days)d days", days) % {"days": days}
    return ngettext("%(hours)d hour", "%(hours)d hours", hours) % {"hours": hours}
