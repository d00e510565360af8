from django.apps import AppConfig


class BookingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "bookings"

    def ready(self) -> None:
        from bookings import (
            erasure,  # noqa: F401  (registers how bookings erases a person)
            handlers,  # noqa: F401 - registers the subscribers to lower layers' events
            privacy,  # noqa: F401  (registers what bookings holds about a person)
        )
