"""Queries of the roster, targets, plans, draws and inspection tasks (JSON documents plus the columns
the lists filter on). Draws are inserted and never updated: there is no function here to change one."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.enforcement.adapters.tables import (
    draws,
    inspection_plans,
    inspection_targets,
    inspection_tasks,
    inspectors,
)
from services.enforcement.domain.inspection_tasks import Outcome, Result, Task, TaskStatus
from services.enforcement.domain.inspections import Conflict, Inspector, Plan, PlanClass, Target
from services.enforcement.domain.values import Actor, GeoPoint
from shared import paging
from shared.db import upsert_insert


def _t(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def page_of(
    conn: Connection, table: sa.Table, key: Any, where: list[Any], *, size: int, after: str | None
) -> tuple[list[Any], str, int]:
    """Rows after the key `after`, in key order: (rows of the page, next token, total)."""
    total = conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one()
    query = sa.select(table).where(*where)
    if after is not None:
        query = query.where(key > after)
    rows = list(conn.execute(query.order_by(key).limit(size + 1)))
    token = paging.encode(getattr(rows[size - 1], key.name)) if len(rows) > size else ""
    return rows[:size], token, total


# ---- inspectors


def inspector_doc(i: Inspector) -> dict[str, Any]:
    """An inspector as stored."""
    return {
        "name": i.name,
        "badge_number": i.badge_number,
        "home_grid_id": i.home_grid_id,
        "qualifications": list(i.qualifications),
        "conflicts": [
            {"uscc": c.uscc, "reason": c.reason, "declared_at": _t(c.declared_at)} for c in i.conflicts
        ],
    }


def _inspector(row: Any) -> Inspector:
    doc = row.document
    return Inspector(
        row.inspector_id,
        doc["name"],
        doc["badge_number"],
        row.department,
        row.town,
        doc["home_grid_id"],
        tuple(doc["qualifications"]),
        row.active,
        tuple(Conflict(c["uscc"], c["reason"], _dt(c["declared_at"])) for c in doc["conflicts"]),  # type: ignore[arg-type]
    )


def save_inspector(conn: Connection, i: Inspector, *, new: bool) -> None:
    """Insert or update an inspector."""
    values = dict(department=i.department, town=i.town, active=i.active, document=inspector_doc(i))
    if new:
        conn.execute(inspectors.insert().values(inspector_id=i.inspector_id, **values))
    else:
        conn.execute(inspectors.update().where(inspectors.c.inspector_id == i.inspector_id).values(**values))


def get_inspector(conn: Connection, inspector_id: str) -> Inspector | None:
    """One inspector, if any."""
    row = conn.execute(sa.select(inspectors).where(inspectors.c.inspector_id == inspector_id)).first()
    return _inspector(row) if row else None


def get_inspectors(
    conn: Connection, *, department: str, town: str, active_only: bool, size: int, after: str | None
) -> paging.Page[Inspector]:
    """Inspectors filtered, by id."""
    where = []
    if department:
        where.append(inspectors.c.department == department)
    if town:
        where.append(inspectors.c.town == town)
    if active_only:
        where.append(inspectors.c.active.is_(True))
    rows, token, total = page_of(conn, inspectors, inspectors.c.inspector_id, where, size=size, after=after)
    return paging.Page([_inspector(r) for r in rows], token, total)


def active_inspectors(conn: Connection) -> list[Inspector]:
    """The whole active roster, by id (a draw's inspector list)."""
    rows = conn.execute(
        sa.select(inspectors).where(inspectors.c.active.is_(True)).order_by(inspectors.c.inspector_id)
    )
    return [_inspector(r) for r in rows]


# ---- targets


def update_target(conn: Connection, uscc: str, **values: Any) -> None:
    """Create the unit's row if new, then set the columns given (each event owns its columns)."""
    conn.execute(
        upsert_insert(conn, inspection_targets)
        .values(uscc=uscc, risk_flags=[])
        .on_conflict_do_nothing(index_elements=["uscc"])
    )
    conn.execute(inspection_targets.update().where(inspection_targets.c.uscc == uscc).values(**values))


def registered_targets(conn: Connection) -> list[Target]:
    """Every unit in the registry, by USCC, with its credit and risk level."""
    rows = conn.execute(
        sa.select(inspection_targets)
        .where(inspection_targets.c.registered.is_(True))
        .order_by(inspection_targets.c.uscc)
    )
    return [
        Target(r.uscc, r.name, r.town, r.grid_id, r.permit_class, tuple(r.risk_flags), r.credit, r.risk_level)
        for r in rows
    ]


def target(conn: Connection, uscc: str) -> Target | None:
    """One unit of the registry read model (registered or not yet), if known."""
    r = conn.execute(sa.select(inspection_targets).where(inspection_targets.c.uscc == uscc)).first()
    if r is None:
        return None
    return Target(
        r.uscc, r.name, r.town, r.grid_id, r.permit_class, tuple(r.risk_flags), r.credit, r.risk_level
    )


def target_location(conn: Connection, uscc: str) -> GeoPoint | None:
    """A registered unit's location, if known (problems about it are routed by it)."""
    row = conn.execute(
        sa.select(inspection_targets.c.lat, inspection_targets.c.lon).where(inspection_targets.c.uscc == uscc)
    ).first()
    return GeoPoint(row.lat, row.lon) if row and row.lat is not None and row.lon is not None else None


# ---- plans


def create_plan(conn: Connection, p: Plan) -> None:
    """Insert a plan."""
    doc = {
        "name": p.name,
        "starts_on": p.starts_on.isoformat(),
        "ends_on": p.ends_on.isoformat(),
        "classes": [
            {
                "code": c.code,
                "name": c.name,
                "ratio": c.ratio,
                "always_include": c.always_include,
                "credit_multipliers": dict(c.credit_multipliers),
                "frequency_per_year": c.frequency_per_year,
            }
            for c in p.classes
        ],
        "team_size": p.team_size,
        "towns": list(p.towns),
        "max_tasks_per_inspector": p.max_tasks_per_inspector,
        "created_by": [p.created_by.department, p.created_by.user, p.created_by.reason],
        "rules_version": p.rules_version,
    }
    conn.execute(
        inspection_plans.insert().values(
            plan_id=p.plan_id, department=p.department, created_at=p.created_at, document=doc
        )
    )


def _plan(row: Any) -> Plan:
    doc = row.document
    return Plan(
        row.plan_id,
        doc["name"],
        date.fromisoformat(doc["starts_on"]),
        date.fromisoformat(doc["ends_on"]),
        tuple(
            PlanClass(
                c["code"],
                c["name"],
                c["ratio"],
                c["always_include"],
                c["credit_multipliers"],
                c["frequency_per_year"],
            )
            for c in doc["classes"]
        ),
        doc["team_size"],
        row.department,
        tuple(doc["towns"]),
        doc["max_tasks_per_inspector"],
        row.created_at,
        Actor(*doc["created_by"]),
        doc["rules_version"],
    )


def get_plan(conn: Connection, plan_id: str) -> Plan | None:
    """One plan, if any."""
    row = conn.execute(sa.select(inspection_plans).where(inspection_plans.c.plan_id == plan_id)).first()
    return _plan(row) if row else None


def get_plans(conn: Connection, *, department: str, size: int, after: str | None) -> paging.Page[Plan]:
    """Plans filtered, by id."""
    where = [inspection_plans.c.department == department] if department else []
    rows, token, total = page_of(
        conn, inspection_plans, inspection_plans.c.plan_id, where, size=size, after=after
    )
    return paging.Page([_plan(r) for r in rows], token, total)


# ---- draws (write once)


def create_draw(conn: Connection, record: dict[str, Any]) -> None:
    """Insert a draw: its published document, exclusions, who drew it and when. Never updated."""
    conn.execute(draws.insert().values(**record))


def get_draw(conn: Connection, draw_id: str) -> Any:
    """One draw's row, if any."""
    return conn.execute(sa.select(draws).where(draws.c.draw_id == draw_id)).first()


def get_draws(conn: Connection, *, plan_id: str, size: int, after: str | None) -> paging.Page[Any]:
    """Draw rows filtered, by id."""
    where = [draws.c.plan_id == plan_id] if plan_id else []
    rows, token, total = page_of(conn, draws, draws.c.draw_id, where, size=size, after=after)
    return paging.Page(rows, token, total)


# ---- tasks


def _result_doc(r: Result | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {
        "outcome": r.outcome.value,
        "findings": r.findings,
        "inspector_ids": list(r.inspector_ids),
        "inspected_at": _t(r.inspected_at),
        "evidence_refs": list(r.evidence_refs),
        "problem_id": r.problem_id,
    }


def _task(row: Any) -> Task:
    doc = row.document
    r = doc["result"]
    found = (
        Result(
            Outcome(r["outcome"]),
            r["findings"],
            tuple(r["inspector_ids"]),
            _dt(r["inspected_at"]),  # type: ignore[arg-type]
            tuple(r["evidence_refs"]),
            r["problem_id"],
        )
        if r
        else None
    )
    return Task(
        row.task_id,
        row.draw_id,
        row.plan_id,
        row.uscc,
        doc["class_code"],
        tuple(row.inspector_ids),
        TaskStatus(row.status),
        date.fromisoformat(doc["due"]),
        found,
        row.published_at,
    )


def save_task(conn: Connection, t: Task, *, new: bool) -> None:
    """Insert or update a task."""
    values = dict(
        status=t.status.value,
        inspector_ids=list(t.inspector_ids),
        published_at=t.published_at,
        document={"class_code": t.class_code, "due": t.due.isoformat(), "result": _result_doc(t.result)},
    )
    if new:
        conn.execute(
            inspection_tasks.insert().values(
                task_id=t.task_id, draw_id=t.draw_id, plan_id=t.plan_id, uscc=t.uscc, **values
            )
        )
    else:
        conn.execute(
            inspection_tasks.update().where(inspection_tasks.c.task_id == t.task_id).values(**values)
        )


def get_task(conn: Connection, task_id: str, *, for_update: bool = False) -> Task | None:
    """One task, if any."""
    query = sa.select(inspection_tasks).where(inspection_tasks.c.task_id == task_id)
    row = conn.execute(query.with_for_update() if for_update else query).first()
    return _task(row) if row else None


def get_tasks(
    conn: Connection,
    *,
    draw_id: str,
    plan_id: str,
    uscc: str,
    inspector_id: str,
    status: TaskStatus | None,
    size: int,
    after: str | None,
) -> paging.Page[Task]:
    """Tasks filtered, by id (the inspector filter reads the team list)."""
    c = inspection_tasks.c
    where = [
        cond
        for cond, wanted in (
            (c.draw_id == draw_id, draw_id),
            (c.plan_id == plan_id, plan_id),
            (c.uscc == uscc, uscc),
            (c.status == (status.value if status else ""), status),
        )
        if wanted
    ]
    if inspector_id:
        # JSON containment differs between databases; the team is at most a few ids, so match its text.
        where.append(sa.cast(c.inspector_ids, sa.Text).contains(f'"{inspector_id}"'))
    rows, token, total = page_of(conn, inspection_tasks, c.task_id, where, size=size, after=after)
    return paging.Page([_task(r) for r in rows], token, total)


def tasks_of_draw(conn: Connection, draw_id: str) -> list[Task]:
    """Every task of a draw."""
    rows = conn.execute(
        sa.select(inspection_tasks)
        .where(inspection_tasks.c.draw_id == draw_id)
        .order_by(inspection_tasks.c.task_id)
    )
    return [_task(r) for r in rows]


def with_problem(t: Task, problem_id: str) -> Task:
    """The task whose result names the problem it opened."""
    assert t.result is not None
    return replace(t, result=replace(t.result, problem_id=problem_id))
