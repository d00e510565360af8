from django.apps import AppConfig


class LedgerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ledger"

    def ready(self) -> None:
        from ledger import (
            erasure,  # noqa: F401  (registers how ledger erases a person)
            handlers,  # noqa: F401  (subscribes the ledger to the events of lower layers)
            privacy,  # noqa: F401  (registers what ledger holds about a person)
        )
