"""OpenAPI: the token scheme, the one error shape, and the error responses every operation can give."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine code: see the list in docs/error-codes.md.")
    detail = serializers.CharField(help_text="What went wrong, in the person's language.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per input field (empty when the refusal is not about one field).",
    )
    params = serializers.DictField(
        required=False, help_text="Details a client can act on, e.g. the conflicting interval of a booking."
    )


_EXAMPLES = {
    400: OpenApiExample(
        "Invalid",
        value={"code": "invalid", "detail": "Some values are not valid: see the fields.", "fields": {"ends_at": ["…"]}},
        response_only=True,
        status_codes=["400"],
    ),
    401: OpenApiExample(
        "Not authenticated",
        value={"code": "not_authenticated", "detail": "Authentication credentials were not provided.", "fields": {}},
        response_only=True,
        status_codes=["401"],
    ),
    403: OpenApiExample(
        "Not allowed",
        value={"code": "admin_only", "detail": "Only an admin of this community can do that.", "fields": {}},
        response_only=True,
        status_codes=["403"],
    ),
    404: OpenApiExample(
        "Not found",
        value={"code": "not_found", "detail": "Not found.", "fields": {}},
        response_only=True,
        status_codes=["404"],
    ),
    409: OpenApiExample(
        "Conflict",
        value={
            "code": "booking_conflict",
            "detail": "The car is already booked at that time.",
            "fields": {},
            "params": {"starts_at": "2026-12-05T09:00:00+01:00", "ends_at": "2026-12-05T12:00:00+01:00"},
        },
        response_only=True,
        status_codes=["409"],
    ),
    429: OpenApiExample(
        "Throttled",
        value={"code": "throttled", "detail": "Request was throttled.", "fields": {}, "params": {"retry_after": 12}},
        response_only=True,
        status_codes=["429"],
    ),
}

_DESCRIPTIONS = {
    400: "The input is not valid (codes `invalid`, `malformed` or a rule's own code).",
    401: "No credentials, or a token that is unknown, revoked or expired (`not_authenticated`, `token_invalid`, `token_expired`).",
    403: "Signed in but not allowed (`forbidden`, `token_read_only`, `admin_only`, …).",
    404: "No such object for this person: other communities' rows are not found (`not_found`).",
    405: "Method not allowed.",
    406: "Not acceptable.",
    409: "Conflicts with the current state (e.g. `booking_conflict`, `already_decided`).",
    415: "Unsupported media type.",
    429: "Too many requests (`throttled`); `Retry-After` says when to try again.",
}


def error_response(status: int, description: str | None = None) -> OpenApiResponse:
    return OpenApiResponse(
        response=ErrorSerializer,
        description=description or _DESCRIPTIONS[status],
        examples=[_EXAMPLES[status]] if status in _EXAMPLES else [],
    )


class ColocautoAutoSchema(AutoSchema):
    """Adds the error responses to every operation: those every request can get (401, 403, 404, 405,
    406, 429), 400 and 415 to those that take input or parameters, 409 to writes."""

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        method = self.method.upper()
        statuses = [400, 401, 403, 404, 405, 406, 429]
        if method in {"POST", "PUT", "PATCH", "DELETE"}:
            statuses += [409, 415]
        for status in statuses:
            if str(status) in responses:
                continue
            responses[str(status)] = self._get_response_for_code(
                error_response(status), str(status), direction=direction
            )
        # Answered by the HTTP server (gunicorn) before the application, as its own page.
        responses.setdefault("414", {"description": "URI too long: the request line passes the server's limit."})
        return responses


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "personalAccessToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token created in your profile (“API tokens”): `cca_…`.",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BrowserSessionAuthentication"
    name = "browserSession"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "The browser's session; unsafe methods need the CSRF token.",
        }
