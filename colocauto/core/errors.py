"""Domain errors: a rule refused an action. Each carries a stable machine ``code`` (documented in
docs/architecture.md, never renamed) and a translated ``message`` for the person who acted.

Services raise them; ``colocauto.core.web`` turns them into a form error, an error page or a JSON body.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule of the domain refused the action: 400 unless a subclass says otherwise."""

    status_code = 400
    default_code = "invalid"
    # The input field the refusal is about (a form shows it there, a JSON body under "fields"), if one.
    field: str | None = None

    def __init__(
        self,
        message: Any,
        *,
        code: str | None = None,
        params: dict[str, Any] | None = None,
        field: str | None = None,
    ):
        super().__init__(str(message))
        self.message = message
        self.code = code or self.default_code
        self.field = field or self.field
        # Machine-readable details a client can act on (e.g. the conflicting interval); never personal data.
        self.params = params or {}


class NotAllowed(DomainError):
    """The person may not do this (a member without the right role): 403."""

    status_code = 403
    default_code = "not_allowed"


class NotFound(DomainError):
    """Nothing of that id for this person (other communities' rows included): 404."""

    status_code = 404
    default_code = "not_found"


class Conflict(DomainError):
    """The action clashes with the current state (a slot already taken, an answered request): 409."""

    status_code = 409
    default_code = "conflict"
