from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.models import AccessToken
from colocauto.core.parsers import validate_year_range


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=80, help_text=_("What the token is for, e.g. “Phone” or “Expense import script”.")
    )
    scope = forms.ChoiceField(
        label=_("Access"), choices=AccessToken.Scope.choices, initial=AccessToken.Scope.READ, widget=forms.RadioSelect
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        validators=[validate_year_range],
        help_text=_("Optional. The token stops working at the end of that day."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def expires_at(self) -> datetime | None:
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day, time.max))
