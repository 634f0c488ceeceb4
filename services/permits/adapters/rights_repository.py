"""Queries of the discharge-rights ledger: caps, balances (locked before moving) and entries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.permits.adapters.tables import rights_accounts, rights_caps, rights_entries
from services.permits.domain.rights import RESERVE, Entry, EntryKind, Position
from services.permits.domain.values import Actor
from shared import paging
from shared.db import insert_if_absent
from shared.errors import InvalidArgument


def get_cap(conn: Connection, *, pollutant: str, for_update: bool = False) -> int | None:
    """The cap in grams, or None if none was set; optionally locking the cap row."""
    query = sa.select(rights_caps.c.cap_g).where(rights_caps.c.pollutant == pollutant)
    if for_update:
        query = query.with_for_update()
    return conn.execute(query).scalar_one_or_none()


def lock_cap(conn: Connection, *, pollutant: str) -> int:
    """The cap in grams with its row locked, created at 0 (with an empty reserve) if none was set.

    Creating the row first and then locking it makes two concurrent first caps queue on the one row
    and apply one after the other, instead of both inserting and the loser failing on the key. A
    transaction that rolls back takes its 0-row with it, so no cap appears that was never set.
    """
    insert_if_absent(conn, rights_caps, key=["pollutant"], values=dict(pollutant=pollutant, cap_g=0))
    insert_if_absent(
        conn,
        rights_accounts,
        key=["pollutant", "holder"],
        values=dict(pollutant=pollutant, holder=RESERVE, balance_g=0),
    )
    cap = get_cap(conn, pollutant=pollutant, for_update=True)
    assert cap is not None  # created above or by a transaction that committed before ours
    return int(cap)


def update_cap(conn: Connection, *, pollutant: str, cap_g: int) -> None:
    """Write a new cap (the caller moves the difference through the reserve)."""
    conn.execute(sa.update(rights_caps).where(rights_caps.c.pollutant == pollutant).values(cap_g=cap_g))


def lock_balances(conn: Connection, *, pollutant: str, holders: list[str]) -> dict[str, int]:
    """Balances of the holders, rows created at 0 if missing and locked in a fixed (sorted) order.

    The fixed order means two transfers A->B and B->A queue behind each other instead of deadlocking.
    """
    for holder in sorted(holders):
        insert_if_absent(
            conn,
            rights_accounts,
            key=["pollutant", "holder"],
            values=dict(pollutant=pollutant, holder=holder, balance_g=0),
        )
    query = (
        sa.select(rights_accounts.c.holder, rights_accounts.c.balance_g)
        .where(rights_accounts.c.pollutant == pollutant, rights_accounts.c.holder.in_(sorted(holders)))
        .order_by(rights_accounts.c.holder)
        .with_for_update()
    )
    return {row.holder: int(row.balance_g) for row in conn.execute(query)}


def add_to_balance(conn: Connection, *, pollutant: str, holder: str, delta_g: int) -> None:
    """Change one balance by delta (the CHECK constraint refuses a negative result)."""
    conn.execute(
        sa.update(rights_accounts)
        .where(rights_accounts.c.pollutant == pollutant, rights_accounts.c.holder == holder)
        .values(balance_g=rights_accounts.c.balance_g + delta_g)
    )


def add_entry(
    conn: Connection,
    *,
    kind: EntryKind,
    pollutant: str,
    from_holder: str,
    to_holder: str,
    grams: int,
    actor: Actor,
    at: datetime,
) -> Entry:
    """Append one movement to the ledger."""
    result = conn.execute(
        rights_entries.insert().values(
            kind=str(kind),
            pollutant=pollutant,
            from_holder=from_holder,
            to_holder=to_holder,
            grams=grams,
            action_department=actor.department,
            action_user=actor.user,
            action_reason=actor.reason,
            at=at,
        )
    )
    key = result.inserted_primary_key
    assert key is not None  # an INSERT of one row always has its key
    entry_id = int(key[0])
    return Entry(entry_id, kind, pollutant, from_holder, to_holder, grams, actor, at)


def position(conn: Connection, *, pollutant: str) -> Position | None:
    """Cap, reserve and holdings of one pollutant (None if no cap was ever set)."""
    cap = get_cap(conn, pollutant=pollutant)
    if cap is None:
        return None
    rows = conn.execute(
        sa.select(rights_accounts.c.holder, rights_accounts.c.balance_g)
        .where(rights_accounts.c.pollutant == pollutant)
        .order_by(rights_accounts.c.holder)
    ).all()
    balances = {r.holder: int(r.balance_g) for r in rows}
    reserve = balances.pop(RESERVE, 0)
    return Position(pollutant, int(cap), reserve, {h: g for h, g in balances.items() if g})


def holdings_of(conn: Connection, *, uscc: str) -> dict[str, int]:
    """What an enterprise holds, by pollutant (zero balances left out)."""
    rows = conn.execute(
        sa.select(rights_accounts.c.pollutant, rights_accounts.c.balance_g)
        .where(rights_accounts.c.holder == uscc, rights_accounts.c.balance_g > 0)
        .order_by(rights_accounts.c.pollutant)
    )
    return {r.pollutant: int(r.balance_g) for r in rows}


def _entry(row: Any) -> Entry:
    return Entry(
        entry_id=int(row.id),
        kind=EntryKind(row.kind),
        pollutant=row.pollutant,
        from_holder=row.from_holder,
        to_holder=row.to_holder,
        grams=int(row.grams),
        actor=Actor(row.action_department, row.action_user, row.action_reason),
        at=row.at,
    )


def get_entries(
    conn: Connection, *, pollutant: str = "", holder: str = "", page_size: int = 0, page_token: str = ""
) -> paging.Page[Entry]:
    """Ledger entries, newest first, by pollutant and/or holder (either side of the movement)."""
    conditions = []
    if pollutant:
        conditions.append(rights_entries.c.pollutant == pollutant)
    if holder:
        conditions.append(
            sa.or_(rights_entries.c.from_holder == holder, rights_entries.c.to_holder == holder)
        )
    size = paging.page_size(page_size)
    after = paging.decode(page_token)
    total = conn.execute(
        sa.select(sa.func.count()).select_from(rights_entries).where(*conditions)
    ).scalar_one()
    query = sa.select(rights_entries).where(*conditions).order_by(rights_entries.c.id.desc()).limit(size + 1)
    if after is not None:
        if not after.isdigit():
            raise InvalidArgument("page.page_token", "not a token this service returned")
        query = query.where(rights_entries.c.id < int(after))
    rows = conn.execute(query).all()
    items = [_entry(r) for r in rows[:size]]
    next_token = paging.encode(str(items[-1].entry_id)) if len(rows) > size else ""
    return paging.Page(items, next_token, int(total))
