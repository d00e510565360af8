"""The privacy registry covers every reference to a person: a new table holding personal data fails here
until its app registers it for the export (or says why it holds nothing to export)."""

from django.apps import apps
from django.conf import settings

from colocauto.core.privacy import registry

# Where personal data lives: our apps, allauth's accounts and the privacy app itself.
APPS = ("communities", "vehicles", "bookings", "ledger", "territories", "api", "privacy", "account")


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
