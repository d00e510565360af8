from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "communities"

    def ready(self) -> None:
        from communities import (
            erasure,  # noqa: F401  (registers how communities erases a person)
            privacy,  # noqa: F401  (registers what communities holds about a person)
        )
