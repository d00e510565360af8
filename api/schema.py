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


def _example(status: int, title: str, code: str, detail: str, **body: Any) -> OpenApiExample:
    """An error body as an example of the ``status`` answer: ``{code, detail, fields}`` and the ``body`` given."""
    value = {"code": code, "detail": detail, "fields": {}, **body}
    return OpenApiExample(title, value=value, response_only=True, status_codes=[str(status)])


_EXAMPLES = {
    400: _example(400, "Invalid", "invalid", "Some values are not valid: see the fields.", fields={"ends_at": ["…"]}),
    401: _example(401, "Not authenticated", "not_authenticated", "Authentication credentials were not provided."),
    403: _example(403, "Not allowed", "admin_only", "Only an admin of this community can do that."),
    404: _example(404, "Not found", "not_found", "Not found."),
    409: _example(
        409,
        "Conflict",
        "booking_conflict",
        "The car is already booked at that time.",
        params={"starts_at": "2026-12-05T09:00:00+01:00", "ends_at": "2026-12-05T12:00:00+01:00"},
    ),
    429: _example(429, "Throttled", "throttled", "Request was throttled.", params={"retry_after": 12}),
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
