"""Translation of the inspection half: requests as domain inputs, domain objects as replies and event
payloads (the EVENTS table joins Deps.translate in bootstrap), and the events the targets consume."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from google.protobuf.message import Message

from eco.v1 import common_pb2, enforcement_pb2, evaluation_pb2, permits_pb2, risk_pb2
from services.enforcement.domain import draw as d
from services.enforcement.domain import inspection_tasks as tasks_rules
from services.enforcement.domain import inspections as rules
from services.enforcement.domain.inspection_events import DrawMade, DrawRecord, InspectionPublished
from services.enforcement.domain.inspection_tasks import Outcome, Result, Task, TaskStatus
from services.enforcement.domain.inspections import Conflict, Inspector, Plan, PlanClass
from services.enforcement.domain.values import Actor, GeoPoint
from services.enforcement.entrypoints.requests import enum_value, when
from shared.errors import InvalidArgument
from shared.proto_values import date_pb, timestamp

pb = enforcement_pb2
CREDIT = {
    common_pb2.CREDIT_LEVEL_UNSPECIFIED: "unrated",
    common_pb2.CREDIT_LEVEL_GREEN: "green",
    common_pb2.CREDIT_LEVEL_BLUE: "blue",
    common_pb2.CREDIT_LEVEL_YELLOW: "yellow",
    common_pb2.CREDIT_LEVEL_RED: "red",
    common_pb2.CREDIT_LEVEL_BLACK: "black",
}
CREDIT_PB = {v: k for k, v in CREDIT.items()}
OUTCOME = {o: getattr(pb, f"INSPECTION_OUTCOME_{o.name}") for o in Outcome}
OUTCOME_IN = {v: k for k, v in OUTCOME.items()}
STATUS = {s: getattr(pb, f"INSPECTION_TASK_STATUS_{s.name}") for s in TaskStatus}
STATUS_IN = {v: k for k, v in STATUS.items()}


def _day(field: str, value: common_pb2.Date) -> date:
    try:
        return date(value.year, value.month, value.day)
    except ValueError:
        raise InvalidArgument(field, "required, a valid date") from None


def _actor(a: Actor) -> common_pb2.Actor:
    return common_pb2.Actor(department=a.department, user=a.user, reason=a.reason)


# ---- requests


def inspector_in(i: pb.Inspector, department: str, now: datetime) -> Inspector:
    """An Inspector message as a checked inspector (the caller's department when none is given)."""
    conflicts = [
        Conflict(
            c.uscc,
            c.reason,
            when("inspector.conflicts.declared_at", c.declared_at, c.HasField("declared_at")) or now,
        )
        for c in i.conflicts
    ]
    return rules.inspector(
        inspector_id=i.inspector_id,
        name=i.name,
        badge_number=i.badge_number,
        department=i.department or department,
        town=i.town,
        home_grid_id=i.home_grid_id,
        qualifications=list(i.qualifications),
        active=i.active,
        conflicts=conflicts,
    )


def _multipliers(n: int, c: pb.InspectionClass) -> dict[str, float]:
    rated: dict[int, str] = {int(k): v for k, v in CREDIT.items() if k}
    return {
        enum_value(f"plan.classes[{n}].credit_ratios.level", r.level, rated): r.multiplier
        for r in c.credit_ratios
    }


def plan_in(p: pb.InspectionPlan, actor: Actor, now: datetime) -> Plan:
    """An InspectionPlan message as a plan (checked by the use case against the class rules)."""
    classes = tuple(
        PlanClass(c.code, c.name, c.ratio, c.always_include, _multipliers(n, c), c.frequency_per_year)
        for n, c in enumerate(p.classes)
    )
    return Plan(
        p.plan_id.strip(),
        p.name,
        _day("plan.starts_on", p.starts_on),
        _day("plan.ends_on", p.ends_on),
        classes,
        p.team_size,
        p.department or actor.department,
        tuple(p.towns),
        p.max_tasks_per_inspector,
        now,
        actor,
    )


def result_in(r: pb.InspectionResult, now: datetime) -> Result:
    """An InspectionResult message as a checked result."""
    outcome = enum_value("result.outcome", r.outcome, OUTCOME_IN, required=False)
    at = when("result.inspected_at", r.inspected_at, r.HasField("inspected_at")) or now
    return tasks_rules.result(
        outcome=outcome,
        findings=r.findings,
        inspector_ids=list(r.inspector_ids),
        inspected_at=at,
        evidence_refs=list(r.evidence_refs),
        now=now,
    )


def task_status(value: int) -> TaskStatus | None:
    """A task-status filter (UNSPECIFIED: any)."""
    found: TaskStatus | None = enum_value("status", value, STATUS_IN, required=False)
    return found


# ---- replies


def inspector(i: Inspector) -> pb.Inspector:
    """An Inspector message."""
    return pb.Inspector(
        inspector_id=i.inspector_id,
        name=i.name,
        badge_number=i.badge_number,
        department=i.department,
        town=i.town,
        active=i.active,
        conflicts=[
            pb.InspectorConflict(uscc=c.uscc, reason=c.reason, declared_at=timestamp(c.declared_at))
            for c in i.conflicts
        ],
        home_grid_id=i.home_grid_id,
        qualifications=list(i.qualifications),
    )


def _class(c: PlanClass) -> pb.InspectionClass:
    return pb.InspectionClass(
        code=c.code,
        name=c.name,
        ratio=c.ratio,
        always_include=c.always_include,
        credit_ratios=[
            pb.InspectionCreditRatio(level=CREDIT_PB[k], multiplier=v)
            for k, v in sorted(c.credit_multipliers.items())
            if k in CREDIT_PB
        ],
        frequency_per_year=c.frequency_per_year,
    )


def plan(p: Plan) -> pb.InspectionPlan:
    """An InspectionPlan message."""
    return pb.InspectionPlan(
        plan_id=p.plan_id,
        name=p.name,
        starts_on=date_pb(p.starts_on),
        ends_on=date_pb(p.ends_on),
        classes=[_class(c) for c in p.classes],
        team_size=p.team_size,
        department=p.department,
        towns=list(p.towns),
        created_at=timestamp(p.created_at),
        created_by=_actor(p.created_by),
        max_tasks_per_inspector=p.max_tasks_per_inspector,
    )


def selection(s: d.Selection | dict[str, Any], task_ids: dict[str, str]) -> pb.DrawSelection:
    """A DrawSelection message (from the domain or the published document)."""
    if isinstance(s, d.Selection):
        uscc, klass, team = s.uscc, s.class_code, list(s.inspector_ids)
    else:
        uscc, klass, team = s["uscc"], s["class_code"], list(s["inspector_ids"])
    return pb.DrawSelection(uscc=uscc, class_code=klass, inspector_ids=team, task_id=task_ids.get(uscc, ""))


def draw(r: DrawRecord) -> pb.Draw:
    """A Draw message: everything needed to reproduce it, and the published JSON itself."""
    doc = r.published
    task_ids = dict(r.task_ids)
    return pb.Draw(
        draw_id=r.draw_id,
        plan_id=r.plan_id,
        seed=doc["seed"],
        algorithm=doc["algorithm"],
        units=[
            pb.DrawUnit(
                uscc=u["uscc"], class_code=u["class_code"], credit=CREDIT_PB[u["credit"]], area=u["area"]
            )
            for u in doc["units"]
        ],
        inspector_ids=[i["inspector_id"] for i in doc["inspectors"]],
        exclusions=[
            pb.DrawExclusion(inspector_id=e.inspector_id, uscc=e.uscc, reason=e.reason) for e in r.exclusions
        ],
        selections=[selection(s, task_ids) for s in doc["selections"]],
        inputs_sha256=doc["inputs_sha256"],
        drawn_at=timestamp(r.drawn_at),
        drawn_by=_actor(r.drawn_by),
        classes=[
            pb.InspectionClass(
                code=c["code"],
                ratio=c["ratio_permille"] / d.PERMILLE,
                always_include=c["always_include"],
                credit_ratios=[
                    pb.InspectionCreditRatio(level=CREDIT_PB[k], multiplier=v / d.PERMILLE)
                    for k, v in sorted(c["credit_multipliers_permille"].items())
                    if k in CREDIT_PB
                ],
            )
            for c in doc["classes"]
        ],
        team_size=doc["team_size"],
        max_tasks_per_inspector=doc["max_tasks_per_inspector"],
        inspectors=[
            pb.DrawInspector(
                inspector_id=i["inspector_id"], home_area=i["home_area"], conflicts=i["conflicts"]
            )
            for i in doc["inspectors"]
        ],
        published_json=json.dumps(doc, ensure_ascii=False, sort_keys=True),
    )


def task(t: Task) -> pb.InspectionTask:
    """An InspectionTask message."""
    reply = pb.InspectionTask(
        task_id=t.task_id,
        draw_id=t.draw_id,
        plan_id=t.plan_id,
        uscc=t.uscc,
        class_code=t.class_code,
        inspector_ids=list(t.inspector_ids),
        status=STATUS[t.status],
        due=date_pb(t.due),
        published_at=timestamp(t.published_at),
    )
    if t.result is not None:
        r = t.result
        reply.result.CopyFrom(
            pb.InspectionResult(
                outcome=OUTCOME[r.outcome],
                findings=r.findings,
                inspector_ids=list(r.inspector_ids),
                inspected_at=timestamp(r.inspected_at),
                evidence_refs=list(r.evidence_refs),
                problem_id=r.problem_id,
            )
        )
    return reply


def _published(e: InspectionPublished) -> pb.InspectionPublished:
    t = e.task
    assert t.result is not None
    unit = e.unit
    message = pb.InspectionPublished(
        task_id=t.task_id,
        draw_id=t.draw_id,
        uscc=t.uscc,
        outcome=OUTCOME[t.result.outcome],
        findings=t.result.findings,
        inspected_at=timestamp(t.result.inspected_at),
        published_at=timestamp(t.published_at),
        problem_id=t.result.problem_id,
        enterprise_name=unit.name if unit else "",
        town=unit.town if unit else "",
        grid_id=unit.grid_id if unit else "",
    )
    if e.location is not None:
        message.location.CopyFrom(common_pb2.GeoPoint(lat=e.location.lat, lon=e.location.lon))
    return message


def _draw_made(e: DrawMade) -> pb.DrawMade:
    message = pb.DrawMade(draw=draw(e.draw))
    if e.plan is not None:
        message.plan.CopyFrom(plan(e.plan))
    return message


EVENTS: dict[type, Callable[[Any], Message]] = {
    DrawMade: _draw_made,
    InspectionPublished: _published,
}


# ---- events consumed (the targets read model)

PERMIT_CLASS = {v: k.removeprefix("PERMIT_CLASS_").lower() for k, v in common_pb2.PermitClass.items() if v}
RISK_FLAG = {v: k.removeprefix("RISK_FLAG_").lower() for k, v in permits_pb2.RiskFlag.items() if v}
RISK_LEVEL = {v: k.removeprefix("RISK_LEVEL_").lower() for k, v in risk_pb2.RiskLevel.items() if v}


def registry_entry(s: permits_pb2.EnterpriseSummary) -> dict[str, Any]:
    """A registry summary as the target's columns."""
    located = s.HasField("location") and (s.location.lat or s.location.lon)
    return dict(
        uscc=s.uscc,
        name=s.name,
        town=s.town,
        grid_id=s.grid,
        permit_class=PERMIT_CLASS.get(s.permit_class, ""),
        risk_flags=[RISK_FLAG[f] for f in s.risk_flags if f in RISK_FLAG],
        location=GeoPoint(s.location.lat, s.location.lon) if located else None,
    )


def credit_level(payload: evaluation_pb2.CreditChanged) -> str:
    """The new credit level of a CreditChanged."""
    return CREDIT.get(payload.level, "unrated")


def risk_level(payload: risk_pb2.RiskLevelChanged) -> str:
    """The new risk level of a RiskLevelChanged."""
    return RISK_LEVEL.get(payload.level, "")
