from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("API")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from api import (
            erasure,  # noqa: F401  (registers how api erases a person)
            privacy,  # noqa: F401  (registers what api holds about a person)
            schema,  # noqa: F401  (registers the token scheme with drf-spectacular)
        )
