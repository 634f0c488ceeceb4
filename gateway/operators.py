"""Which operator sends a request, and the dependency that admits roles.

A request proves who sends it with one of:
- `Authorization: Bearer <value>`: a session opened by POST /api/v1/session (short-lived), or the
  long-lived token an administrator issued to a machine client's account (gateway.accounts);
- the session cookie a browser got from POST /login (an officer scanning a code with a phone camera
  sends no header).
Who may call which route is gateway.roles' table, applied to every route by gateway.access;
`require(...)` here gives a route the operator (and checks the roles it names as well).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from fastapi import Request
from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool

from gateway import accounts, roles, sessions
from gateway.tables import accounts as accounts_table
from shared.errors import PermissionDenied, Unauthenticated
from shared.grpc.auth import bearer_token, token_digest

# Who may read records (一企一档 and the like), as opposed to public status: everyone but a viewer
# (a grid commissioner in their area only: gateway.roles scopes, gateway.public.internal.in_area).
RECORD_READERS = roles.RECORD_ROLES
ROLES = roles.ROLES  # every role (routers written before gateway.roles name them from here)
SESSION_COOKIE = "eco_session"
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
NEEDS_CREDENTIALS = (
    "this route needs 'Authorization: Bearer <session or operator token>' or a signed-in session (/login)"
)
_BEARER = "'Authorization: Bearer <session or operator token>'"


@dataclass(frozen=True)
class Operator:
    username: str
    display_name: str
    role: str
    town: str = ""
    grid: str = ""


def _operator(row: sa.Row) -> Operator:
    return Operator(row.username, row.display_name, row.role, row.town, row.grid)


def create(
    engine: Engine,
    *,
    username: str,
    display_name: str,
    role: str,
    token: str = "",
    password: str = "",
    town: str = "",
    grid: str = "",
) -> Operator:
    """Create an account directly, replacing one of the same name (tests and tools; people's accounts
    come through the account API, gateway.routers.accounts)."""
    with engine.begin() as conn:
        accounts.end_sessions(conn, username)
        conn.execute(sa.delete(accounts_table).where(accounts_table.c.username == username))
    made = accounts.create(
        engine,
        username=username,
        display_name=display_name,
        role=role,
        token=token,
        password=password,
        town=town,
        grid=grid,
        actor="system",
    )
    return Operator(made.username, made.display_name, made.role, made.town, made.grid)


# Operators found by token or session, kept briefly so that a burst of API calls reads the tables once:
# any account change in this process (gateway.accounts.generation) is seen at once, in others within
# the TTL.
TOKEN_TTL_SECONDS = 10.0
_known: dict[tuple[str, str], tuple[float, int, float, Operator]] = {}
_known_lock = threading.Lock()


def _remembered(key: tuple[str, str]) -> Operator | None:
    with _known_lock:
        hit = _known.get(key)
    if hit is None:
        return None
    seen, generation, expires, operator = hit
    fresh = time.monotonic() - seen < TOKEN_TTL_SECONDS and generation == accounts.generation[0]
    return operator if fresh and time.time() < expires else None


def _database(engine: Engine) -> str:
    """The engine's URL as text (password hidden), which keys what is remembered: rendered once per
    engine, not on every request (SQLAlchemy builds the string anew each time)."""
    text = _database_text.get(engine)
    if text is None:
        text = _database_text[engine] = str(engine.url)
    return text


# Weak keys: the text goes with its engine (tests make and dispose of many).
_database_text: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


def _remember(key: tuple[str, str], operator: Operator, expires: float) -> None:
    with _known_lock:
        if len(_known) > 10_000:  # many tokens: start again rather than grow
            _known.clear()
        _known[key] = (time.monotonic(), accounts.generation[0], expires, operator)


def _by_token(engine: Engine, token: str) -> tuple[Operator, float] | None:
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(accounts_table).where(
                accounts_table.c.token_sha256 == token_digest(token), accounts_table.c.disabled == sa.false()
            )
        ).first()
    return (_operator(row), float("inf")) if row is not None else None


def get_by_token(engine: Engine, value: str, *, kind: str = sessions.BEARER) -> Operator | None:
    """The operator a bearer value (session or machine token) or a cookie value belongs to, if any."""
    key = (f"{_database(engine)}|{kind}", token_digest(value))
    if (known := _remembered(key)) is not None:
        return known
    found: tuple[Operator, float] | None = None
    row = sessions.resolve(engine, value, kind=kind)
    if row is not None:
        found = (_operator(row), float(row.expires_at))
    elif kind == sessions.BEARER:
        found = _by_token(engine, value)
    if found is None:
        return None
    _remember(key, *found)
    return found[0]


def authenticate(engine: Engine, authorization: str | None) -> Operator:
    """The operator behind an Authorization header; Unauthenticated if none."""
    if not authorization:
        raise Unauthenticated(NEEDS_CREDENTIALS)
    operator = get_by_token(engine, bearer_token(authorization, _BEARER))
    if operator is None:
        raise Unauthenticated("unknown, expired or ended session or operator token")
    return operator


def policy(request: Request) -> sessions.Policy:
    """The session and lockout policy of the app (gateway settings)."""
    found: sessions.Policy = request.app.state.settings.sessions
    return found


def client_address(request: Request) -> str:
    """The caller's address, for the audit."""
    return request.client.host if request.client else ""


