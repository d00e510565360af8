"""Forms for vehicles: details grouped in fieldsets, weekly windows as a formset, blackout periods."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from colocauto.core.fields import LocalizedDecimalField
from colocauto.core.parsers import validate_year_range
from colocauto.text import date_text, single_line
from colocauto.uploads import validate_photo
from communities.models import Membership
from vehicles.models import AvailabilityWindow, Vehicle
from vehicles.selectors import CostModelSchedule, cost_model_schedule, owner_candidates
from vehicles.services import VEHICLE_FIELDS, VEHICLE_IDENTITY_FIELDS, WindowSpec, rate_problem, windows_problem

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def _photo_limit_text() -> str:
    return gettext("A JPEG, PNG or WebP picture, up to %(limit)s.") % {
        "limit": filesizeformat(settings.UPLOAD_MAX_BYTES)
    }


# Lazy, like the other help texts: read in the reader's language (the API schema is built once, in English).
_photo_help_text = lazy(_photo_limit_text, str)


def cost_model_notice(schedule: CostModelSchedule) -> str:
    """E.g. "Shared costs from 1 December; Rates until then.", in the active language."""
    return gettext("%(model)s from %(date)s; %(current)s until then.") % {
        "model": schedule.next_name,
        "date": date_text(schedule.starts_on, "j F"),
        "current": schedule.in_force_name,
    }


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class VehicleForm(forms.ModelForm):
    """A vehicle's details; only admins see the owner field (members own what they register)."""

    owner = OwnerChoiceField(
        label=_("Owner"),
        queryset=None,
        required=False,
        empty_label=_("Nobody: the community owns it"),
        help_text=_("An active member of the community, or nobody for a vehicle the community owns."),
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        validators=[validate_photo],
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_photo = forms.BooleanField(label=_("Remove the current photo"), required=False)

    fieldsets = (
        (
            _("Identity"),
            ("owner", *VEHICLE_IDENTITY_FIELDS, "photo", "remove_photo"),
        ),
        (_("Where & how"), ("parking_location", "instructions", "odometer_km")),
        (_("Position on the map"), ("latitude", "longitude")),
        (_("Insurance"), ("insurer", "policy_number", "insurance_expiry")),
        (_("Pricing"), ("cost_model", "rate_per_km", "rate_per_hour", "daily_cap", "fixed_monthly_cost")),
        (_("Status"), ("is_active",)),
    )

    class Meta:
        model = Vehicle
        fields = VEHICLE_FIELDS
        field_classes = {
            "rate_per_km": LocalizedDecimalField,
            "rate_per_hour": LocalizedDecimalField,
            "daily_cap": LocalizedDecimalField,
            "fixed_monthly_cost": LocalizedDecimalField,
        }
        labels = {
            "rate_per_km": _("Rate per km (€/km)"),
            "rate_per_hour": _("Rate per hour (€/h)"),
            "daily_cap": _("Daily cap (€)"),
            "fixed_monthly_cost": _("Fixed monthly costs (€/month)"),
            "is_active": _("Bookable (untick to pause the vehicle)"),
        }
        help_texts = {
            "cost_model": _(
                "Rates: for a car lent by its owner, drivers pay for the kilometres (and hours) they use. "
                "Shared costs: for a car owned together, each month its real expenses are split among "
                "that month's drivers by the kilometres each drove. A change takes effect on the 1st of "
                "the next month, so the month under way is charged under one model only."
            ),
            "rate_per_km": _("What a driver pays for each kilometre, e.g. 0.25. Used with the “Rates” model."),
            "rate_per_hour": _("What a driver pays for each hour booked, on top of the kilometres. 0 for none."),
            "daily_cap": _("Optional: the most a driver pays for the hours of one day. Empty for no cap."),
            "fixed_monthly_cost": _(
                "Optional: costs that do not depend on driving (insurance, provision for repairs, the owner's "
                "compensation). Each month they are shared among all members by their days of membership."
            ),
            "parking_location": _("Street, car park, space number… what a neighbour needs to find it."),
            # Shown by the API's schema; the web form fills these hidden fields from the phone's position.
            "latitude": _(
                "Latitude of the parking place (WGS 84), e.g. 44.7277. With the longitude, members get a link to the map."
            ),
            "longitude": _("Longitude of the parking place (WGS 84), e.g. 5.0230."),
            "is_active": _("A paused vehicle stays visible but cannot be booked."),
        }
        widgets = {
            "year": forms.NumberInput(attrs={"inputmode": "numeric"}),
            # Set by "Use my position" next to the car, never typed: people describe the place in words.
            "latitude": forms.HiddenInput(),
            "longitude": forms.HiddenInput(),
            "insurance_expiry": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "plate": forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
            "instructions": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership
        if self.instance.pk:
            schedule = cost_model_schedule(self.instance)
            if schedule.next_model:
                help_text = self.fields["cost_model"].help_text
                self.fields["cost_model"].help_text = f"{cost_model_notice(schedule)} {help_text}"
        if membership.is_admin:
            self.fields["owner"].queryset = owner_candidates(membership)
            self.fields["owner"].initial = self.instance.owner_id if self.instance.pk else membership.user_id
        else:
            del self.fields["owner"]
        if not (self.instance.pk and self.instance.photo):
            del self.fields["remove_photo"]
        self.fields["photo"].help_text = _photo_help_text()
        self.fields["insurance_expiry"].input_formats = ["%Y-%m-%d", *self.fields["insurance_expiry"].input_formats]

    def _get_validation_exclusions(self):
        # The photo and owner are checked by their form fields and the service; the model must not
        # re-read the stored photo or re-query the current owner on every edit.
        return super()._get_validation_exclusions() | {"photo", "owner"}

    # Optional groups, folded while empty so the form stays short on a phone.
    collapsible = (_("Position on the map"), _("Insurance"))

    def grouped_fields(self):
        """(legend, bound fields, folded) for each fieldset, skipping fields this person does not see.
        An optional group is folded when none of its fields has a value or an error."""
        for legend, names in self.fieldsets:
            fields = [self[name] for name in names if name in self.fields]
            folded = legend in self.collapsible and not any(field.value() or field.errors for field in fields)
            yield legend, fields, folded

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in VEHICLE_FIELDS if name in self.cleaned_data}
        if "owner" in self.fields:
            data["owner"] = self.cleaned_data.get("owner")
        return data

    def clean_name(self):
        name = single_line(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(self.fields["name"].error_messages["required"], code="required")
        return name

    def clean_rate_per_km(self):
        return self._checked_rate("rate_per_km")

    def clean_rate_per_hour(self):
        return self._checked_rate("rate_per_hour")

    def _checked_rate(self, name: str):
        value = self.cleaned_data[name]
        problem = rate_problem(name, value)
        if problem:
            raise ValidationError(problem)
        return value

    def clean(self):
        cleaned = super().clean()
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if (
            (latitude is None) != (longitude is None)
            and not self.has_error("latitude")
            and not self.has_error("longitude")
        ):
            raise ValidationError(_("Give both the latitude and the longitude, or neither."))
        return cleaned


class WindowForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=_("Day"),
        choices=[("", _("Choose a day")), *AvailabilityWindow.Weekday.choices],
        coerce=int,
        empty_value=None,
    )
    start_time = forms.TimeField(
        label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), input_formats=["%H:%M"]
    )
    end_time = forms.TimeField(
        label=_("Until"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        input_formats=["%H:%M"],
    )


class BaseWindowFormSet(forms.BaseFormSet):
    def add_error(self, field: str | None, error) -> None:
        """A refusal of the service (``colocauto.core.web.attempt``) is shown above the windows."""
        self.non_form_errors().append(error)

    def windows(self) -> list[WindowSpec]:
        return [
            WindowSpec(form.cleaned_data["weekday"], form.cleaned_data["start_time"], form.cleaned_data["end_time"])
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]

    def clean(self):
        if any(self.errors):
            return
        problem = windows_problem(self.windows())
        if problem:
            raise ValidationError(problem)


WindowFormSet = forms.formset_factory(WindowForm, formset=BaseWindowFormSet, extra=1, can_delete=True, max_num=50)


class BlackoutForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("From"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S"],
        validators=[validate_year_range],
    )
    ends_at = forms.DateTimeField(
        label=_("Until"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S"],
        validators=[validate_year_range],
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=120,
        required=False,
        help_text=_("Optional, shown to members, e.g. “at the garage” or “holidays”."),
    )
