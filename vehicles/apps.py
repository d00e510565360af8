from django.apps import AppConfig


class VehiclesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "vehicles"

    def ready(self) -> None:
        from vehicles import (
            erasure,  # noqa: F401  (registers how vehicles erases a person)
            privacy,  # noqa: F401  (registers what vehicles holds about a person)
        )
