"""Booking and trip forms. Times are entered as ``datetime-local`` in the community's time zone: the
views activate that zone, so Django's DateTimeField makes the values aware in it."""

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from bookings.models import Trip
from colocauto.core.parsers import MAX_YEAR, MIN_YEAR, validate_year_range
from colocauto.uploads import validate_photo

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
MAX_INCIDENT_PHOTOS = 5


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs={"step": 60, **(attrs or {})}, format=LOCAL_FORMAT)


def local_datetime_field(label) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=LocalDateTimeInput(),
        input_formats=[LOCAL_FORMAT, "%Y-%m-%d %H:%M"],
        validators=[validate_year_range],
    )


def parse_query_datetime(value: str | None) -> str | None:
    """An ISO date-time from a link (aware or local) as a ``datetime-local`` value in the active zone."""
    if not value:
        return None
    value = value.strip().replace(" ", "+")  # a '+' offset that was not URL-encoded arrives as a space
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        return None  # a year-1 time with a +14:00 offset cannot even be moved to the local zone
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime(LOCAL_FORMAT)


def local_after(value: str | None, length) -> str | None:
    """A ``datetime-local`` value ``length`` later on the clock, or None."""
    if value is None:
        return None
    return (datetime.strptime(value, LOCAL_FORMAT) + length).strftime(LOCAL_FORMAT)


def text_field(label, *, max_length: int | None = None, help_text: str = "") -> forms.CharField:
    """An optional few lines of free text."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=help_text,
    )


def odometer_field(label) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=0, max_value=9_999_999, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )


class TimesValidationMixin:
    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The end must be after the start."))
        return cleaned


class BookingForm(TimesValidationMixin, forms.Form):
    vehicle = forms.ModelChoiceField(label=_("Vehicle"), queryset=None, empty_label=_("Choose a vehicle"))
    starts_at = local_datetime_field(_("Start"))
    ends_at = local_datetime_field(_("End"))
    note = text_field(
        _("Note"), max_length=500, help_text=_("Optional: where you are going, when you will bring it back…")
    )

    def __init__(self, *args, vehicles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vehicle"].queryset = vehicles


class SlotForm(TimesValidationMixin, forms.Form):
    """The slot of "find a free car"."""

    starts_at = local_datetime_field(_("From"))
    ends_at = local_datetime_field(_("To"))


class ChangeTimesForm(TimesValidationMixin, forms.Form):
    starts_at = local_datetime_field(_("New start"))
    ends_at = local_datetime_field(_("New end"))


class ExtendForm(forms.Form):
    ends_at = local_datetime_field(_("New end"))


class MessageForm(forms.Form):
    message = text_field(_("Message (optional)"), max_length=500)


class DecisionForm(MessageForm):
    """An answer to a request; for a date of a recurring booking with later dates waiting (``initial``'s
    ``waiting_after``), a box to give the same answer to them."""

    following = forms.BooleanField(
        required=False,
        label=_("The same answer for the following dates of its recurring booking that wait (none outside one)"),
    )
    # The API offers the box on every request (a client cannot be shown it only where it applies).
    always_offer = False

    def __init__(self, *args, initial=None, **kwargs):
        initial = dict(initial or {})
        waiting = initial.pop("waiting_after", 0)
        super().__init__(*args, initial=initial, **kwargs)
        if self.always_offer:
            return
        if waiting:
            self.fields["following"].label = ngettext(
                "The same answer for the following date of this recurring booking that waits",
                "The same answer for the %(count)d following dates of this recurring booking that wait",
                waiting,
            ) % {"count": waiting}
        else:
            del self.fields["following"]


class RequestAnswerForm(DecisionForm):
    always_offer = True


class TripStartForm(forms.Form):
    start_odometer = odometer_field(_("Odometer at the start (km)"))


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several photos at once; each must be a real JPEG, PNG or WebP within the size limit."""

    widget = MultipleImageInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("accept", "image/jpeg,image/png,image/webp")

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_INCIDENT_PHOTOS:
            raise forms.ValidationError(
                _("Attach at most %(count)d photos."), code="too_many", params={"count": MAX_INCIDENT_PHOTOS}
            )
        cleaned = [super(MultipleImageField, self).clean(f, initial) for f in files]
        for upload in cleaned:
            validate_photo(upload)
        return cleaned


class TripEndForm(forms.Form):
    end_odometer = odometer_field(_("Odometer at the end (km)"))
    fuel_level = forms.ChoiceField(
        label=_("Fuel or charge level"), required=False, choices=[("", _("Not noted")), *Trip.FuelLevel.choices]
    )
    notes = text_field(_("Notes"))
    incident_description = text_field(
        _("Something happened? Describe it"),
        max_length=2000,
        help_text=_("Damage, warning light, breakdown… The owner and the admins will see it."),
    )
    incident_photos = MultipleImageField(
        label=_("Photos of the incident"),
        help_text=_("Up to 5 photos (JPEG, PNG or WebP)."),
    )
    confirm_implausible = forms.BooleanField(label=_("Yes, this distance is right"), required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("incident_photos") and not cleaned.get("incident_description", "").strip():
            self.add_error("incident_description", _("Describe the incident the photos show."))
        return cleaned
