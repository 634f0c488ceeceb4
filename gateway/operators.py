"""Operator accounts and roles. Operators call /api/v1 with `Authorization: Bearer <token>`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from fastapi import Request
from sqlalchemy.engine import Engine

from gateway.tables import operators
from shared.errors import InvalidArgument, PermissionDenied, Unauthenticated
from shared.grpc.auth import token_digest

ROLES = ("admin", "officer", "inspector", "grid", "viewer")
# Who may read an enterprise's full record (一企一档), as opposed to its public status.
RECORD_READERS = ("admin", "officer", "inspector", "grid")


@dataclass(frozen=True)
class Operator:
    username: str
    display_name: str
    role: str
    town: str


def create(
    engine: Engine, *, username: str, display_name: str, role: str, token: str, town: str = ""
) -> Operator:
    """Create an operator account (or replace its token and role); returns it."""
    if role not in ROLES:
        raise InvalidArgument("role", f"must be one of {', '.join(ROLES)}, got {role!r}")
    if not username:
        raise InvalidArgument("username", "must not be empty")
    values = dict(display_name=display_name, role=role, town=town, token_sha256=token_digest(token))
    with engine.begin() as conn:
        updated = conn.execute(sa.update(operators).where(operators.c.username == username).values(**values))
        if updated.rowcount == 0:
            conn.execute(operators.insert().values(username=username, **values))
    return Operator(username, display_name, role, town)


def get_by_token(engine: Engine, token: str) -> Operator | None:
    """The operator a token belongs to, if any."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(operators).where(operators.c.token_sha256 == token_digest(token))
        ).first()
    return Operator(row.username, row.display_name, row.role, row.town) if row else None


def authenticate(engine: Engine, authorization: str | None) -> Operator:
    """The operator behind an Authorization header; Unauthenticated if none."""
    if not authorization:
        raise Unauthenticated("this route needs 'Authorization: Bearer <operator token>'")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Authorization must be 'Bearer <operator token>'")
    operator = get_by_token(engine, token.strip())
    if operator is None:
        raise Unauthenticated("unknown operator token")
    return operator


def require(*roles: str) -> Callable[[Request], Operator]:
    """A FastAPI dependency admitting operators with one of the roles (any role when none given)."""

    def dependency(request: Request) -> Operator:
        operator = authenticate(request.app.state.engine, request.headers.get("authorization"))
        if roles and operator.role not in roles:
            raise PermissionDenied(f"role {operator.role!r} may not do this; needs one of {', '.join(roles)}")
        return operator

    return dependency


def optional(request: Request) -> Operator | None:
    """The operator if the request carries a valid token, else None (public pages show more to officers)."""
    header = request.headers.get("authorization")
    if not header:
        return None
    try:
        return authenticate(request.app.state.engine, header)
    except Unauthenticated:
        return None
