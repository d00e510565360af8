from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoriesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "territories"
    verbose_name = _("Territories and reports")

    def ready(self):
        from territories import (
            erasure,  # noqa: F401  (registers how territories erases a person)
            privacy,  # noqa: F401  (registers what territories holds about a person)
            signals,  # noqa: F401  (connects the login receiver)
            usage,  # noqa: F401  (follows the monthly roll-up)
        )
