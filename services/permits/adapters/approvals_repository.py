"""Queries of EIA applications and radiation-safety permits (with their terms)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.permits.adapters import paging
from services.permits.adapters.tables import eia_applications, radiation_permit_terms, radiation_permits
from services.permits.domain.eia import PENDING, EiaApplication, EiaDocumentType, EiaStatus
from services.permits.domain.radiation import RadiationPermit, RadiationPermitStatus
from services.permits.domain.values import Actor
from shared.db import is_postgres
from shared.errors import AlreadyExists, NotFound


def _actor_values(actor: Actor) -> dict[str, str]:
    return dict(action_department=actor.department, action_user=actor.user, action_reason=actor.reason)


def _actor(row: Any) -> Actor:
    return Actor(row.action_department, row.action_user, row.action_reason)


# ---- EIA ---------------------------------------------------------------------------------------


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
        last_action=_actor(row),
    )


def create_eia(conn: Connection, *, eia_in: EiaApplication, now: datetime) -> None:
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
            **_actor_values(eia_in.last_action),
        )
    )


def get_eia_or_raise(conn: Connection, *, eia_id: str, for_update: bool = False) -> EiaApplication:
    """The application, or NOT_FOUND."""
    query = sa.select(eia_applications).where(eia_applications.c.eia_id == eia_id)
    if for_update and is_postgres(conn):
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise NotFound("EIA application", eia_id)
    return _eia(row)


def update_eia(conn: Connection, *, eia_id: str, status: EiaStatus, actor: Actor, **changes: Any) -> None:
    """Write a new state (and decision fields)."""
    conn.execute(
        sa.update(eia_applications)
        .where(eia_applications.c.eia_id == eia_id)
        .values(status=str(status), **_actor_values(actor), **changes)
    )


def get_all_eia(
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


# ---- radiation-safety permits -----------------------------------------------------------------


def _radiation(row: Any) -> RadiationPermit:
    return RadiationPermit(
        permit_number=row.permit_number,
        uscc=row.uscc,
        status=RadiationPermitStatus(row.status),
        scope=row.scope,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        renewals=row.renewals,
        last_action=_actor(row),
    )


def count_radiation_for(conn: Connection, *, uscc: str) -> int:
    """How many radiation permits the enterprise has had."""
    query = sa.select(sa.func.count()).where(radiation_permits.c.uscc == uscc)
    return int(conn.execute(query).scalar_one())


def create_radiation(conn: Connection, *, permit_in: RadiationPermit, now: datetime) -> None:
    """Insert a radiation permit and its first term; ALREADY_EXISTS for a known number."""
    if get_radiation(conn, permit_number=permit_in.permit_number) is not None:
        raise AlreadyExists("radiation permit", permit_in.permit_number)
    conn.execute(
        radiation_permits.insert().values(
            permit_number=permit_in.permit_number,
            uscc=permit_in.uscc,
            status=str(permit_in.status),
            scope=permit_in.scope,
            valid_from=permit_in.valid_from,
            valid_until=permit_in.valid_until,
            renewals=permit_in.renewals,
            updated_at=now,
            **_actor_values(permit_in.last_action),
        )
    )
    add_radiation_term(
        conn,
        permit_number=permit_in.permit_number,
        valid_from=permit_in.valid_from,
        valid_until=permit_in.valid_until,
    )


def add_radiation_term(conn: Connection, *, permit_number: str, valid_from: date, valid_until: date) -> None:
    """Record one term the permit covers."""
    conn.execute(
        radiation_permit_terms.insert().values(
            permit_number=permit_number, valid_from=valid_from, valid_until=valid_until
        )
    )


def get_radiation(
    conn: Connection, *, permit_number: str, for_update: bool = False
) -> RadiationPermit | None:
    """The radiation permit, optionally locking its row."""
    query = sa.select(radiation_permits).where(radiation_permits.c.permit_number == permit_number)
    if for_update and is_postgres(conn):
        query = query.with_for_update()
    row = conn.execute(query).first()
    return _radiation(row) if row else None


def get_radiation_or_raise(
    conn: Connection, *, permit_number: str, for_update: bool = False
) -> RadiationPermit:
    """The radiation permit, or NOT_FOUND."""
    permit = get_radiation(conn, permit_number=permit_number, for_update=for_update)
    if permit is None:
        raise NotFound("radiation permit", permit_number)
    return permit


def update_radiation(
    conn: Connection,
    *,
    permit_number: str,
    from_statuses: frozenset[RadiationPermitStatus],
    status: RadiationPermitStatus,
    now: datetime,
    actor: Actor | None = None,
    **changes: Any,
) -> bool:
    """Move a radiation permit to `status` if still in `from_statuses`; False if another caller won."""
    values: dict[str, Any] = dict(status=str(status), updated_at=now, **changes)
    if actor is not None:
        values.update(_actor_values(actor))
    result = conn.execute(
        sa.update(radiation_permits)
        .where(
            radiation_permits.c.permit_number == permit_number,
            radiation_permits.c.status.in_([str(s) for s in from_statuses]),
        )
        .values(**values)
    )
    return result.rowcount == 1


def get_all_radiation(
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
