from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from territories.models import Territory


class StaffInviteForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"})
    )
    is_admin = forms.BooleanField(
        label=_("May invite colleagues too"), required=False, help_text=_("Leave unticked for read-only access.")
    )
    language = forms.ChoiceField(
        label=_("Language of the invitation"),
        choices=settings.LANGUAGES,
        help_text=_("Used if the address has no account yet; otherwise the account's language is used."),
    )


class TerritorySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find a territory by name or official code"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class ConsentForm(forms.Form):
    territory = forms.ModelChoiceField(
        queryset=Territory.objects.all(),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("Pick a territory in the list.")},
    )


class OpenDataForm(forms.Form):
    open_data_listed = forms.BooleanField(label=_("List this community publicly in the open-data feed"), required=False)
    open_data_live = forms.BooleanField(label=_("Also publish live availability"), required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("open_data_live") and not cleaned.get("open_data_listed"):
            self.add_error("open_data_live", _("Live availability is published only for a listed community."))
        return cleaned


class InseeCodeForm(forms.Form):
    insee_code = forms.RegexField(
        label=_("INSEE code of the commune"),
        regex=r"^(\d{5}|2[AB]\d{3})$",
        required=False,
        max_length=5,
        error_messages={"invalid": _("An INSEE code has 5 characters, e.g. 26108 (or 2A004 in Corsica).")},
        help_text=_("Not the postal code: Crest is 26108 (postal code 26400)."),
    )
