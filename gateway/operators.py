"""Operator accounts and roles, and how a request proves which operator sends it.

API clients send `Authorization: Bearer <operator token>`. A phone camera opening a code page sends
no header, so officers also sign in once (gateway.routers.session) and carry a session cookie: a
signed value naming the account and an expiry, checked here like a token.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from fastapi import Request
from sqlalchemy.engine import Engine

from gateway.tables import operators, revoked_sessions
from shared.errors import InvalidArgument, PermissionDenied, Unauthenticated
from shared.grpc.auth import bearer_token, token_digest

ROLES = ("admin", "officer", "inspector", "grid", "viewer")
# Who may read an enterprise's full record (一企一档), as opposed to its public status.
RECORD_READERS = ("admin", "officer", "inspector", "grid")
SESSION_COOKIE = "eco_session"
SESSION_SECONDS = 8 * 3600  # one working shift
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
NEEDS_CREDENTIALS = (
    "this route needs 'Authorization: Bearer <operator token>' or a signed-in session (/login)"
)


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


def _row(engine: Engine, condition: sa.ColumnElement[bool]) -> sa.Row | None:
    with engine.connect() as conn:
        return conn.execute(sa.select(operators).where(condition)).first()


def _operator(row: sa.Row) -> Operator:
    return Operator(row.username, row.display_name, row.role, row.town)


def get_by_token(engine: Engine, token: str) -> Operator | None:
    """The operator a token belongs to, if any."""
    row = _row(engine, operators.c.token_sha256 == token_digest(token))
    return _operator(row) if row else None


def authenticate(engine: Engine, authorization: str | None) -> Operator:
    """The operator behind an Authorization header; Unauthenticated if none."""
    if not authorization:
        raise Unauthenticated(NEEDS_CREDENTIALS)
    operator = get_by_token(engine, bearer_token(authorization, "'Authorization: Bearer <operator token>'"))
    if operator is None:
        raise Unauthenticated("unknown operator token")
    return operator


def sign_in(engine: Engine, *, username: str, token: str) -> Operator:
    """The operator whose username and token both match; Unauthenticated (saying no more) otherwise."""
    operator = get_by_token(engine, token.strip()) if token.strip() else None
    if operator is None or not hmac.compare_digest(operator.username.encode(), username.strip().encode()):
        raise Unauthenticated("unknown username or token")
    return operator


# ---------------------------------------------------------------- sessions

_key_lock = threading.Lock()


def session_key(request: Request) -> bytes:
    """The key sessions are signed with: settings.session_key, else one made per process.

    A per-process key signs everyone out at a restart and does not work across replicas; set the
    variable (the same on every replica) in production."""
    state = request.app.state
    with _key_lock:
        key = getattr(state, "session_key", None)
        if key is None:
            configured = state.settings.session_key
            key = state.session_key = configured.encode() if configured else secrets.token_bytes(32)
    return key  # type: ignore[no-any-return]


def _mac(key: bytes, username: str, expires: int, token_sha256: str) -> str:
    # The account's token hash is in the MAC, so replacing an operator's token ends their sessions.
    message = f"{username}\n{expires}\n{token_sha256}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def session_value(key: bytes, engine: Engine, operator: Operator, now: float | None = None) -> str:
    """The signed cookie value for a signed-in operator: username, expiry, MAC."""
    row = _row(engine, operators.c.username == operator.username)
    if row is None:
        raise Unauthenticated("unknown username or token")
    expires = int((now if now is not None else time.time()) + SESSION_SECONDS)
    name = base64.urlsafe_b64encode(operator.username.encode()).decode().rstrip("=")
    return f"{name}.{expires}.{_mac(key, operator.username, expires, row.token_sha256)}"


def from_session(key: bytes, engine: Engine, value: str, now: float | None = None) -> Operator | None:
    """The operator a session cookie names, if its signature holds and it has not expired."""
    name, _, rest = value.partition(".")
    expires_raw, _, mac = rest.partition(".")
    if not (name and expires_raw.isdigit() and mac):
        return None
    try:
        username = base64.urlsafe_b64decode(name + "=" * (-len(name) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    expires = int(expires_raw)
    if expires <= (now if now is not None else time.time()):
        return None
    row = _row(engine, operators.c.username == username)
    if row is None or not hmac.compare_digest(mac, _mac(key, username, expires, row.token_sha256)):
        return None
    if _is_revoked(engine, mac):
        return None
    return _operator(row)


def _is_revoked(engine: Engine, mac: str) -> bool:
    with engine.connect() as conn:
        return (
            conn.execute(sa.select(revoked_sessions.c.mac).where(revoked_sessions.c.mac == mac)).first()
            is not None
        )


def revoke_session(key: bytes, engine: Engine, value: str, now: float | None = None) -> bool:
    """Sign a session out on the server (POST /logout): a copy of its cookie kept elsewhere stops
    working too. Only a valid session is recorded; expired records are dropped on the way."""
    if from_session(key, engine, value, now=now) is None:
        return False
    expires, mac = value.split(".")[1:3]
    moment = int(now if now is not None else time.time())
    with engine.begin() as conn:
        conn.execute(sa.delete(revoked_sessions).where(revoked_sessions.c.expires_at <= moment))
        conn.execute(revoked_sessions.insert().values(mac=mac, expires_at=int(expires)))
    return True


def _cross_site(request: Request) -> bool:
    # SameSite=Lax already keeps the cookie off cross-site POSTs; a foreign Origin is refused as well.
    origin = request.headers.get("origin")
    return bool(origin) and urlsplit(origin).netloc != request.headers.get("host", "")


def _from_cookie(request: Request) -> Operator | None:
    value = request.cookies.get(SESSION_COOKIE)
    if not value:
        return None
    operator = from_session(session_key(request), request.app.state.engine, value)
    if operator is not None and request.method in UNSAFE_METHODS and _cross_site(request):
        raise PermissionDenied("a signed-in session cannot be used from another site")
    return operator


def current(request: Request) -> Operator:
    """The operator of a request: its Bearer token if it has one, else its session cookie."""
    header = request.headers.get("authorization")
    if header:
        return authenticate(request.app.state.engine, header)
    operator = _from_cookie(request)
    if operator is None:
        raise Unauthenticated(NEEDS_CREDENTIALS)
    return operator


def require(*roles: str) -> Callable[[Request], Operator]:
    """A FastAPI dependency admitting operators with one of the roles (any role when none given)."""

    def dependency(request: Request) -> Operator:
        operator = current(request)
        if roles and operator.role not in roles:
            raise PermissionDenied(f"role {operator.role!r} may not do this; needs one of {', '.join(roles)}")
        return operator

    return dependency


def optional(request: Request) -> Operator | None:
    """The operator if the request carries a valid token or session, else None (public pages show more)."""
    try:
        return current(request)
    except (Unauthenticated, PermissionDenied):
        return None
