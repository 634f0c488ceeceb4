"""Queries of cases: the row with its history and problems, saved whole after each step."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.enforcement.adapters import records
from services.enforcement.adapters.tables import case_history, case_numbers, cases, escalations, problems
from services.enforcement.domain.case import Case, Outcome, Stage, Transition
from services.enforcement.domain.problem import Source
from services.enforcement.domain.values import Assignee, GeoPoint
from shared import china_time, paging
from shared.db import insert_if_absent
from shared.errors import InvalidArgument


def keyset(after: str) -> tuple[datetime, str]:
    """The (time, id) a page token resumes after; a token this service did not give is refused."""
    when, _, key = after.partition("|")
    try:
        return datetime.fromisoformat(when), key
    except ValueError:
        raise InvalidArgument(paging.PAGE_TOKEN, "not a token this service returned") from None


def next_number(conn: Connection, case_id: str, opened_at: datetime) -> str:
    """A human-readable case number, e.g. "CX-2026-000123" (the year in the city's time)."""
    row_id = conn.execute(
        case_numbers.insert().values(case_id=case_id).returning(case_numbers.c.id)
    ).scalar_one()
    return f"CX-{china_time.local_day(opened_at).year}-{row_id:06d}"


def _values(c: Case) -> dict[str, Any]:
    return dict(
        title=c.title,
        source=c.source.value,
        uscc=c.uscc,
        station_id=c.station_id,
        lat=c.location.lat if c.location else None,
        lon=c.location.lon if c.location else None,
        town=c.town,
        grid_id=c.grid_id,
        stage=c.stage.value,
        outcome=c.outcome.value,
        owner_department=c.owner.department,
        owner_user=c.owner.user,
        owner_commissioner_id=c.owner.commissioner_id,
        due_at=c.due_at,
        escalation_level=c.escalation_level,
        escalated_lapse=c.escalated_lapse,
        deadline_version=c.deadline_version,
        updated_at=c.updated_at or c.opened_at,
        closed_at=c.closed_at,
        candidates=records.candidates_json(c.candidates),
        investigation=records.investigation_json(c.investigation),
        decision=records.decision_json(c.decision),
        rectification=records.rectification_json(c.rectification),
        evidence_head=c.evidence_head,
        evidence_count=c.evidence_count,
        locked_evidence_sha256=c.locked_evidence_sha256,
    )


def create(conn: Connection, c: Case, subject: str) -> None:
    """Insert a new case with its history so far."""
    conn.execute(
        cases.insert().values(
            case_id=c.case_id, case_number=c.case_number, subject=subject, opened_at=c.opened_at, **_values(c)
        )
    )
    _append_history(conn, c.case_id, c.history)


def save(conn: Connection, before: Case, after: Case) -> None:
    """Write a case after a step: its row, and the history entries the step added."""
    conn.execute(cases.update().where(cases.c.case_id == after.case_id).values(**_values(after)))
    _append_history(conn, after.case_id, after.history[len(before.history) :])


def _append_history(conn: Connection, case_id: str, steps: tuple[Transition, ...]) -> None:
    for t in steps:
        conn.execute(
            case_history.insert().values(
                case_id=case_id,
                from_stage=t.from_stage.value if t.from_stage else "",
                to_stage=t.to_stage.value,
                at=t.at,
                note=t.note,
                **records.actor_values("actor", t.actor),
            )
        )


def record_escalation(
    conn: Connection, case_id: str, lapse: str, level: int, reason: str, at: datetime
) -> bool:
    """Claim an escalation of a lapse; False when it was already escalated (by anyone)."""
    return insert_if_absent(
        conn,
        escalations,
        key=("case_id", "lapse"),
        values=dict(case_id=case_id, lapse=lapse, level=level, reason=reason, at=at),
    )


def _case(conn: Connection, row: Any) -> Case:
    history = tuple(
        Transition(
            Stage(h.from_stage) if h.from_stage else None,
            Stage(h.to_stage),
            records.actor_of("actor", h),
            h.note,
            h.at,
        )
        for h in conn.execute(
            sa.select(case_history).where(case_history.c.case_id == row.case_id).order_by(case_history.c.id)
        )
    )
    problem_ids = tuple(
        conn.execute(
            sa.select(problems.c.problem_id)
            .where(problems.c.case_id == row.case_id)
            .order_by(problems.c.opened_at, problems.c.problem_id)
        ).scalars()
    )
    return Case(
        case_id=row.case_id,
        case_number=row.case_number,
        title=row.title,
        source=Source(row.source),
        uscc=row.uscc,
        station_id=row.station_id,
        location=GeoPoint(row.lat, row.lon) if row.lat is not None else None,
        town=row.town,
        grid_id=row.grid_id,
        opened_at=row.opened_at,
        stage=Stage(row.stage),
        outcome=Outcome(row.outcome),
        owner=Assignee(row.owner_department, row.owner_user, row.owner_commissioner_id),
        due_at=row.due_at,
        escalation_level=row.escalation_level,
        escalated_lapse=row.escalated_lapse,
        deadline_version=row.deadline_version,
        updated_at=row.updated_at,
        closed_at=row.closed_at,
        problem_ids=problem_ids,
        history=history,
        candidates=records.candidates_of(row.candidates),
        investigation=records.investigation_of(row.investigation),
        decision=records.decision_of(row.decision),
        rectification=records.rectification_of(row.rectification),
        evidence_head=row.evidence_head,
        evidence_count=row.evidence_count,
        locked_evidence_sha256=row.locked_evidence_sha256,
    )


def get(conn: Connection, *, case_id: str, for_update: bool = False) -> Case | None:
    """One case (locked for the step when asked)."""
    query = sa.select(cases).where(cases.c.case_id == case_id)
    row = conn.execute(query.with_for_update() if for_update else query).first()
    return _case(conn, row) if row else None


def open_for_subject(conn: Connection, subject: str) -> Case | None:
    """The open case of a subject, if any (locked: a problem is about to join it)."""
    row = conn.execute(
        sa.select(cases)
        .where(cases.c.subject == subject, cases.c.stage != Stage.CLOSED.value)
        .order_by(cases.c.opened_at.desc())
        .limit(1)
        .with_for_update()
    ).first()
    return _case(conn, row) if row else None


def overdue_ids(conn: Connection, now: datetime, limit: int = 200) -> list[str]:
    """Open cases whose stage deadline has passed, oldest deadline first."""
    return list(
        conn.execute(
            sa.select(cases.c.case_id)
            .where(cases.c.stage != Stage.CLOSED.value, cases.c.due_at < now)
            .order_by(cases.c.due_at)
            .limit(limit)
        ).scalars()
    )


def get_all(
    conn: Connection,
    *,
    stages: list[Stage],
    uscc: str,
    town: str,
    grid_id: str,
    owner_department: str,
    overdue_at: datetime | None,
    source: Source | None,
    size: int,
    after: str | None,
) -> paging.Page[Case]:
    """Cases matching the filters, newest first, one page."""
    filters: list[Any] = []
    if stages:
        filters.append(cases.c.stage.in_([s.value for s in stages]))
    for column, value in ((cases.c.uscc, uscc), (cases.c.town, town), (cases.c.grid_id, grid_id)):
        if value:
            filters.append(column == value)
    if owner_department:
        filters.append(cases.c.owner_department == owner_department)
    if overdue_at is not None:
        filters.append(sa.and_(cases.c.stage != Stage.CLOSED.value, cases.c.due_at < overdue_at))
    if source is not None:
        filters.append(cases.c.source == source.value)
    total = conn.execute(sa.select(sa.func.count()).select_from(cases).where(*filters)).scalar_one()
    query = sa.select(cases).where(*filters)
    if after:
        at, case_id = keyset(after)
        query = query.where(
            sa.or_(cases.c.opened_at < at, sa.and_(cases.c.opened_at == at, cases.c.case_id < case_id))
        )
    rows = conn.execute(
        query.order_by(cases.c.opened_at.desc(), cases.c.case_id.desc()).limit(size + 1)
    ).all()
    found = [_case(conn, r) for r in rows]
    return paging.slice_page(found, size, lambda c: f"{c.opened_at.isoformat()}|{c.case_id}", total)
