"""Queries of hidden hazards."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.risk.adapters.tables import hazards
from services.risk.domain.hazards import (
    DeadlineChange,
    Hazard,
    HazardGrade,
    HazardSource,
    HazardStatus,
    Rectification,
)
from services.risk.domain.values import Actor, GeoPoint
from shared import paging
from shared.errors import NotFound


def _ts(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _actor_json(a: Actor | None) -> dict[str, str] | None:
    return {"department": a.department, "user": a.user, "reason": a.reason} if a else None


def _actor_from(raw: dict[str, str] | None) -> Actor | None:
    return Actor(**raw) if raw else None


def _values(h: Hazard) -> dict[str, Any]:
    r = h.rectification
    return dict(
        uscc=h.uscc,
        title=h.title,
        description=h.description,
        grade=h.grade.value,
        source=h.source.value,
        lat=h.location.lat if h.location else None,
        lon=h.location.lon if h.location else None,
        town=h.town,
        found_at=h.found_at,
        found_by_department=h.found_by.department,
        found_by_user=h.found_by.user,
        found_by_reason=h.found_by.reason,
        rectify_by=h.rectify_by,
        required_measures=h.required_measures,
        status=h.status.value,
        lapsed_deadline=h.lapsed_deadline,
        overdue_since=h.overdue_since,
        rectification=None
        if r is None
        else {
            "measures": r.measures,
            "evidence_refs": list(r.evidence_refs),
            "completed_at": _ts(r.completed_at),
            "reported_by": _actor_json(r.reported_by),
            "accepted": r.accepted,
            "check_note": r.check_note,
            "checked_by": _actor_json(r.checked_by),
            "checked_at": _ts(r.checked_at),
        },
        deadline_changes=[
            {
                "previous": _ts(c.previous),
                "deadline": _ts(c.deadline),
                "reason": c.reason,
                "actor": _actor_json(c.actor),
                "at": _ts(c.at),
            }
            for c in h.deadline_changes
        ],
        closed_at=h.closed_at,
        updated_at=h.updated_at,
    )


def _hazard(row: Any) -> Hazard:
    r = row.rectification
    rectification = None
    if r:
        rectification = Rectification(
            measures=r["measures"],
            evidence_refs=tuple(r["evidence_refs"]),
            completed_at=_dt(r["completed_at"]) or row.found_at,
            reported_by=_actor_from(r["reported_by"]) or Actor(),
            accepted=r["accepted"],
            check_note=r["check_note"],
            checked_by=_actor_from(r["checked_by"]),
            checked_at=_dt(r["checked_at"]),
        )
    changes = tuple(
        DeadlineChange(
            previous=_dt(c["previous"]) or row.rectify_by,
            deadline=_dt(c["deadline"]) or row.rectify_by,
            reason=c["reason"],
            actor=_actor_from(c["actor"]) or Actor(),
            at=_dt(c["at"]) or row.found_at,
        )
        for c in row.deadline_changes
    )
    return Hazard(
        hazard_id=row.hazard_id,
        uscc=row.uscc,
        title=row.title,
        description=row.description,
        grade=HazardGrade(row.grade),
        source=HazardSource(row.source),
        location=GeoPoint(row.lat, row.lon) if row.lat is not None and row.lon is not None else None,
        town=row.town,
        found_at=row.found_at,
        found_by=Actor(row.found_by_department, row.found_by_user, row.found_by_reason),
        rectify_by=row.rectify_by,
        required_measures=row.required_measures,
        status=HazardStatus(row.status),
        lapsed_deadline=row.lapsed_deadline,
        overdue_since=row.overdue_since,
        rectification=rectification,
        deadline_changes=changes,
        closed_at=row.closed_at,
        updated_at=row.updated_at,
    )


def create(conn: Connection, *, hazard_in: Hazard) -> None:
    """Insert a hazard."""
    conn.execute(hazards.insert().values(hazard_id=hazard_in.hazard_id, **_values(hazard_in)))


def update(conn: Connection, *, hazard_in: Hazard) -> None:
    """Write a hazard's new state."""
    conn.execute(
        hazards.update().where(hazards.c.hazard_id == hazard_in.hazard_id).values(**_values(hazard_in))
    )


def get_or_raise(conn: Connection, *, hazard_id: str, for_update: bool = False) -> Hazard:
    """One hazard, or NOT_FOUND."""
    query = sa.select(hazards).where(hazards.c.hazard_id == hazard_id)
    row = conn.execute(query.with_for_update() if for_update else query).first()
    if row is None:
        raise NotFound("hazard", hazard_id)
    return _hazard(row)


def get_all(
    conn: Connection,
    *,
    uscc: str,
    statuses: list[HazardStatus],
    grade: HazardGrade | None,
    town: str,
    overdue_only: bool,
    page_size: int,
    page_token: str,
) -> paging.Page[Hazard]:
    """Hazards by filters, by id."""
    size = paging.page_size(page_size)
    where: list[Any] = []
    if uscc:
        where.append(hazards.c.uscc == uscc)
    if statuses:
        where.append(hazards.c.status.in_([s.value for s in statuses]))
    if grade:
        where.append(hazards.c.grade == grade.value)
    if town:
        where.append(hazards.c.town == town)
    if overdue_only:
        where += [hazards.c.status == HazardStatus.OPEN.value, hazards.c.lapsed_deadline.is_not(None)]
    total = conn.execute(sa.select(sa.func.count()).select_from(hazards).where(*where)).scalar_one()
    after = paging.decode(page_token)
    if after:
        where.append(hazards.c.hazard_id > after)
    rows = conn.execute(sa.select(hazards).where(*where).order_by(hazards.c.hazard_id).limit(size + 1)).all()
    return paging.slice_page([_hazard(r) for r in rows], size, lambda h: h.hazard_id, total)


def due_to_lapse(conn: Connection, *, now: datetime, limit: int = 200) -> list[str]:
    """Ids of open hazards whose deadline passed with no lapse announced for it (the worker's list)."""
    rows = conn.execute(
        sa.select(hazards.c.hazard_id)
        .where(
            hazards.c.status == HazardStatus.OPEN.value,
            hazards.c.rectify_by <= now,
            sa.or_(hazards.c.lapsed_deadline.is_(None), hazards.c.lapsed_deadline != hazards.c.rectify_by),
        )
        .order_by(hazards.c.rectify_by, hazards.c.hazard_id)
        .limit(limit)
    )
    return list(rows.scalars())


def counts(conn: Connection, *, uscc: str) -> tuple[int, list[tuple[str, datetime]]]:
    """The enterprise's open (not closed) hazards, and its overdue ones as (id, overdue since)."""
    rows = conn.execute(
        sa.select(
            hazards.c.hazard_id, hazards.c.status, hazards.c.lapsed_deadline, hazards.c.overdue_since
        ).where(hazards.c.uscc == uscc, hazards.c.status != HazardStatus.CLOSED.value)
    ).all()
    overdue = [
        (r.hazard_id, r.overdue_since or r.lapsed_deadline)
        for r in rows
        if r.status == HazardStatus.OPEN.value and r.lapsed_deadline is not None
    ]
    return len(rows), overdue
