"""Double-random use cases: the roster, the targets read model, plans, draws and their verification.

A draw is made from the plan, the registered targets (with credit and risk from the events) and the
active roster, with a seed published beforehand; it is stored once with its full inputs, and its
tasks are created in the same transaction as the DrawMade event.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from typing import Any

from sqlalchemy.engine import Connection

from services.enforcement.adapters import data_files
from services.enforcement.adapters import inspection_repository as repo
from services.enforcement.domain import draw as d
from services.enforcement.domain import inspections as rules
from services.enforcement.domain.inspection_events import DrawMade, DrawRecord
from services.enforcement.domain.inspection_tasks import Task, TaskStatus
from services.enforcement.domain.inspections import ClassRules, Inspector, Plan
from services.enforcement.domain.values import Actor, GeoPoint
from services.enforcement.service_layer.unit_of_work import Deps, transaction
from shared import paging
from shared.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound

INSPECTOR_FIELDS = (
    "name",
    "badge_number",
    "department",
    "town",
    "home_grid_id",
    "qualifications",
    "active",
    "conflicts",
)


@cache
def class_rules() -> ClassRules:
    """The class rules in force (data/inspection_classes.json)."""
    return rules.class_rules(data_files.read("inspection_classes.json"))


# ---- roster


def create_inspector(deps: Deps, i: Inspector) -> Inspector:
    """CreateInspector."""
    with transaction(deps) as tx:
        if repo.get_inspector(tx.conn, i.inspector_id) is not None:
            raise AlreadyExists("inspector", i.inspector_id)
        repo.save_inspector(tx.conn, i, new=True)
    return i


def update_inspector(deps: Deps, changes: Inspector, paths: Sequence[str]) -> Inspector:
    """UpdateInspector: the masked fields replaced, the whole checked again."""
    unknown = [p for p in paths if p not in INSPECTOR_FIELDS]
    if unknown or not paths:
        raise InvalidArgument(
            "update_mask", f"paths must be among {', '.join(INSPECTOR_FIELDS)}; got {list(paths)}"
        )
    with transaction(deps) as tx:
        current = repo.get_inspector(tx.conn, changes.inspector_id)
        if current is None:
            raise NotFound("inspector", changes.inspector_id)
        merged = replace(current, **{p: getattr(changes, p) for p in paths})
        checked = rules.inspector(**{f: getattr(merged, f) for f in ("inspector_id", *INSPECTOR_FIELDS)})
        repo.save_inspector(tx.conn, checked, new=False)
    return checked


def get_inspector(deps: Deps, *, inspector_id: str) -> Inspector:
    """One inspector."""
    with deps.engine.connect() as conn:
        found = repo.get_inspector(conn, inspector_id)
    if found is None:
        raise NotFound("inspector", inspector_id)
    return found


def get_inspectors(
    deps: Deps, *, department: str, town: str, active_only: bool, page_size: int, page_token: str
) -> paging.Page[Inspector]:
    """The roster filtered."""
    size, after = paging.page_size(page_size), paging.decode(page_token)
    with deps.engine.connect() as conn:
        return repo.get_inspectors(
            conn, department=department, town=town, active_only=active_only, size=size, after=after
        )


# ---- targets (fed by events, in the consumer's transaction)


def enterprise_registered(
    conn: Connection,
    *,
    uscc: str,
    name: str,
    town: str,
    grid_id: str,
    permit_class: str,
    risk_flags: Sequence[str],
    location: GeoPoint | None,
) -> None:
    """The registry's entry of a unit (EnterpriseRegistered / EnterpriseUpdated)."""
    repo.update_target(
        conn,
        uscc,
        name=name,
        town=town,
        grid_id=grid_id,
        permit_class=permit_class,
        risk_flags=sorted(risk_flags),
        registered=True,
        lat=location.lat if location else None,
        lon=location.lon if location else None,
    )


def credit_changed(conn: Connection, *, uscc: str, level: str) -> None:
    """Evaluation's CreditChanged: the unit's credit level."""
    repo.update_target(conn, uscc, credit=level if level in d.CREDITS else "unrated")


def risk_level_changed(conn: Connection, *, uscc: str, level: str) -> None:
    """Risk's RiskLevelChanged: the unit's risk level."""
    repo.update_target(conn, uscc, risk_level=level)


# ---- plans


def create_plan(deps: Deps, p: Plan) -> Plan:
    """CreateInspectionPlan: checked, with the class rules in force recorded on it."""
    checked = rules.plan(replace(p, plan_id=p.plan_id or str(uuid.uuid4())), class_rules())
    with transaction(deps) as tx:
        if repo.get_plan(tx.conn, checked.plan_id) is not None:
            raise AlreadyExists("inspection plan", checked.plan_id)
        checked = replace(checked, created_at=tx.now)
        repo.create_plan(tx.conn, checked)
    return checked


