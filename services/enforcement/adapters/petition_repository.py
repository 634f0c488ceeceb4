"""Queries of petitions: one row each, the document holding the statutory record and its context,
the columns beside it what lists, deadlines, escalation and the retention purge filter on."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.enforcement.adapters.inspection_repository import page_of
from services.enforcement.adapters.tables import petitions
from services.enforcement.domain import petitions as rules
from services.enforcement.domain.petition_records import Record
from services.enforcement.domain.petitions import Petition, Status
from services.enforcement.domain.values import Actor, Assignee
from shared import paging

_TIMES = ("received_at", "accept_due_at", "accepted_at", "handle_due_at", "answered_at", "closed_at")
_RECORD_TIMES = ("escalated_due_at", "extended_at", "declined_at", "purge_after", "contact_purged_at")


def _t(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _document(r: Record) -> dict[str, Any]:
    p = asdict(r.petition)
    p["status"] = r.petition.status.value
    for name in _TIMES:
        p[name] = _t(getattr(r.petition, name))
    doc: dict[str, Any] = {
        "petition": p,
        "source": r.source,
        "text": r.text,
        "submitted_by": r.submitted_by,
        "owner": asdict(r.owner),
        "problem_id": r.problem_id,
        "escalation_level": r.escalation_level,
        "extended_by": asdict(r.extended_by) if r.extended_by else None,
    }
    for name in _RECORD_TIMES:
        doc[name] = _t(getattr(r, name))
    return doc


def _record(row: Any) -> Record:
    doc = row.document
    p = dict(doc["petition"])
    p["status"] = Status(p["status"])
    for name in _TIMES:
        p[name] = _dt(p[name])
    return Record(
        petition=Petition(**p),
        tracking_code=row.tracking_code,
        source=doc["source"],
        text=doc["text"],
        contact=row.contact,
        town=row.town,
        grid_id=row.grid_id,
        submitted_by=doc["submitted_by"],
        owner=Assignee(**doc["owner"]),
        problem_id=doc["problem_id"],
        escalation_level=doc["escalation_level"],
        extended_by=Actor(**doc["extended_by"]) if doc["extended_by"] else None,
        **{name: _dt(doc[name]) for name in _RECORD_TIMES},
    )


def _columns(r: Record) -> dict[str, Any]:
    p = r.petition
    return dict(
        uscc=p.uscc,
        category=p.category,
        town=r.town,
        grid_id=r.grid_id,
        status=p.status.value,
        received_at=p.received_at,
        due_at=rules.due_at(p),
        escalated_due_at=r.escalated_due_at,
        contact=r.contact,
        purge_after=r.purge_after if r.contact else None,
        document=_document(r),
    )


def create(conn: Connection, r: Record) -> None:
    """Insert a petition."""
    conn.execute(
        petitions.insert().values(
            petition_id=r.petition.petition_id, tracking_code=r.tracking_code, **_columns(r)
        )
    )


def save(conn: Connection, r: Record) -> None:
    """Update a petition."""
    conn.execute(
        petitions.update().where(petitions.c.petition_id == r.petition.petition_id).values(**_columns(r))
    )


def get(
    conn: Connection, *, petition_id: str = "", tracking_code: str = "", for_update: bool = False
) -> Record | None:
    """One petition by id or tracking code."""
    column = petitions.c.petition_id if petition_id else petitions.c.tracking_code
    query = sa.select(petitions).where(column == (petition_id or tracking_code))
    row = conn.execute(query.with_for_update() if for_update else query).first()
    return _record(row) if row else None


def recent(conn: Connection, *, category: str, uscc: str, since: datetime) -> list[Record]:
    """Petitions of a category received since a time, about the enterprise (or about none)."""
    rows = conn.execute(
        sa.select(petitions).where(
            petitions.c.category == category, petitions.c.uscc == uscc, petitions.c.received_at >= since
        )
    )
    return [_record(r) for r in rows]


def get_all(
    conn: Connection,
    *,
    statuses: list[Status],
    uscc: str,
    town: str,
    grid_id: str,
    overdue_at: datetime | None,
    size: int,
    after: str | None,
) -> paging.Page[Record]:
    """Petitions filtered, by id."""
    c = petitions.c
    where: list[Any] = []
    if statuses:
        where.append(c.status.in_([s.value for s in statuses]))
    for column, wanted in ((c.uscc, uscc), (c.town, town), (c.grid_id, grid_id)):
        if wanted:
            where.append(column == wanted)
    if overdue_at is not None:
        where.append(c.due_at < overdue_at)
    rows, token, total = page_of(conn, petitions, c.petition_id, where, size=size, after=after)
    return paging.Page([_record(r) for r in rows], token, total)


def overdue_unescalated(conn: Connection, now: datetime) -> list[Record]:
    """Petitions past the deadline of their current step that were not escalated for that deadline."""
    c = petitions.c
    rows = conn.execute(
        sa.select(petitions)
        .where(c.due_at < now, sa.or_(c.escalated_due_at.is_(None), c.escalated_due_at != c.due_at))
        .with_for_update(skip_locked=True)
    )
    return [_record(r) for r in rows]


def due_for_purge(conn: Connection, now: datetime) -> list[Record]:
    """Closed petitions whose contact's retention period has passed."""
    c = petitions.c
    rows = conn.execute(sa.select(petitions).where(c.purge_after <= now, c.contact != ""))
    return [_record(r) for r in rows]


def purged(r: Record, now: datetime) -> Record:
    """The record with its contact erased."""
    return replace(r, contact="", purge_after=None, contact_purged_at=now)
