"""Every refusal of the API has one JSON shape: ``{"code", "detail", "fields"}`` (plus ``params`` when a
client can act on details, e.g. the conflicting interval).

Domain errors go through ``colocauto.core.web.error_body``, the same mapping the pages use; DRF's and
Django's own refusals are given stable codes here. ``detail`` is in the person's language.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from colocauto.core.errors import DomainError
from colocauto.core.web import error_body

logger = logging.getLogger(__name__)

# DRF's generic codes → ours; a code given where the refusal is raised (``token_expired``…) is kept.
_CODES = {
    "not_authenticated": "not_authenticated",
    "authentication_failed": "token_invalid",
    "permission_denied": "forbidden",
    "not_found": "not_found",
    "method_not_allowed": "method_not_allowed",
    "not_acceptable": "not_acceptable",
    "unsupported_media_type": "unsupported_media_type",
    "parse_error": "malformed",
    "throttled": "throttled",
    "error": "invalid",
}


def _messages(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [message for inner in value.values() for message in _messages(inner)]
    if isinstance(value, list | tuple):
        return [message for inner in value for message in _messages(inner)]
    return [str(value)]


def _fields(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Flatten DRF's nested validation errors into ``{"field" or "field.sub": [messages]}``."""
    fields: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, dict):
                fields.update(_fields(value, name))
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                for index, item in enumerate(value):
                    fields.update(_fields(item, f"{name}.{index}"))
            else:
                fields[name] = _messages(value)
    return fields


def validation_body(detail: Any) -> dict[str, Any]:
    fields = _fields(detail) if isinstance(detail, dict) else {}
    general = fields.pop("non_field_errors", []) + fields.pop("__all__", [])
    if not isinstance(detail, dict):
        general = _messages(detail)
    first = general[0] if general else _("Some values are not valid: see the fields.")
    body: dict[str, Any] = {"code": "invalid", "detail": first, "fields": fields}
    return body


def _drf_code(error: exceptions.APIException) -> str:
    code = error.get_codes()
    return _CODES.get(code, code) if isinstance(code, str) else "invalid"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    headers: dict[str, str] = {}
    if isinstance(exc, DomainError):
        return Response(error_body(exc), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(validation_body(detail), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(_("You may not do this."))
    if not isinstance(exc, exceptions.APIException):
        return None  # a real bug: Django's 500 handling logs it
    if isinstance(exc, exceptions.ValidationError):
        return Response(validation_body(exc.detail), status=exc.status_code)
    body: dict[str, Any] = {"code": _drf_code(exc), "detail": str(exc.detail), "fields": {}}
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        headers["Retry-After"] = str(int(exc.wait) + 1)
        body["params"] = {"retry_after": int(exc.wait) + 1}
    # DRF's view already set the WWW-Authenticate header (401) or turned the 401 into a 403 (session only).
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    return Response(body, status=exc.status_code, headers=headers)
