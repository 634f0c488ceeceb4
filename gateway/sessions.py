"""Signing in with username and password, and the short-lived sessions it opens.

A session is a random value handed out once: as an HttpOnly cookie to a browser (POST /login) or as
a bearer token to an API client (POST /api/v1/session). Only its sha256 is stored, with its account
and expiry; signing out, disabling the account, a new password, role or area end it.

Repeated failures lock an account for a while (settings: failures and seconds), so a password cannot
be guessed at speed even from many addresses; the per-address rate limit of the public routes
applies on top. Every attempt, good or bad, is audited with the reason; the caller is told only
that the username or password was wrong, so an answer never says whether an account exists.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gateway import accounts, audit, passwords
from gateway.tables import accounts as accounts_table
from gateway.tables import sessions
from shared.errors import Unauthenticated

COOKIE = "cookie"
BEARER = "bearer"
REFUSAL = "unknown username or password, or the account is locked or disabled"


@dataclass(frozen=True)
class Policy:
    """How long sessions last and when repeated failures lock an account (gateway settings)."""

    cookie_seconds: float = 8 * 3600  # one working shift
    bearer_seconds: float = 3600
    lockout_failures: int = 5  # 0: never lock
    lockout_seconds: float = 900


@dataclass(frozen=True)
class Opened:
    """A new session: the value to hand out (never stored) and when it ends."""

    value: str
    username: str
    role: str
    expires_at: float


def digest(value: str) -> str:
    """The stored form of a session value (its sha256)."""
    return hashlib.sha256(value.encode()).hexdigest()


def sign_in(
    engine: Engine,
    *,
    username: str,
    password: str,
    kind: str,
    policy: Policy,
    client: str = "",
    now: float | None = None,
) -> Opened:
    """Check the password and open a session; Unauthenticated (saying no more) otherwise."""
    at = now if now is not None else time.time()
    name = username.strip()
    with engine.connect() as conn:
        row = conn.execute(sa.select(accounts_table).where(accounts_table.c.username == name)).first()
    # Verified even for an unknown or locked account, so every refusal takes as long as a real check.
    matches = passwords.verify(row.password_hash if row is not None else "", password)
    reason = ""
    if row is None:
        reason = "no such account"
    elif row.disabled:
        reason = "account disabled"
    elif row.locked_until > at:
        reason = "account locked"
    elif not matches:
        reason = "wrong password"
    with engine.begin() as conn:
        if reason:
            locked = False
            if reason == "wrong password" and row is not None:
                failures = row.failed_sign_ins + 1
                locked = 0 < policy.lockout_failures <= failures
                conn.execute(
                    sa.update(accounts_table)
                    .where(accounts_table.c.username == name)
                    .values(
                        failed_sign_ins=0 if locked else failures,
                        locked_until=at + policy.lockout_seconds if locked else row.locked_until,
                    )
                )
            audit.record(
                conn,
                at=at,
                actor=name,
                action="sign_in",
                subject=name,
                outcome=audit.REFUSED,
                client=client,
                detail=reason,
            )
            if locked:
                detail = (
                    f"{policy.lockout_failures} failed sign-ins; locked for {policy.lockout_seconds:.0f} s"
                )
                audit.record(
                    conn,
                    at=at,
                    actor=name,
                    action="account_locked",
                    subject=name,
                    client=client,
                    detail=detail,
                )
        else:
            assert row is not None  # no reason: the account exists
            role = row.role
            value = secrets.token_urlsafe(32)
            expires = at + (policy.cookie_seconds if kind == COOKIE else policy.bearer_seconds)
            changes: dict[str, object] = {"failed_sign_ins": 0, "locked_until": 0}
            if passwords.needs_rehash(row.password_hash):
                changes["password_hash"] = passwords.hash_password(password)
            conn.execute(sa.update(accounts_table).where(accounts_table.c.username == name).values(**changes))
            # Expired sessions of this account go on the way (no sweeper needed).
            conn.execute(sa.delete(sessions).where(sessions.c.username == name, sessions.c.expires_at <= at))
            conn.execute(
                sessions.insert().values(
                    token_sha256=digest(value), username=name, kind=kind, created_at=at, expires_at=expires
                )
            )
            audit.record(conn, at=at, actor=name, action="sign_in", subject=name, client=client, detail=kind)
    if reason:
        raise Unauthenticated(REFUSAL)
    return Opened(value, name, role, expires)


def resolve(
    engine: Engine, value: str, *, kind: str | None = None, now: float | None = None
) -> sa.Row | None:
    """The account row of a live session value (of `kind` if given), None if expired, ended or unknown."""
    at = now if now is not None else time.time()
    query = (
        sa.select(accounts_table, sessions.c.expires_at, sessions.c.kind)
        .join(sessions, sessions.c.username == accounts_table.c.username)
        .where(sessions.c.token_sha256 == digest(value), sessions.c.expires_at > at)
        .where(accounts_table.c.disabled == sa.false())
    )
    if kind is not None:
        query = query.where(sessions.c.kind == kind)
    with engine.connect() as conn:
        return conn.execute(query).first()


def sign_out(engine: Engine, value: str, *, client: str = "", now: float | None = None) -> bool:
    """End the session a value names (a copy of it kept elsewhere stops working too); False if none."""
    at = now if now is not None else time.time()
    with engine.begin() as conn:
        row = conn.execute(sa.select(sessions).where(sessions.c.token_sha256 == digest(value))).first()
        if row is None:
            return False
        conn.execute(sa.delete(sessions).where(sessions.c.token_sha256 == row.token_sha256))
        audit.record(
            conn,
            at=at,
            actor=row.username,
            action="sign_out",
            subject=row.username,
            client=client,
            detail=row.kind,
        )
    accounts.changed()
    return True
