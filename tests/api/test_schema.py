"""The OpenAPI schema: generated from the views, committed in docs/api/openapi.yaml (CI fails on a diff),
served at /api/v1/schema/, with Swagger UI at /api/v1/docs/ from our own static files."""

from pathlib import Path

import yaml
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from api.forms import form_serializer
from communities.forms import InvitationForm
from communities.models import Membership
from vehicles.forms import VehicleForm

COMMITTED = Path(settings.BASE_DIR) / "docs" / "api" / "openapi.yaml"


def test_the_committed_schema_is_the_generated_one(tmp_path, db):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--lang", "en", "--file", str(generated), "--validate", "--fail-on-warn")

    assert generated.read_text() == COMMITTED.read_text(), (
        "The API changed: regenerate the schema with "
        "`python manage.py spectacular --lang en --file docs/api/openapi.yaml --validate --fail-on-warn`"
    )


def test_every_operation_documents_the_error_shape(db):
    schema = yaml.safe_load(COMMITTED.read_text())

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status in ("401", "403", "404", "429"):
                assert status in operation["responses"], (method, path, status)
            assert operation.get("operationId"), (method, path)


def test_the_schema_and_the_docs_are_served_without_login(client, db):
    schema = client.get("/api/v1/schema/")
    docs = client.get("/api/v1/docs/")

    assert schema.status_code == 200
    assert b"openapi: 3" in schema.content
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "https://" not in html.replace(docs.wsgi_request.build_absolute_uri("/"), "")


def test_the_api_root_points_to_the_schema_and_docs(client, db):
    body = client.get("/api/").json()

    assert body["versions"]["v1"]["docs"].endswith("/api/v1/docs/")


def test_form_inputs_are_documented_in_the_language_the_schema_is_read_in(admin_user, community):
    """The serializers derived from forms are built once, at import, in whatever language is active then
    (French for ``manage.py``): their labels and help texts must stay lazy, or the schema mixes languages."""
    membership = Membership.objects.get(user=admin_user, community=community)
    with translation.override("fr"):
        serializer = form_serializer(InvitationForm)()
        vehicle_form = VehicleForm(membership=membership)

    with translation.override("en"):
        assert str(serializer.fields["note"].label) == "Label"
        assert str(vehicle_form.fields["photo"].help_text).startswith("A JPEG, PNG or WebP picture, up to ")
