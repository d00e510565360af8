"""Domain errors raised by services. Views show ``message``; the API maps them to status codes."""


class DomainError(Exception):
    """A rule of the domain refused the action; ``message`` is translated and shown to the user."""

    status_code = 400

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class NotAllowed(DomainError):
    status_code = 403


class Conflict(DomainError):
    status_code = 409
