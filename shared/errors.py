"""Domain errors. Rules raise these; the gRPC layer maps them to status codes, the gateway to HTTP.

Each message names the field or the step and the reason, since a department's developer or an
operator reads it directly.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a rule may raise on purpose."""

    code = "UNKNOWN"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidArgument(DomainError):
    """Bad input; nothing was changed."""

    code = "INVALID_ARGUMENT"

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class NotFound(DomainError):
    code = "NOT_FOUND"

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"{kind} {key!r} not found")
        self.kind = kind
        self.key = key


class AlreadyExists(DomainError):
    code = "ALREADY_EXISTS"

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"{kind} {key!r} already exists")
        self.kind = kind
        self.key = key


class FailedPrecondition(DomainError):
    """A step out of order in a state machine, or a rule the current state forbids."""

    code = "FAILED_PRECONDITION"


class PermissionDenied(DomainError):
    code = "PERMISSION_DENIED"


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"
