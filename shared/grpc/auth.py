"""Department credentials and per-method grants.

Departments call with `authorization: Bearer <token>` in the metadata. The grants file keeps only
each token's SHA-256, never the token, and the methods granted as patterns such as
"eco.v1.PermitsService/Get*" or "*".
"""

from __future__ import annotations

import fnmatch
import hashlib
import hmac
import json
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from shared.errors import PermissionDenied, Unauthenticated
from shared.settings import SettingsError

# Discovery must work with ordinary tools and probes, so these need no token.
OPEN_SERVICES = (
    "grpc.health.v1.Health",
    "grpc.reflection.v1alpha.ServerReflection",
    "grpc.reflection.v1.ServerReflection",
)

_department: ContextVar[str] = ContextVar("department", default="")


def current_department() -> str:
    """The department whose call is being handled ("" outside a call)."""
    return _department.get()


def set_current_department(name: str) -> object:
    return _department.set(name)


def reset_current_department(token: object) -> None:
    _department.reset(token)  # type: ignore[arg-type]


def bearer_token(authorization: str | None, where: str) -> str:
    """The token of an "Authorization: Bearer <token>" value; Unauthenticated naming `where` if absent."""
    if not authorization:
        raise Unauthenticated(f"missing {where}")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(f"expected {where}")
    return token.strip()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Department:
    name: str
    token_sha256: str
    grants: tuple[str, ...]

    def may_call(self, method: str) -> bool:
        """Whether a full method name ("eco.v1.PermitsService/GetEnterprise") is granted."""
        return any(fnmatch.fnmatchcase(method, pattern) for pattern in self.grants)


class Grants:
    """Who may call what; loaded from the grants file at start-up."""

    def __init__(self, departments: Iterable[Department]) -> None:
        self._departments = list(departments)

    @classmethod
    def load(cls, path: Path) -> Grants:
        """Read a grants file; a missing or malformed one stops the service at start-up, naming it."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                Department(name=name, token_sha256=entry["token_sha256"], grants=tuple(entry["grants"]))
                for name, entry in data["departments"].items()
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise SettingsError(
                "ECO_GRANTS_FILE", f"cannot use {path}: {type(exc).__name__}: {exc}"
            ) from None

    def authenticate(self, authorization: str | None) -> Department:
        """The department a bearer token belongs to; Unauthenticated if none."""
        digest = token_digest(bearer_token(authorization, "'authorization: Bearer <token>' metadata"))
        for department in self._departments:
            if hmac.compare_digest(department.token_sha256, digest):
                return department
        raise Unauthenticated("unknown or revoked token")

    def authorize(self, department: Department, method: str) -> None:
        """PermissionDenied unless the department is granted the method."""
        if not department.may_call(method):
            raise PermissionDenied(f"department {department.name!r} is not granted {method}")


def is_open(method: str) -> bool:
    return method.split("/", 1)[0] in OPEN_SERVICES
