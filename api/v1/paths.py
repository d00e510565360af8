"""Ids in the paths of communities, vehicles, members, invitations and blackouts.

Paths take every id as text (``<str:…>``) and parse it here (``parse_id``): "abc", "-1" or a 30-digit number
get the API's JSON 404, never Django's page for an unmatched URL. The schema still says they are integers.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter

from colocauto.core.errors import NotFound
from colocauto.core.parsers import parse_id


def path_id(value: Any) -> int:
    """The row id in a path, or 404 for anything that is not one."""
    pk = parse_id(value)
    if pk is None:
        raise NotFound(_("Not found."), code="not_found")
    return pk


def id_parameters(*names: str) -> list[OpenApiParameter]:
    """The path ids of an operation, documented as integers."""
    return [OpenApiParameter(name, int, OpenApiParameter.PATH) for name in names]
