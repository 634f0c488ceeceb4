"""Queries of the problem ledger: problems, the references that reached them, their history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.enforcement.adapters import records
from services.enforcement.adapters.case_repository import keyset
from services.enforcement.adapters.tables import cases, problem_history, problem_refs, problems
from services.enforcement.domain.case import Stage
from services.enforcement.domain.problem import Entry, Problem, ProblemIn, Severity, Source
from services.enforcement.domain.values import GeoPoint
from shared import paging
from shared.db import insert_if_absent


def claim_ref(conn: Connection, source: Source, source_ref: str, problem_id: str) -> bool:
    """Record that `source_ref` reached `problem_id`; False if that reference already reached one."""
    return insert_if_absent(
        conn,
        problem_refs,
        key=("source", "source_ref"),
        values=dict(source=source.value, source_ref=source_ref, problem_id=problem_id),
    )


def by_ref(conn: Connection, source: Source, source_ref: str) -> str | None:
    """The problem a reference reached, if any."""
    return conn.execute(
        sa.select(problem_refs.c.problem_id).where(
            problem_refs.c.source == source.value, problem_refs.c.source_ref == source_ref
        )
    ).scalar_one_or_none()


def create(conn: Connection, p: Problem, river: str = "") -> None:
    """Insert a problem and its history so far."""
    f = p.fields
    conn.execute(
        problems.insert().values(
            problem_id=p.problem_id,
            case_id=p.case_id,
            source=f.source.value,
            source_ref=f.source_ref,
            subject=f.subject,
            title=f.title,
            description=f.description,
            category=f.category,
            uscc=f.uscc,
            station_id=f.station_id,
            parameter=f.parameter,
            river=river,
            lat=f.location.lat if f.location else None,
            lon=f.location.lon if f.location else None,
            town=f.town,
            grid_id=f.grid_id,
            severity=f.severity.value,
            occurred_at=f.occurred_at,
            opened_at=p.opened_at,
            **records.actor_values("opened_by", f.actor),
        )
    )
    for entry in p.history:
        append(conn, p.problem_id, entry)


def append(conn: Connection, problem_id: str, entry: Entry) -> None:
    """Add a line to a problem's history."""
    conn.execute(
        problem_history.insert().values(
            problem_id=problem_id,
            at=entry.at,
            what=entry.what,
            note=entry.note,
            source_ref=entry.source_ref,
            **records.actor_values("actor", entry.actor),
        )
    )


def append_to_case(conn: Connection, case_id: str, entry: Entry) -> None:
    """Add the same line to every problem of a case (its steps are theirs too)."""
    for problem_id in conn.execute(
        sa.select(problems.c.problem_id).where(problems.c.case_id == case_id)
    ).scalars():
        append(conn, problem_id, entry)


def open_for_subject(conn: Connection, subject: str) -> Problem | None:
    """The newest problem of a subject whose case is still open."""
    row = conn.execute(
        sa.select(problems)
        .join(cases, cases.c.case_id == problems.c.case_id)
        .where(problems.c.subject == subject, cases.c.stage != Stage.CLOSED.value)
        .order_by(problems.c.opened_at.desc())
        .limit(1)
    ).first()
    return _problem(conn, row) if row else None


def river_of(conn: Connection, case_id: str) -> tuple[str, str, str, GeoPoint | None, datetime] | None:
    """(river, station, parameter, location, occurred_at) of a case's first problem on a river."""
    row = conn.execute(
        sa.select(problems)
        .where(problems.c.case_id == case_id, problems.c.river != "")
        .order_by(problems.c.opened_at)
        .limit(1)
    ).first()
    if row is None:
        return None
    where = GeoPoint(row.lat, row.lon) if row.lat is not None else None
    return row.river, row.station_id, row.parameter, where, row.occurred_at


def _problem(conn: Connection, row: Any) -> Problem:
    history = tuple(
        Entry(h.at, records.actor_of("actor", h), h.what, h.note, h.source_ref)
        for h in conn.execute(
            sa.select(problem_history)
            .where(problem_history.c.problem_id == row.problem_id)
            .order_by(problem_history.c.id)
        )
    )
    fields = ProblemIn(
        source=Source(row.source),
        source_ref=row.source_ref,
        title=row.title,
        description=row.description,
        category=row.category,
        uscc=row.uscc,
        station_id=row.station_id,
        parameter=row.parameter,
        location=GeoPoint(row.lat, row.lon) if row.lat is not None else None,
        town=row.town,
        grid_id=row.grid_id,
        severity=Severity(row.severity),
        occurred_at=row.occurred_at,
        actor=records.actor_of("opened_by", row),
    )
    return Problem(row.problem_id, row.case_id, fields, row.opened_at, history)


def get(conn: Connection, *, problem_id: str) -> Problem | None:
    """One problem."""
    row = conn.execute(sa.select(problems).where(problems.c.problem_id == problem_id)).first()
    return _problem(conn, row) if row else None


def of_case(conn: Connection, case_id: str) -> list[Problem]:
    """The problems a case handles."""
    rows = conn.execute(
        sa.select(problems).where(problems.c.case_id == case_id).order_by(problems.c.opened_at)
    )
    return [_problem(conn, r) for r in rows]


def stages(conn: Connection, case_ids: list[str]) -> dict[str, Stage]:
    """The stage of each case (a problem's stage is its case's)."""
    if not case_ids:
        return {}
    rows = conn.execute(sa.select(cases.c.case_id, cases.c.stage).where(cases.c.case_id.in_(case_ids)))
    return {r.case_id: Stage(r.stage) for r in rows}


def get_all(
    conn: Connection,
    *,
    source: Source | None,
    uscc: str,
    station_id: str,
    town: str,
    grid_id: str,
    stages_in: list[Stage],
    opened_from: datetime | None,
    opened_to: datetime | None,
    overdue_at: datetime | None,
    severities: list[Severity] | None = None,
    size: int,
    after: str | None,
) -> paging.Page[Problem]:
    """Problems matching the filters, newest first, one page."""
    filters: list[Any] = []
    if source is not None:
        filters.append(problems.c.source == source.value)
    for column, value in (
        (problems.c.uscc, uscc),
        (problems.c.station_id, station_id),
        (problems.c.town, town),
        (problems.c.grid_id, grid_id),
    ):
        if value:
            filters.append(column == value)
    if stages_in:
        filters.append(cases.c.stage.in_([s.value for s in stages_in]))
    if opened_from is not None:
        filters.append(problems.c.opened_at >= opened_from)
    if opened_to is not None:
        filters.append(problems.c.opened_at < opened_to)
    if overdue_at is not None:
        filters.append(sa.and_(cases.c.stage != Stage.CLOSED.value, cases.c.due_at < overdue_at))
    if severities:
        filters.append(problems.c.severity.in_([s.value for s in severities]))
    joined = problems.join(cases, cases.c.case_id == problems.c.case_id)
    total = conn.execute(sa.select(sa.func.count()).select_from(joined).where(*filters)).scalar_one()
    query = sa.select(problems).select_from(joined).where(*filters)
    if after:
        at, problem_id = keyset(after)
        query = query.where(
            sa.or_(
                problems.c.opened_at < at,
                sa.and_(problems.c.opened_at == at, problems.c.problem_id < problem_id),
            )
        )
    rows = conn.execute(
        query.order_by(problems.c.opened_at.desc(), problems.c.problem_id.desc()).limit(size + 1)
    )
    found = [_problem(conn, r) for r in rows]
    return paging.slice_page(found, size, lambda p: f"{p.opened_at.isoformat()}|{p.problem_id}", total)
