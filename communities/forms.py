from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from communities.models import User
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

    def clean_iban(self):
        return normalize_iban(self.cleaned_data["iban"])
