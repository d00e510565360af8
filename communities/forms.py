import re
from datetime import timedelta

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from colocauto.text import single_line
from communities import selectors
from communities.models import Community, User
from communities.services import COMMUNITY_FIELDS, RULE_FIELDS, SETTLEMENT_FIELDS
from communities.validators import normalize_iban


class SignupExtraForm(forms.Form):
    """Extra fields on allauth's sign-up form."""

    display_name = forms.CharField(
        label=_("Your name"),
        max_length=80,
        help_text=_("As your neighbours know you, e.g. “Marie D.”."),
    )
    language = forms.ChoiceField(label=_("Preferred language"), choices=User.Language.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = (translation.get_language() or "fr")[:2]
        self.fields["language"].initial = current if current in dict(User.Language.choices) else "fr"

    def clean_display_name(self):
        return single_line(self.cleaned_data["display_name"])

    def signup(self, request, user):
        user.display_name = self.cleaned_data["display_name"]
        user.language = self.cleaned_data["language"]
        user.save(update_fields=["display_name", "language"])


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = [
            "display_name",
            "phone",
            "language",
            "iban",
            "notify_bookings",
            "notify_settlements",
            "notify_community",
        ]
        widgets = {
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "display_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "iban": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        }

    def clean_display_name(self):
        return single_line(self.cleaned_data["display_name"])

    def clean_iban(self):
        return normalize_iban(self.cleaned_data["iban"])


_POSTAL_CODE = re.compile(r"^(?:0[1-9]|[1-8]\d|9[0-5]|97|98)\d{3}$")


class CommunityForm(forms.ModelForm):
    """What a community is: name, texts, where it is, its time zone and currency."""

    class Meta:
        model = Community
        fields = list(COMMUNITY_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "charter": forms.Textarea(attrs={"rows": 6}),
            "postal_code": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
        }

    def clean_postal_code(self):
        value = "".join(self.cleaned_data["postal_code"].split())
        if not _POSTAL_CODE.match(value):
            raise forms.ValidationError(
                _("Enter a French postal code: five digits, e.g. 26400."), code="invalid_postal_code"
            )
        return value

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zones = selectors.time_zones_offered()
        self.fields["time_zone"] = forms.ChoiceField(
            label=self.fields["time_zone"].label,
            choices=[(zone, zone.replace("_", " ")) for zone in zones],
            initial="Europe/Paris",
        )


class DurationWithUnitWidget(forms.MultiWidget):
    """A number and a unit (hours or days) side by side."""

    # In the app's templates/: the default form renderer only looks in app directories.
    template_name = "communities/widgets/duration_with_unit.html"

    def __init__(self, units, attrs=None):
        widgets = (
            forms.NumberInput(attrs={"min": "0", "step": "1", "inputmode": "numeric", "aria-label": _("Number")}),
            forms.Select(choices=units, attrs={"aria-label": _("Unit")}),
        )
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if not value:
            return [0 if value is not None else None, self.widgets[1].choices[0][0]]
        seconds = int(value.total_seconds())
        for unit, _label in reversed(self.widgets[1].choices):
            if seconds % DurationWithUnitField.SECONDS[unit] == 0:
                return [seconds // DurationWithUnitField.SECONDS[unit], unit]
        return [seconds // 3600, "hours"]


class DurationWithUnitField(forms.MultiValueField):
    """A ``timedelta`` entered as a whole number of hours or days."""

    SECONDS = {"hours": 3600, "days": 86400}
    UNITS = [("hours", _("hours")), ("days", _("days"))]

    def __init__(self, *, minimum: timedelta, maximum: timedelta, **kwargs):
        self.minimum, self.maximum = minimum, maximum
        fields = (
            forms.IntegerField(
                min_value=0,
                error_messages={
                    "invalid": _("Enter a whole number."),
                    "min_value": _("Enter a number that is zero or more."),
                },
            ),
            forms.ChoiceField(choices=self.UNITS),
        )
        kwargs.setdefault("require_all_fields", True)
        super().__init__(fields, widget=DurationWithUnitWidget(self.UNITS), **kwargs)

    def compress(self, data_list):
        if not data_list:
            return None
        number, unit = data_list
        seconds = number * self.SECONDS[unit]
        if seconds > self.maximum.total_seconds():  # checked first: a huge number cannot become a timedelta
            raise forms.ValidationError(
                _("Enter at most %(days)d days.") % {"days": self.maximum.days}, code="too_long"
            )
        value = timedelta(seconds=seconds)
        if value < self.minimum:
            if self.minimum == timedelta(hours=1):
                raise forms.ValidationError(_("Enter at least 1 hour."), code="too_short")
            raise forms.ValidationError(_("Enter zero or more."), code="too_short")
        return value


class CommunitySettingsForm(CommunityForm):
    """Admins edit the community and its booking rules."""

    min_notice = DurationWithUnitField(
        label=_("Minimum notice"),
        minimum=timedelta(0),
        maximum=timedelta(days=30),
        help_text=_("How long before its start a booking must be made. 0 means bookings can start right away."),
    )
    max_duration = DurationWithUnitField(
        label=_("Maximum booking duration"),
        minimum=timedelta(hours=1),
        maximum=timedelta(days=90),
        help_text=_("The longest a single booking may last."),
    )
    max_advance = DurationWithUnitField(
        label=_("Maximum advance"),
        minimum=timedelta(hours=1),
        maximum=timedelta(days=730),
        help_text=_("How far ahead members may book, e.g. 90 days."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        holder = self.fields["pool_holder"]
        holder.queryset = selectors.pool_holder_candidates(self.instance)
        holder.empty_label = _("Nobody yet")
        holder.label_from_instance = lambda user: (
            (_("%(name)s (IBAN on their profile)") if user.iban else _("%(name)s (no IBAN on their profile yet)"))
            % {"name": user.name}
        )

    def community_fields(self):
        return [self[name] for name in CommunityForm.Meta.fields]

    def rule_fields(self):
        return [self[name] for name in RULE_FIELDS]

    def settlement_fields(self):
        return [self[name] for name in SETTLEMENT_FIELDS]

    class Meta(CommunityForm.Meta):
        fields = [*COMMUNITY_FIELDS, *RULE_FIELDS, *SETTLEMENT_FIELDS]
        widgets = {**CommunityForm.Meta.widgets, "idle_shared_costs": forms.RadioSelect}


def validity_field() -> forms.IntegerField:
    """How many days an invitation link stays valid: 1 to 90, 14 unless changed."""
    return forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=90,
        initial=14,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class InvitationForm(forms.Form):
    """A shareable invitation link."""

    note = forms.CharField(
        label=_("Label"),
        max_length=120,
        required=False,
        help_text=_("For you only, e.g. “Neighbours of the school street”."),
    )
    expires_in_days = validity_field()
    max_uses = forms.IntegerField(
        label=_("Maximum number of uses"),
        min_value=1,
        max_value=1000,
        required=False,
        help_text=_("Leave empty for no limit."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class InvitationEmailForm(forms.Form):
    """Invite one person by e-mail: a single-use link bound to their address."""

    email = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"})
    )
    expires_in_days = validity_field()


class LeaveForm(forms.Form):
    """Leave a community: with a non-zero balance, say that one leaves it to the community (``ledger.leaving``)."""

    leave_balance = forms.BooleanField(
        label=_("I leave my balance to the community, which settles it with me"),
        required=False,
        help_text=_(
            "Needed when the balance is not zero (else 400 balance_not_settled): it stays on the account, as a "
            "former member's, which the remaining members settle; the admins are told."
        ),
    )
