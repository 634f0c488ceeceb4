"""The audit of operators' accounts: every sign-in (and refusal), sign-out and change, kept in the
gateway's database and listed to administrators (GET /api/v1/audit/accounts)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gateway.tables import account_audit
from shared import paging
from shared.errors import InvalidArgument

OK = "ok"
REFUSED = "refused"
ACTIONS = (
    "sign_in",
    "sign_out",
    "account_created",
    "account_updated",
    "account_disabled",
    "account_enabled",
    "password_reset",
    "token_issued",
    "token_revoked",
    "account_locked",
)


@dataclass(frozen=True)
class Entry:
    id: int
    at: float
    actor: str
    action: str
    subject: str
    outcome: str
    client: str
    detail: str


def record(
    conn: Connection,
    *,
    at: float,
    actor: str,
    action: str,
    subject: str,
    outcome: str = OK,
    client: str = "",
    detail: str = "",
) -> None:
    """Write one audit entry in the caller's transaction (the change and its record commit together)."""
    conn.execute(
        account_audit.insert().values(
            at=at,
            actor=actor[:100],
            action=action,
            subject=subject[:100],
            outcome=outcome,
            client=client[:100],
            detail=detail[:500],
        )
    )


def list_entries(
    engine: Engine,
    *,
    subject: str = "",
    action: str = "",
    outcome: str = "",
    page_size: int = 0,
    page_token: str = "",
) -> paging.Page[Entry]:
    """Audit entries, newest first, optionally of one account, action or outcome; a page at a time."""
    if action and action not in ACTIONS:
        raise InvalidArgument("action", f"must be one of {', '.join(ACTIONS)}, got {action!r}")
    if outcome and outcome not in (OK, REFUSED):
        raise InvalidArgument("outcome", f"must be {OK} or {REFUSED}, got {outcome!r}")
    size = paging.page_size(page_size)
    after = paging.decode(page_token)
    if after is not None and not after.isdigit():
        raise InvalidArgument(paging.PAGE_TOKEN, "not a token this service returned")
    conditions = [
        c
        for c in (
            account_audit.c.subject == subject if subject else None,
            account_audit.c.action == action if action else None,
            account_audit.c.outcome == outcome if outcome else None,
        )
        if c is not None
    ]
    query = sa.select(account_audit).where(*conditions)
    with engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
        if after is not None:
            query = query.where(account_audit.c.id < int(after))
        rows = conn.execute(query.order_by(account_audit.c.id.desc()).limit(size + 1)).all()
    found = [Entry(**row._mapping) for row in rows]
    return paging.slice_page(found, size, lambda e: str(e.id), total)
