"""Operators' accounts: create, read, list, change, disable and enable, reset a password, issue or
revoke a machine token. Each change is audited in its own transaction (gateway.audit) and ends the
account's sessions where it changes who may do what.

Two ways to prove who one is:
- people sign in with username and password (gateway.sessions) and get a short-lived session;
- a machine client (a department's script, a monitoring probe) holds a long-lived token an
  administrator issued for its account. Such clients cannot type a password, and a password kept in
  a script would be a token anyway, only one a person also uses; so tokens stay, one per account,
  stored as a hash, issued and revoked by administrators, audited, refused once the account is
  disabled.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gateway import audit, passwords, roles
from gateway.tables import accounts, sessions
from shared import paging
from shared.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from shared.grpc.auth import token_digest

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str
    role: str
    town: str
    grid: str
    disabled: bool
    locked_until: float
    has_password: bool
    has_token: bool
    created_at: float
    updated_at: float


def _account(row: sa.Row) -> Account:
    return Account(
        username=row.username,
        display_name=row.display_name,
        role=row.role,
        town=row.town,
        grid=row.grid,
        disabled=bool(row.disabled),
        locked_until=float(row.locked_until),
        has_password=bool(row.password_hash),
        has_token=row.token_sha256 is not None,
        created_at=float(row.created_at),
        updated_at=float(row.updated_at),
    )


# Counts changes to accounts in this process: look-ups cached by gateway.operators are dropped when
# it moves, so a disabled account or a new role is seen at once here (elsewhere within the cache TTL).
generation = [0]


def changed() -> None:
    """Note that an account changed (role, area, disabled, token, password): caches start again."""
    generation[0] += 1


def _role(raw: str) -> str:
    try:
        return roles.normalise(raw.strip())
    except ValueError:
        raise InvalidArgument("role", f"must be one of {', '.join(roles.ROLES)}, got {raw!r}") from None


def _area(role: str, town: str, grid: str) -> tuple[str, str]:
    town, grid = town.strip(), grid.strip()
    if role == roles.GRID_COMMISSIONER and not town:
        raise InvalidArgument("town", "a grid commissioner's account names their town (and may name a grid)")
    if role != roles.GRID_COMMISSIONER and (town or grid):
        field = "town" if town else "grid"
        raise InvalidArgument(field, f"only a grid commissioner's account has an area, not a {role}'s")
    if len(town) > 100 or len(grid) > 100:
        raise InvalidArgument("town" if len(town) > 100 else "grid", "must be at most 100 characters")
    return town, grid


def _display_name(raw: str) -> str:
    name = raw.strip()
    if not name or len(name) > 200:
        raise InvalidArgument("display_name", "must be 1 to 200 characters")
    return name


def _username(raw: str) -> str:
    if not USERNAME.fullmatch(raw):
        raise InvalidArgument(
            "username", "must be 2 to 64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit"
        )
    return raw


def _get_row(conn: Connection, username: str) -> sa.Row:
    row = conn.execute(sa.select(accounts).where(accounts.c.username == username)).first()
    if row is None:
        raise NotFound("account", username)
    return row


def end_sessions(conn: Connection, username: str) -> None:
    """End every session of an account (its role, area, password or standing changed)."""
    conn.execute(sa.delete(sessions).where(sessions.c.username == username))


def create(
    engine: Engine,
    *,
    username: str,
    display_name: str,
    role: str,
    password: str = "",
    token: str = "",
    town: str = "",
    grid: str = "",
    actor: str = "",
    client: str = "",
    now: float | None = None,
) -> Account:
    """Create an account (409 if the username is taken); a password and/or a machine token."""
    at = now if now is not None else time.time()
    name, role_name = _username(username), _role(role)
    town, grid = _area(role_name, town, grid)
    if password:
        passwords.check_new(password, username=name)
    values = dict(
        username=name,
        display_name=_display_name(display_name),
        role=role_name,
        town=town,
        grid=grid,
        password_hash=passwords.hash_password(password) if password else "",
        token_sha256=token_digest(token) if token else None,
        created_at=at,
        updated_at=at,
    )
    with engine.begin() as conn:
        if conn.execute(sa.select(accounts.c.username).where(accounts.c.username == name)).first():
            raise AlreadyExists("account", name)
        conn.execute(accounts.insert().values(**values))
        detail = f"role={role_name}" + (f" town={town}" if town else "") + (f" grid={grid}" if grid else "")
        audit.record(
            conn,
            at=at,
            actor=actor or name,
            action="account_created",
            subject=name,
            client=client,
            detail=detail,
        )
        row = _get_row(conn, name)
    changed()
    return _account(row)


def get(engine: Engine, username: str) -> Account:
    """One account (404 if there is none)."""
    with engine.connect() as conn:
        return _account(_get_row(conn, username))


def list_accounts(
    engine: Engine, *, role: str = "", town: str = "", page_size: int = 0, page_token: str = ""
) -> paging.Page[Account]:
    """Accounts by username, optionally of one role or town, a page at a time."""
    size = paging.page_size(page_size)
    after = paging.decode(page_token)
    conditions = [
        c
        for c in (
            accounts.c.role == _role(role) if role else None,
            accounts.c.town == town if town else None,
        )
        if c is not None
    ]
    query = sa.select(accounts).where(*conditions)
    with engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
        if after is not None:
            query = query.where(accounts.c.username > after)
        rows = conn.execute(query.order_by(accounts.c.username).limit(size + 1)).all()
    return paging.slice_page([_account(r) for r in rows], size, lambda a: a.username, total)


def update(
    engine: Engine,
    username: str,
    *,
    display_name: str | None = None,
    role: str | None = None,
    town: str | None = None,
    grid: str | None = None,
    actor: str,
    client: str = "",
    now: float | None = None,
) -> Account:
    """Change an account's name, role or area; a new role or area ends its sessions."""
    at = now if now is not None else time.time()
    with engine.begin() as conn:
        row = _get_row(conn, username)
        new_role = _role(role) if role is not None else row.role
        new_town, new_grid = _area(
            new_role, town if town is not None else row.town, grid if grid is not None else row.grid
        )
        values: dict[str, object] = {"role": new_role, "town": new_town, "grid": new_grid}
        if display_name is not None:
            values["display_name"] = _display_name(display_name)
        differs = {k: v for k, v in values.items() if getattr(row, k) != v}
        if differs:
            conn.execute(
                sa.update(accounts).where(accounts.c.username == username).values(**differs, updated_at=at)
            )
            if set(differs) - {"display_name"}:
                end_sessions(conn, username)
            detail = " ".join(f"{k}={v}" for k, v in sorted(differs.items()))
            audit.record(
                conn,
                at=at,
                actor=actor,
                action="account_updated",
                subject=username,
                client=client,
                detail=detail,
            )
        row = _get_row(conn, username)
    changed()
    return _account(row)


