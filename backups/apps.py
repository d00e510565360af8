from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackupsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "backups"
    verbose_name = _("Community backups")

    def ready(self) -> None:
        from backups import privacy  # noqa: F401  (registers the backups a person asked for)
