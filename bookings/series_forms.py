"""The form of a recurring booking: the first date and its times, how it repeats, until when.

Dates and times are the community's wall-clock ones (``bookings.recurrence`` makes them aware per date).
"""

import contextlib
from datetime import date, datetime, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from bookings.forms import LOCAL_FORMAT, text_field
from bookings.models import BookingSeries
from bookings.recurrence import MAX_INTERVAL, Recurrence, rule_problem
from colocauto.core.parsers import in_year_range, validate_year_range

DEFAULT_LENGTH = timedelta(weeks=12)  # "until" proposed when the person has not said


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self):
        super().__init__(attrs={"step": 60}, format="%H:%M")


class SeriesForm(forms.Form):
    vehicle: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Vehicle"), queryset=None, empty_label=_("Choose a vehicle")
    )
    first_date = forms.DateField(
        label=_("First date"),
        widget=DateInput(),
        validators=[validate_year_range],
        help_text=_("It repeats on this weekday; every month, on the same one of the month (say, the 2nd Wednesday)."),
    )
    start_time = forms.TimeField(label=_("From"), widget=TimeInput())
    end_time = forms.TimeField(label=_("To"), widget=TimeInput(), help_text=_("At or before the start: the next day."))
    frequency = forms.ChoiceField(
        label=_("Repeat"), choices=BookingSeries.Frequency.choices, widget=forms.RadioSelect, initial="weekly"
    )
    interval = forms.IntegerField(
        label=_("Every how many weeks or months"),
        min_value=1,
        max_value=MAX_INTERVAL,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("1: every week (or every month); 2: every other week…"),
    )
    until = forms.DateField(label=_("Last date"), widget=DateInput(), validators=[validate_year_range])
    note = text_field(_("Note"), max_length=500)

    def __init__(self, *args, vehicles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vehicle"].queryset = vehicles

    def clean(self):
        cleaned = super().clean()
        if all(cleaned.get(name) is not None for name in ("first_date", "until", "start_time", "end_time")):
            problem = rule_problem(self.recurrence())
            if problem:
                self.add_error("until", problem)
        return cleaned

    def recurrence(self) -> Recurrence:
        data = self.cleaned_data
        return Recurrence(
            frequency=data.get("frequency") or BookingSeries.Frequency.WEEKLY,
            interval=data.get("interval") or 1,
            first_date=data["first_date"],
            until=data["until"],
            start_time=data["start_time"],
            end_time=data["end_time"],
        )


def initial_from_times(start: str | None, end: str | None) -> dict:
    """The form filled in from a booking's ``datetime-local`` start and end (the booking form's "Repeat")."""
    initial: dict = {}
    try:
        starts_at = datetime.strptime(start or "", LOCAL_FORMAT)
    except ValueError:
        return initial
    if not in_year_range(starts_at):  # a year no booking can have (9999 would overflow the default "until")
        return initial
    initial.update(first_date=starts_at.date(), start_time=starts_at.time(), until=starts_at.date() + DEFAULT_LENGTH)
    with contextlib.suppress(ValueError):
        initial["end_time"] = datetime.strptime(end or "", LOCAL_FORMAT).time()
    return initial


def chosen_days(values: list[str]) -> set[date]:
    """The ticked dates (ISO 8601) of the preview; anything else is ignored."""
    days = set()
    for value in values:
        try:
            days.add(date.fromisoformat(value))
        except ValueError:
            continue
    return days