def _cross_site(request: Request) -> bool:
    # SameSite=Lax already keeps the cookie off cross-site POSTs; a foreign Origin is refused as well.
    origin = request.headers.get("origin")
    return bool(origin) and urlsplit(origin).netloc != request.headers.get("host", "")


def _from_cookie(request: Request) -> Operator | None:
    value = request.cookies.get(SESSION_COOKIE)
    if not value:
        return None
    operator = get_by_token(request.app.state.engine, value, kind=sessions.COOKIE)
    if operator is not None and request.method in UNSAFE_METHODS and _cross_site(request):
        raise PermissionDenied("a signed-in session cannot be used from another site")
    return operator


def current(request: Request) -> Operator:
    """The operator of a request: its bearer value if it has one, else its session cookie."""
    known = getattr(request.state, "operator", None)
    if isinstance(known, Operator):
        return known
    header = request.headers.get("authorization")
    if header:
        operator = authenticate(request.app.state.engine, header)
    else:
        found = _from_cookie(request)
        if found is None:
            raise Unauthenticated(NEEDS_CREDENTIALS)
        operator = found
    request.state.operator = operator
    return operator


async def current_on_loop(request: Request) -> Operator:
    """`current` for async code: a value seen in the last seconds is admitted on the event loop;
    anything that needs the database is looked up in a worker thread."""
    known = getattr(request.state, "operator", None)
    if isinstance(known, Operator):
        return known
    header = request.headers.get("authorization")
    if header:
        hit = remembered_bearer(request.app.state.engine, header)
        if hit is not None:
            request.state.operator = hit
            return hit
    return await run_in_threadpool(current, request)


def remembered_bearer(engine: Engine, authorization: str) -> Operator | None:
    """The operator of an Authorization header whose value was admitted in the last seconds (no
    database read); None for anything else, which `current` then looks up or refuses."""
    try:
        token = bearer_token(authorization, _BEARER)
    except Unauthenticated:
        return None
    return _remembered((f"{_database(engine)}|{sessions.BEARER}", token_digest(token))) if token else None


def admit(operator: Operator, allowed: frozenset[str] | tuple[str, ...]) -> Operator:
    """The operator if their role is one of `allowed` (any when empty); PermissionDenied otherwise."""
    if allowed and operator.role not in allowed:
        raise PermissionDenied(
            f"role {operator.role!r} may not do this; needs one of {', '.join(sorted(allowed))}"
        )
    return operator


def require(*names: str) -> Callable[[Request], Operator]:
    """A FastAPI dependency giving the route its operator, admitting the roles named (any when none;
    first-release names are mapped). The route's rule in gateway.roles applies in any case."""
    allowed = tuple(roles.normalise(n) for n in names)

    def dependency(request: Request) -> Operator:
        return admit(current(request), allowed)

    dependency.roles = allowed  # type: ignore[attr-defined]  # read by the route-rule tests
    return dependency


def require_on_loop(*names: str) -> Callable[[Request], Awaitable[Operator]]:
    """`require` for async routes (no worker thread for a value seen in the last seconds)."""
    allowed = tuple(roles.normalise(n) for n in names)

    async def dependency(request: Request) -> Operator:
        return admit(await current_on_loop(request), allowed)

    dependency.roles = allowed  # type: ignore[attr-defined]
    return dependency


def optional(request: Request) -> Operator | None:
    """The operator if the request carries a valid token or session, else None (public pages show more)."""
    try:
        return current(request)
    except (Unauthenticated, PermissionDenied):
        return None


def declared_roles(dependency: Any) -> tuple[str, ...] | None:
    """The roles a `require(...)` dependency names (None for any other callable)."""
    found = getattr(dependency, "roles", None)
    return tuple(found) if isinstance(found, tuple) else None