def set_disabled(
    engine: Engine, username: str, *, disabled: bool, actor: str, client: str = "", now: float | None = None
) -> Account:
    """Disable an account (its sessions end, its token is refused) or enable it again."""
    at = now if now is not None else time.time()
    if disabled and username == actor:
        raise FailedPrecondition("an administrator cannot disable their own account")
    with engine.begin() as conn:
        _get_row(conn, username)
        conn.execute(
            sa.update(accounts)
            .where(accounts.c.username == username)
            .values(
                disabled=disabled,
                updated_at=at,
                **({} if disabled else {"failed_sign_ins": 0, "locked_until": 0}),
            )
        )
        if disabled:
            end_sessions(conn, username)
        action = "account_disabled" if disabled else "account_enabled"
        audit.record(conn, at=at, actor=actor, action=action, subject=username, client=client)
        row = _get_row(conn, username)
    changed()
    return _account(row)


def reset_password(
    engine: Engine, username: str, *, password: str, actor: str, client: str = "", now: float | None = None
) -> Account:
    """Set a new password: the lockout is lifted and every session of the account ends."""
    at = now if now is not None else time.time()
    passwords.check_new(password, username=username)
    digest = passwords.hash_password(password)
    with engine.begin() as conn:
        _get_row(conn, username)
        conn.execute(
            sa.update(accounts)
            .where(accounts.c.username == username)
            .values(password_hash=digest, failed_sign_ins=0, locked_until=0, updated_at=at)
        )
        end_sessions(conn, username)
        audit.record(conn, at=at, actor=actor, action="password_reset", subject=username, client=client)
        row = _get_row(conn, username)
    changed()
    return _account(row)


def issue_token(
    engine: Engine, username: str, *, actor: str, client: str = "", now: float | None = None
) -> str:
    """A new machine token for the account (shown once; the one before it stops working)."""
    at = now if now is not None else time.time()
    token = "eco_" + secrets.token_urlsafe(32)
    with engine.begin() as conn:
        _get_row(conn, username)
        conn.execute(
            sa.update(accounts)
            .where(accounts.c.username == username)
            .values(token_sha256=token_digest(token), updated_at=at)
        )
        audit.record(conn, at=at, actor=actor, action="token_issued", subject=username, client=client)
    changed()
    return token


def revoke_token(
    engine: Engine, username: str, *, actor: str, client: str = "", now: float | None = None
) -> Account:
    """Withdraw the account's machine token."""
    at = now if now is not None else time.time()
    with engine.begin() as conn:
        _get_row(conn, username)
        conn.execute(
            sa.update(accounts)
            .where(accounts.c.username == username)
            .values(token_sha256=None, updated_at=at)
        )
        audit.record(conn, at=at, actor=actor, action="token_revoked", subject=username, client=client)
        row = _get_row(conn, username)
    changed()
    return _account(row)


FIRST_ADMIN = "admin"


def ensure_first_admin(engine: Engine, token: str) -> bool:
    """Make the first administrator's account ("admin", holding `token`) unless one exists already;
    True if it was made. The account API needs an administrator, so the first one comes from here."""
    if not token:
        return False
    with engine.connect() as conn:
        found = conn.execute(sa.select(accounts.c.username).where(accounts.c.username == FIRST_ADMIN)).first()
    if found is not None:
        return False
    create(
        engine, username=FIRST_ADMIN, display_name="平台管理员", role=roles.ADMIN, token=token, actor="system"
    )
    return True
