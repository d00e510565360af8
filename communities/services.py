"""Every write about people and communities."""

from django.db import transaction

from communities.models import User


@transaction.atomic
def profile_update(*, user: User, data: dict) -> User:
    fields = ["display_name", "phone", "language", "iban", "notify_bookings", "notify_settlements", "notify_community"]
    for field in fields:
        if field in data:
            setattr(user, field, data[field])
    user.full_clean(exclude=["password"])
    user.save(update_fields=fields)
    return user


@transaction.atomic
def language_set(*, user: User, language: str) -> None:
    if user.is_authenticated and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
