from django import template

from bookings.formatting import duration_text

register = template.Library()


@register.filter
def duration_words(value) -> str:
    return duration_text(value)
