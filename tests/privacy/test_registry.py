"""The privacy registry covers every reference to a person: a new table holding personal data fails here
until its app registers it for the export (or says why it holds nothing to export)."""

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation

from bookings.models import Booking, CalendarFeed, Trip
from colocauto.core.privacy import Column, fields, registry, whether
from ledger.models import Expense, SettlementEmail
from vehicles.models import Vehicle

# Where personal data lives: our apps, allauth's accounts, the privacy and backups apps.
APPS = ("communities", "vehicles", "bookings", "ledger", "territories", "api", "privacy", "backups", "account")


def _references_to_people() -> set[str]:
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    references = {user_model._meta.label}
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.concrete_fields:
                if field.is_relation and field.related_model is user_model:
                    references.add(f"{model._meta.label}.{field.name}")
    return references


def test_every_reference_to_a_person_is_exported_or_explained():
    missing = _references_to_people() - registry.covered() - set(registry.exemptions)
    assert not missing, f"no privacy section covers {sorted(missing)}: register one in the app's privacy.py"


def test_the_registry_names_only_references_that_exist():
    stale = (registry.covered() | set(registry.exemptions)) - _references_to_people()
    assert not stale, f"the privacy registry names references that no longer exist: {sorted(stale)}"


def test_every_exemption_says_why():
    assert all(len(reason) > 20 for reason in registry.exemptions.values())


def test_sections_have_unique_names_and_columns():
    for section in registry.ordered():
        assert len(set(section.keys)) == len(section.keys), section.name
        assert all(str(column.description) for column in section.columns), section.name


def test_a_field_column_is_typed_by_the_fields_class():
    duration, odometer, status = fields(Trip, "duration start_odometer fuel_level")
    amount, receipt = fields(Expense, "amount receipt")
    (latitude,) = fields(Vehicle, "latitude")
    assert [duration.type, odometer.type, status.type] == ["duration", "integer", "string"]
    assert [amount.type, receipt.type] == ["decimal", "file"]
    assert latitude.type == "string"  # six decimals: not an amount


def test_a_choice_columns_description_names_every_value_it_may_hold():
    (status,) = fields(Booking, "status")
    with translation.override("en"):
        described = str(status.description)
        stored = [f"{value} ({label})" for value, label in Booking.Status.choices]
    assert described.startswith("Status: ")
    assert all(value in described for value in stored), described


def test_a_field_column_is_described_in_the_readers_language():
    (unlogged,) = fields(Trip, "unlogged_km")
    with translation.override("en"):
        assert str(unlogged.description) == "Unlogged km. Gap between the last known odometer and this trip's start."
    with translation.override("fr"):
        assert str(unlogged.description).startswith("Km non enregistrés.")


def test_a_relation_or_a_field_without_a_translated_label_needs_its_own_column():
    with pytest.raises(ValueError, match="relation"):
        fields(Booking, "vehicle")
    with pytest.raises(ValueError, match="verbose_name"):
        fields(SettlementEmail, "sent_at")


def test_a_column_reads_a_path_and_stops_at_an_empty_link():
    feed = CalendarFeed(vehicle=None, token="abcdef")
    assert Column("vehicle", "string", "Vehicle.", "vehicle.name").read(feed) is None
    assert Column("token", "string", "Token.").read(feed) == "abcdef"


@pytest.mark.django_db
def test_whether_is_false_not_empty_where_the_reference_is_empty(member, vehicle):
    CalendarFeed.objects.create(user=member)
    feed = CalendarFeed.objects.annotate(for_vehicle=whether(Q(vehicle=vehicle))).get(user=member)
    assert feed.for_vehicle is False


# --- Erasure -----------------------------------------------------------------------------------


def _personal_fields() -> set[str]:
    """Every reference to a person, and every field that can hold a person's words, address or upload: free text
    (no choices), JSON and files, in the apps that hold personal data."""
    fields = set(_references_to_people())
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            for column in model._meta.concrete_fields:
                text = isinstance(column, models.CharField | models.TextField | models.JSONField | models.FileField)
                if text and not column.choices and column.name != "password":
                    fields.add(f"{model._meta.label}.{column.name}")
    return fields


def _handled(reference: str) -> bool:
    known = registry.erased() | set(registry.kept)
    model = reference.rsplit(".", 1)[0] if reference.count(".") == 2 else reference
    return reference in known or model in known


def test_every_personal_field_is_erased_or_kept_for_a_reason():
    missing = sorted(reference for reference in _personal_fields() if not _handled(reference))
    assert not missing, f"no eraser covers {missing}: register one (or say why it is kept) in the app's erasure.py"


def test_the_erasure_registry_names_only_fields_that_exist():
    def exists(reference: str) -> bool:
        parts = reference.split(".")
        try:
            model = apps.get_model(".".join(parts[:2]))
            return len(parts) == 2 or any(field.name == parts[2] for field in model._meta.concrete_fields)
        except LookupError:
            return False

    stale = sorted(reference for reference in registry.erased() | set(registry.kept) if not exists(reference))
    assert not stale, f"the erasure registry names fields that no longer exist: {stale}"


def test_every_kept_field_says_why_and_the_person_is_erased_last():
    assert all(len(reason) > 20 for reason in registry.kept.values())
    erasers = registry.ordered_erasers()
    assert erasers[0].name == "memberships" and erasers[-1].name == "person"


def test_a_section_of_owned_rows_covers_the_field_it_reads_by(member, vehicle):
    from colocauto.core.privacy import Section, owned

    trips = Section(name="t", title="T", description="D", columns=(), objects=owned(Trip, "driver", "vehicle"))
    assert trips.covers == ("bookings.Trip.driver",)
    assert str(trips.objects(member).query) == str(
        Trip.objects.filter(driver=member).select_related("vehicle").order_by("pk").query
    )
    with pytest.raises(ValueError, match="covers"):
        Section(name="t", title="T", description="D", columns=(), rows=lambda user: [])
