from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from privacy import (
            erasure,  # noqa: F401  (erases logins, sessions and archives)
            sections,  # noqa: F401  (registers allauth's and this app's own tables)
        )
