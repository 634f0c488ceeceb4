"""Queries of discharge permits and their per-outlet limits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.permits.adapters import renewal_repository
from services.permits.adapters.actors import actor_of, actor_values
from services.permits.adapters.tables import outlets, permit_limits, permits
from services.permits.domain.enterprise import OutletKind, PermitClass
from services.permits.domain.permit import OutletLimits, Permit, PermitStatus, PollutantLimit
from services.permits.domain.values import Actor
from shared import paging
from shared.errors import NotFound


def _limits_of(conn: Connection, numbers: list[str]) -> dict[str, tuple[OutletLimits, ...]]:
    if not numbers:
        return {}
    query = (
        sa.select(permit_limits, outlets.c.kind)
        .join(outlets, outlets.c.outlet_id == permit_limits.c.outlet_id)
        .where(permit_limits.c.permit_number.in_(numbers))
        .order_by(permit_limits.c.permit_number, permit_limits.c.outlet_id, permit_limits.c.parameter)
    )
    grouped: dict[str, dict[str, list[Any]]] = {}
    kinds: dict[str, OutletKind] = {}
    for row in conn.execute(query):
        grouped.setdefault(row.permit_number, {}).setdefault(row.outlet_id, []).append(row)
        kinds[row.outlet_id] = OutletKind(row.kind)
    return {
        number: tuple(
            OutletLimits(
                outlet_id,
                kinds[outlet_id],
                tuple(
                    PollutantLimit(
                        r.parameter, r.concentration, r.unit, r.annual_tonnes, r.concentration_floor
                    )
                    for r in rows
                ),
            )
            for outlet_id, rows in by_outlet.items()
        )
        for number, by_outlet in grouped.items()
    }


def _permits(conn: Connection, rows: Sequence[Any]) -> list[Permit]:
    limits = _limits_of(conn, [r.permit_number for r in rows])
    renewals = renewal_repository.latest_of(conn, [r.permit_number for r in rows])
    return [
        Permit(
            permit_number=r.permit_number,
            uscc=r.uscc,
            status=PermitStatus(r.status),
            permit_class=PermitClass(r.permit_class),
            outlets=limits.get(r.permit_number, ()),
            applied_on=r.applied_on,
            valid_from=r.valid_from,
            valid_until=r.valid_until,
            renewals=r.renewals,
            last_action=actor_of(r),
            updated_at=r.updated_at,
            latest_renewal=renewals.get(r.permit_number),
        )
        for r in rows
    ]


def count_for(conn: Connection, *, uscc: str) -> int:
    """How many permits (of any state) the enterprise has had; the next number's sequence is this + 1."""
    return int(conn.execute(sa.select(sa.func.count()).where(permits.c.uscc == uscc)).scalar_one())


def create(conn: Connection, *, permit_in: Permit) -> None:
    """Insert a permit with its limits."""
    conn.execute(
        permits.insert().values(
            permit_number=permit_in.permit_number,
            uscc=permit_in.uscc,
            status=str(permit_in.status),
            permit_class=str(permit_in.permit_class),
            applied_on=permit_in.applied_on,
            valid_from=permit_in.valid_from,
            valid_until=permit_in.valid_until,
            renewals=permit_in.renewals,
            updated_at=permit_in.updated_at,
            **actor_values(permit_in.last_action),
        )
    )
    replace_limits(conn, permit_number=permit_in.permit_number, outlets_in=permit_in.outlets)


def replace_limits(conn: Connection, *, permit_number: str, outlets_in: Iterable[OutletLimits]) -> None:
    """Set the permit's limits to exactly these."""
    conn.execute(sa.delete(permit_limits).where(permit_limits.c.permit_number == permit_number))
    rows = [
        dict(
            permit_number=permit_number,
            outlet_id=o.outlet_id,
            parameter=lim.parameter,
            concentration=lim.concentration,
            unit=lim.unit,
            annual_tonnes=lim.annual_tonnes,
            concentration_floor=lim.concentration_floor,
        )
        for o in outlets_in
        for lim in o.limits
    ]
    if rows:
        conn.execute(permit_limits.insert(), rows)


