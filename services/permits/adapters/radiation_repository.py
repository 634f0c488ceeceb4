"""Queries of radiation-safety permits and the terms each has covered."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.permits.adapters.actors import actor_of, actor_values
from services.permits.adapters.tables import radiation_permit_terms, radiation_permits
from services.permits.domain.radiation import VALID, RadiationPermit, RadiationPermitStatus
from services.permits.domain.values import Actor
from shared import paging
from shared.db import insert_if_absent
from shared.errors import AlreadyExists, NotFound


def _radiation(row: Any) -> RadiationPermit:
    return RadiationPermit(
        permit_number=row.permit_number,
        uscc=row.uscc,
        status=RadiationPermitStatus(row.status),
        scope=row.scope,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        renewals=row.renewals,
        last_action=actor_of(row),
    )


def count_for(conn: Connection, *, uscc: str) -> int:
    """How many radiation permits the enterprise has had."""
    query = sa.select(sa.func.count()).where(radiation_permits.c.uscc == uscc)
    return int(conn.execute(query).scalar_one())


def create(conn: Connection, *, permit_in: RadiationPermit, now: datetime) -> None:
    """Insert a radiation permit and its first term; ALREADY_EXISTS for a known number (also when
    another issue of the same number commits first)."""
    created = insert_if_absent(
        conn,
        radiation_permits,
        key=["permit_number"],
        values=dict(
            permit_number=permit_in.permit_number,
            uscc=permit_in.uscc,
            status=str(permit_in.status),
            scope=permit_in.scope,
            valid_from=permit_in.valid_from,
            valid_until=permit_in.valid_until,
            renewals=permit_in.renewals,
            updated_at=now,
            **actor_values(permit_in.last_action),
        ),
    )
    if not created:
        raise AlreadyExists("radiation permit", permit_in.permit_number)
    add_term(
        conn,
        permit_number=permit_in.permit_number,
        valid_from=permit_in.valid_from,
        valid_until=permit_in.valid_until,
    )


def add_term(conn: Connection, *, permit_number: str, valid_from: date, valid_until: date) -> None:
    """Record one term the permit covers."""
    conn.execute(
        radiation_permit_terms.insert().values(
            permit_number=permit_number, valid_from=valid_from, valid_until=valid_until
        )
    )


def get(conn: Connection, *, permit_number: str, for_update: bool = False) -> RadiationPermit | None:
    """The radiation permit, optionally locking its row."""
    query = sa.select(radiation_permits).where(radiation_permits.c.permit_number == permit_number)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return _radiation(row) if row else None


def get_or_raise(conn: Connection, *, permit_number: str, for_update: bool = False) -> RadiationPermit:
    """The radiation permit, or NOT_FOUND."""
    permit = get(conn, permit_number=permit_number, for_update=for_update)
    if permit is None:
        raise NotFound("radiation permit", permit_number)
    return permit


def update(
    conn: Connection,
    *,
    permit_number: str,
    from_statuses: frozenset[RadiationPermitStatus],
    status: RadiationPermitStatus,
    now: datetime,
    actor: Actor | None = None,
    valid_until_before: date | None = None,
    **changes: Any,
) -> bool:
    """Move a radiation permit to `status` if still in `from_statuses` (and, with valid_until_before,
    its validity still ends before that day); False if another caller won.

    As for discharge permits, PostgreSQL re-checks the conditions on the row once the UPDATE has its
    lock, so an expiry never overwrites a renewal committed meanwhile.
    """
    values: dict[str, Any] = dict(status=str(status), updated_at=now, **changes)
    if actor is not None:
        values.update(actor_values(actor))
    conditions = [
        radiation_permits.c.permit_number == permit_number,
        radiation_permits.c.status.in_([str(s) for s in from_statuses]),
    ]
    if valid_until_before is not None:
        conditions.append(radiation_permits.c.valid_until < valid_until_before)
    result = conn.execute(sa.update(radiation_permits).where(*conditions).values(**values))
    return result.rowcount == 1


def valid_for(conn: Connection, *, uscc: str, on: date) -> list[RadiationPermit]:
    """The enterprise's radiation permits valid on a date, by number."""
    rows = conn.execute(
        sa.select(radiation_permits)
        .where(
            radiation_permits.c.uscc == uscc,
            radiation_permits.c.status.in_([str(s) for s in VALID]),
            radiation_permits.c.valid_until >= on,
        )
        .order_by(radiation_permits.c.permit_number)
    ).all()
    return [_radiation(r) for r in rows]


def get_all(
    conn: Connection,
    *,
    uscc: str = "",
    status: RadiationPermitStatus | None = None,
    statuses: frozenset[RadiationPermitStatus] = frozenset(),
    valid_until_before: date | None = None,
    page_size: int = 0,
    page_token: str = "",
) -> paging.Page[RadiationPermit]:
    """Radiation permits matching every filter, ordered by number."""
    conditions = []
    if uscc:
        conditions.append(radiation_permits.c.uscc == uscc)
    if status is not None:
        conditions.append(radiation_permits.c.status == str(status))
    if statuses:
        conditions.append(radiation_permits.c.status.in_([str(s) for s in statuses]))
    if valid_until_before is not None:
        conditions.append(radiation_permits.c.valid_until < valid_until_before)
    size = paging.page_size(page_size)
    after = paging.decode(page_token)
    total = conn.execute(
        sa.select(sa.func.count()).select_from(radiation_permits).where(*conditions)
    ).scalar_one()
    query = (
        sa.select(radiation_permits)
        .where(*conditions)
        .order_by(radiation_permits.c.permit_number)
        .limit(size + 1)
    )
    if after is not None:
        query = query.where(radiation_permits.c.permit_number > after)
    rows = conn.execute(query).all()
    items = [_radiation(r) for r in rows[:size]]
    next_token = paging.encode(items[-1].permit_number) if len(rows) > size else ""
    return paging.Page(items, next_token, int(total))


def holders_on(conn: Connection, *, at: date) -> set[str]:
    """USCCs holding a radiation permit whose some term covers the date."""
    query = (
        sa.select(radiation_permits.c.uscc)
        .join(
            radiation_permit_terms,
            radiation_permit_terms.c.permit_number == radiation_permits.c.permit_number,
        )
        .where(radiation_permit_terms.c.valid_from <= at, radiation_permit_terms.c.valid_until >= at)
    )
    return set(conn.execute(query).scalars())
