"""Every endpoint of /api/v1/ × every person → the status that person gets (rows in tests/api/matrix/).

A non-member gets 404 exactly as on the pages, a member without the role 403, a read-only token 403 on
any write, no credentials 401. An endpoint added without a row fails
``test_every_api_endpoint_is_in_the_matrix``.
"""

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

import tests.api.matrix as matrix_package
from api.models import AccessToken
from tests.api.matrix import PEOPLE, Row

ROWS: list[Row] = []
for module_info in pkgutil.iter_modules(matrix_package.__path__):
    ROWS.extend(importlib.import_module(f"tests.api.matrix.{module_info.name}").ROWS)

SCHEMA_AND_DOCS = {"root", "schema", "docs"}  # public, tested in tests/api/test_schema.py


def _api_endpoints() -> set[tuple[str, str]]:
    """(url name, method) of every operation under /api/ (from the views' own handlers)."""
    endpoints: set[tuple[str, str]] = set()

    def walk(patterns, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and namespace == "api" and pattern.name not in SCHEMA_AND_DOCS:
                view_class = getattr(pattern.callback, "cls", None)
                actions = getattr(pattern.callback, "actions", None)
                if actions:
                    methods = set(actions)
                else:
                    methods = {m for m in ("get", "post", "put", "patch", "delete") if hasattr(view_class, m)}
                endpoints.update((pattern.name, method) for method in methods)

    walk(get_resolver().url_patterns, None)
    return endpoints


def test_every_api_endpoint_is_in_the_matrix():
    assert _api_endpoints() - {(row.name, row.method) for row in ROWS} == set()


def test_every_row_names_every_person():
    for row in ROWS:
        assert set(row.expected) == set(PEOPLE), row


@pytest.fixture
def callers(world, admin_user, owner, member, outsider, territory_staff, token_of):
    def client_for(person: str) -> APIClient:
        client = APIClient()
        users = {"outsider": outsider, "member": member, "owner": owner, "admin": admin_user, "staff": territory_staff}
        if person == "read_token":
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_of(member, AccessToken.Scope.READ)}")
        elif person in users:
            client.force_authenticate(users[person])
        return client

    return client_for


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("row", ROWS, ids=[f"{row.method}-{row.name}" for row in ROWS])
def test_each_person_gets_the_expected_status(world, callers, person, row):
    url = reverse(f"api:{row.name}", kwargs=row.kwargs(world))
    body = row.body(world) if row.body else None
    fmt = "multipart" if row.multipart else "json"
    response = getattr(callers(person), row.method)(url, body, format=fmt)

    assert response.status_code == row.expected[person], (person, response.content[:400])
    if response.status_code >= 400:
        assert set(response.json()) >= {"code", "detail", "fields"}


@pytest.mark.parametrize("row", [row for row in ROWS if row.method == "get"], ids=lambda row: row.name)
def test_options_is_refused_cleanly_on_every_endpoint(world, callers, row):
    """OPTIONS is not part of the API: 405 with the error shape, never a server error."""
    response = callers("member").options(reverse(f"api:{row.name}", kwargs=row.kwargs(world)))

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
