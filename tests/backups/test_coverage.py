"""No model that holds a community's data is forgotten by the archive: each one pointing at a row of an archived
table is archived itself or left out for a stated reason (``backups.tables.LEFT_OUT``)."""

from django.apps import apps

from backups.tables import LEFT_OUT, TABLE_OF
from communities.models import User


def test_every_model_pointing_at_a_community_row_is_archived_or_left_out_on_purpose():
    archived = set(TABLE_OF) - {User}
    forgotten = []
    for model in apps.get_models():
        label = f"{model._meta.app_label}.{model.__name__}"
        if model in TABLE_OF or label in LEFT_OUT:
            continue
        if any(field.is_relation and field.related_model in archived for field in model._meta.concrete_fields):
            forgotten.append(label)
    assert forgotten == []


def test_what_is_left_out_exists():
    for label in LEFT_OUT:
        assert apps.get_model(label)
