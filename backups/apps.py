from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackupsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "backups"
    verbose_name = _("Community backups")

    def ready(self) -> None:
        from backups import (
            erasure,  # noqa: F401  (deletes the archives a person asked for)
            privacy,  # noqa: F401  (registers the backups a person asked for)
        )
