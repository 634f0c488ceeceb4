"""Queries of EIA applications."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.permits.adapters.actors import actor_of, actor_values
from services.permits.adapters.tables import eia_applications
from services.permits.domain.eia import PENDING, EiaApplication, EiaDocumentType, EiaStatus
from services.permits.domain.values import Actor
from shared import paging
from shared.errors import NotFound


def _eia(row: Any) -> EiaApplication:
    return EiaApplication(
        eia_id=row.eia_id,
        uscc=row.uscc,
        project_name=row.project_name,
        document_type=EiaDocumentType(row.document_type),
        status=EiaStatus(row.status),
        accepted_on=row.accepted_on,
        green_channel=row.green_channel,
        decided_on=row.decided_on,
        decision_note=row.decision_note,
        last_action=actor_of(row),
    )


def create(conn: Connection, *, eia_in: EiaApplication, now: datetime) -> None:
    """Insert an EIA application (its deadline stored for the overdue query)."""
    conn.execute(
        eia_applications.insert().values(
            eia_id=eia_in.eia_id,
            uscc=eia_in.uscc,
            project_name=eia_in.project_name,
            document_type=str(eia_in.document_type),
            status=str(eia_in.status),
            accepted_on=eia_in.accepted_on,
            deadline=eia_in.deadline,
            green_channel=eia_in.green_channel,
            decided_on=eia_in.decided_on,
            decision_note=eia_in.decision_note,
            created_at=now,
            **actor_values(eia_in.last_action),
        )
    )


def get_or_raise(conn: Connection, *, eia_id: str, for_update: bool = False) -> EiaApplication:
    """The application, or NOT_FOUND."""
    query = sa.select(eia_applications).where(eia_applications.c.eia_id == eia_id)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise NotFound("EIA application", eia_id)
    return _eia(row)


def update(conn: Connection, *, eia_id: str, status: EiaStatus, actor: Actor, **changes: Any) -> None:
    """Write a new state (and decision fields)."""
    conn.execute(
        sa.update(eia_applications)
        .where(eia_applications.c.eia_id == eia_id)
        .values(status=str(status), **actor_values(actor), **changes)
    )


def get_all(
    conn: Connection,
    *,
    uscc: str = "",
    status: EiaStatus | None = None,
    overdue_on: date | None = None,
    page_size: int = 0,
    page_token: str = "",
) -> paging.Page[EiaApplication]:
    """Applications matching every filter, by id; overdue_on keeps pending ones past their deadline."""
    conditions = []
    if uscc:
        conditions.append(eia_applications.c.uscc == uscc)
    if status is not None:
        conditions.append(eia_applications.c.status == str(status))
    if overdue_on is not None:
        conditions.append(eia_applications.c.status.in_([str(s) for s in PENDING]))
        conditions.append(eia_applications.c.deadline < overdue_on)
    size = paging.page_size(page_size)
    after = paging.decode(page_token)
    total = conn.execute(
        sa.select(sa.func.count()).select_from(eia_applications).where(*conditions)
    ).scalar_one()
    query = sa.select(eia_applications).where(*conditions).order_by(eia_applications.c.eia_id).limit(size + 1)
    if after is not None:
        query = query.where(eia_applications.c.eia_id > after)
    rows = conn.execute(query).all()
    items = [_eia(r) for r in rows[:size]]
    next_token = paging.encode(items[-1].eia_id) if len(rows) > size else ""
    return paging.Page(items, next_token, int(total))