def get_plan(deps: Deps, *, plan_id: str) -> Plan:
    """One plan."""
    with deps.engine.connect() as conn:
        found = repo.get_plan(conn, plan_id)
    if found is None:
        raise NotFound("inspection plan", plan_id)
    return found


def get_plans(deps: Deps, *, department: str, page_size: int, page_token: str) -> paging.Page[Plan]:
    """Plans filtered."""
    size, after = paging.page_size(page_size), paging.decode(page_token)
    with deps.engine.connect() as conn:
        return repo.get_plans(conn, department=department, size=size, after=after)


# ---- draws


def _record(row: Any, task_ids: dict[str, str]) -> DrawRecord:
    by = row.drawn_by
    return DrawRecord(
        row.draw_id,
        row.plan_id,
        row.published,
        tuple(d.Exclusion(e["inspector_id"], e["uscc"], e["reason"]) for e in row.exclusions),
        row.drawn_at,
        Actor(by["department"], by["user"], by["reason"]),
        task_ids,
    )


def make_draw(deps: Deps, *, plan_id: str, seed: str, actor: Actor) -> DrawRecord:
    """MakeDraw: draw units and teams for a plan with its published seed; stored once with its inputs,
    one task per selected unit, and DrawMade, in one transaction."""
    seed = seed.strip().lower() or secrets.token_hex(32)
    with transaction(deps) as tx:
        plan = repo.get_plan(tx.conn, plan_id)
        if plan is None:
            raise NotFound("inspection plan", plan_id)
        made = rules.draw_inputs(
            plan,
            seed=seed,
            targets=repo.registered_targets(tx.conn),
            inspectors=repo.active_inspectors(tx.conn),
            rules=class_rules(),
        )
        if not made.inputs.units:
            raise FailedPrecondition(
                f"plan {plan.plan_id} has no registered units in its towns and classes to draw from yet"
            )
        result = d.draw(made.inputs)
        record = DrawRecord(
            str(uuid.uuid4()),
            plan.plan_id,
            d.published(made.inputs, result),
            result.exclusions,
            tx.now,
            actor,
            {s.uscc: str(uuid.uuid4()) for s in result.selections},
        )
        repo.create_draw(
            tx.conn,
            dict(
                draw_id=record.draw_id,
                plan_id=record.plan_id,
                drawn_at=record.drawn_at,
                drawn_by={"department": actor.department, "user": actor.user, "reason": actor.reason},
                inputs_sha256=result.inputs_sha256,
                published=record.published,
                exclusions=[
                    {"inspector_id": e.inspector_id, "uscc": e.uscc, "reason": e.reason}
                    for e in result.exclusions
                ],
            ),
        )
        for s in result.selections:
            task = Task(
                record.task_ids[s.uscc],
                record.draw_id,
                plan.plan_id,
                s.uscc,
                s.class_code,
                s.inspector_ids,
                TaskStatus.ASSIGNED,
                plan.ends_on,
            )
            repo.save_task(tx.conn, task, new=True)
        tx.publish(record.draw_id, DrawMade(record, plan))
    return record


def _task_ids(conn: Connection, draw_id: str) -> dict[str, str]:
    return {t.uscc: t.task_id for t in repo.tasks_of_draw(conn, draw_id)}


def get_draw(deps: Deps, *, draw_id: str) -> DrawRecord:
    """One recorded draw."""
    with deps.engine.connect() as conn:
        row = repo.get_draw(conn, draw_id)
        if row is None:
            raise NotFound("draw", draw_id)
        return _record(row, _task_ids(conn, draw_id))


def get_draws(deps: Deps, *, plan_id: str, page_size: int, page_token: str) -> paging.Page[DrawRecord]:
    """Recorded draws filtered."""
    size, after = paging.page_size(page_size), paging.decode(page_token)
    with deps.engine.connect() as conn:
        page = repo.get_draws(conn, plan_id=plan_id, size=size, after=after)
        items = [_record(r, _task_ids(conn, r.draw_id)) for r in page.items]
    return paging.Page(items, page.next_token, page.total)


def verify_draw(deps: Deps, *, draw_id: str) -> tuple[d.DrawResult, str]:
    """VerifyDraw: the selection recomputed from the recorded seed and inputs, and where it differs."""
    recorded = get_draw(deps, draw_id=draw_id).published
    recomputed = d.draw(rules.inputs_of(recorded))
    return recomputed, rules.mismatch(recorded, recomputed)