def get(conn: Connection, *, permit_number: str, for_update: bool = False) -> Permit | None:
    """The permit, optionally locking its row."""
    query = sa.select(permits).where(permits.c.permit_number == permit_number)
    if for_update:
        query = query.with_for_update()
    rows = conn.execute(query).all()
    return _permits(conn, rows)[0] if rows else None


def get_or_raise(conn: Connection, *, permit_number: str, for_update: bool = False) -> Permit:
    """The permit, or NOT_FOUND."""
    permit = get(conn, permit_number=permit_number, for_update=for_update)
    if permit is None:
        raise NotFound("permit", permit_number)
    return permit


def update_status(
    conn: Connection,
    *,
    permit_number: str,
    from_statuses: Iterable[PermitStatus],
    status: PermitStatus,
    actor: Actor,
    now: datetime,
    valid_until_before: date | None = None,
    unless_kept_in_force: bool = False,
    **changes: Any,
) -> bool:
    """Move a permit to `status` if it is still in one of `from_statuses` (and, with
    valid_until_before, its validity still ends before that day; with unless_kept_in_force, no
    renewal applied for in time is under review); False if another caller won.

    The conditions are checked on the row as it is when the UPDATE gets its lock: PostgreSQL
    re-evaluates them after waiting for a concurrent writer, so a renewal that commits while the
    expiry scheduler waits makes the scheduler's UPDATE touch nothing.
    """
    conditions = [
        permits.c.permit_number == permit_number,
        permits.c.status.in_([str(s) for s in from_statuses]),
    ]
    if valid_until_before is not None:
        conditions.append(permits.c.valid_until < valid_until_before)
    if unless_kept_in_force:
        conditions.append(~renewal_repository.kept_in_force())
    result = conn.execute(
        sa.update(permits)
        .where(*conditions)
        .values(status=str(status), updated_at=now, **actor_values(actor), **changes)
    )
    return result.rowcount == 1


def live_for(conn: Connection, *, uscc: str, statuses: Iterable[PermitStatus]) -> list[Permit]:
    """The enterprise's permits in the given states."""
    rows = conn.execute(
        sa.select(permits).where(permits.c.uscc == uscc, permits.c.status.in_([str(s) for s in statuses]))
    ).all()
    return _permits(conn, rows)


def get_all(
    conn: Connection,
    *,
    uscc: str = "",
    status: PermitStatus | None = None,
    statuses: Iterable[PermitStatus] = (),
    valid_until_from: date | None = None,
    valid_until_to: date | None = None,
    page_size: int = 0,
    page_token: str = "",
) -> paging.Page[Permit]:
    """Permits matching every given filter, ordered by number."""
    conditions = []
    if uscc:
        conditions.append(permits.c.uscc == uscc)
    if status is not None:
        conditions.append(permits.c.status == str(status))
    if statuses:
        conditions.append(permits.c.status.in_([str(s) for s in statuses]))
    if valid_until_from is not None:
        conditions.append(permits.c.valid_until >= valid_until_from)
    if valid_until_to is not None:
        conditions.append(permits.c.valid_until <= valid_until_to)
    size = paging.page_size(page_size)
    after = paging.decode(page_token)
    total = conn.execute(sa.select(sa.func.count()).select_from(permits).where(*conditions)).scalar_one()
    query = sa.select(permits).where(*conditions).order_by(permits.c.permit_number).limit(size + 1)
    if after is not None:
        query = query.where(permits.c.permit_number > after)
    rows = conn.execute(query).all()
    items = _permits(conn, rows[:size])
    next_token = paging.encode(items[-1].permit_number) if len(rows) > size else ""
    return paging.Page(items, next_token, int(total))


def due_to_expire(
    conn: Connection, *, statuses: Iterable[PermitStatus], before: date, limit: int = 500
) -> list[Permit]:
    """Permits in the given states whose validity ended before `before`, except those an application
    for renewal made in time keeps in force until its decision."""
    rows = conn.execute(
        sa.select(permits)
        .where(
            permits.c.status.in_([str(s) for s in statuses]),
            permits.c.valid_until < before,
            ~renewal_repository.kept_in_force(),
        )
        .order_by(permits.c.permit_number)
        .limit(limit)
    ).all()
    return _permits(conn, rows)
