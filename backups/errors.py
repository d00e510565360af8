"""Why an archive is refused: a stable code (docs/error-codes.md) and a message for the operator."""

from colocauto.core.errors import DomainError


class ArchiveRefused(DomainError):
    """The archive is corrupt, tampered with or of an unknown version: nothing was imported."""

    default_code = "archive_refused"
