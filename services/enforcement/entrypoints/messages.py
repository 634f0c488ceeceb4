"""Enforcement's one translation module: domain objects as protobuf messages (gRPC replies and event
payloads alike), and the events it consumes as domain inputs. The service layer and domain never
import generated code."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from google.protobuf.message import Message

from eco.v1 import common_pb2, enforcement_pb2, monitoring_pb2, permits_pb2
from services.enforcement.domain import events as ev
from services.enforcement.domain.case import Candidate, Case, Outcome, Stage, Transition
from services.enforcement.domain.commissioners import Commissioner
from services.enforcement.domain.decisions import Decision, Harm, Investigation, PenaltyKind
from services.enforcement.domain.evidence import Item, Kind
from services.enforcement.domain.grids import Grid
from services.enforcement.domain.problem import Entry, Problem, ProblemIn, Severity, Source
from services.enforcement.domain.values import Actor, Assignee, GeoPoint
from services.enforcement.service_layer.evidence import EvidenceIn
from shared.proto_values import timestamp

pb = enforcement_pb2
# Looked up by name, so that a domain value without its contract counterpart fails at import.
SOURCE = {s: getattr(pb, f"PROBLEM_SOURCE_{s.name}") for s in Source}
STAGE = {s: getattr(pb, f"CASE_STAGE_{s.name}") for s in Stage}
OUTCOME: dict[Outcome, Any] = {
    o: pb.CASE_OUTCOME_UNSPECIFIED if o is Outcome.OPEN else getattr(pb, f"CASE_OUTCOME_{o.name}")
    for o in Outcome
}
KIND = {k: getattr(pb, f"EVIDENCE_KIND_{k.name}") for k in Kind}
PENALTY = {k: getattr(pb, f"PENALTY_KIND_{k.name}") for k in PenaltyKind}
HARM = {h: getattr(pb, f"HARM_LEVEL_{h.name}") for h in Harm}
ESCALATION_REASON: dict[str, Any] = {
    "overdue": pb.ESCALATION_REASON_OVERDUE,
    "manual": pb.ESCALATION_REASON_MANUAL,
    "severity": pb.ESCALATION_REASON_SEVERITY,
}


def geo(point: GeoPoint | None) -> common_pb2.GeoPoint | None:
    """A protobuf GeoPoint (None stays unset)."""
    return common_pb2.GeoPoint(lat=point.lat, lon=point.lon) if point else None


def actor(a: Actor) -> common_pb2.Actor:
    """A protobuf Actor."""
    return common_pb2.Actor(department=a.department, user=a.user, reason=a.reason)


def assignee(a: Assignee) -> pb.Assignee:
    """A protobuf Assignee."""
    return pb.Assignee(department=a.department, user=a.user, commissioner_id=a.commissioner_id)


def entry(e: Entry) -> pb.ProblemEntry:
    """One line of a problem's history."""
    return pb.ProblemEntry(
        at=timestamp(e.at), actor=actor(e.actor), what=e.what, note=e.note, source_ref=e.source_ref
    )


def problem(p: Problem, stage: Stage) -> pb.Problem:
    """A problem of the ledger, with its case's stage."""
    f = p.fields
    return pb.Problem(
        problem_id=p.problem_id,
        source=SOURCE[f.source],
        source_ref=f.source_ref,
        title=f.title,
        description=f.description,
        category=f.category,
        uscc=f.uscc,
        station_id=f.station_id,
        location=geo(f.location),
        town=f.town,
        grid_id=f.grid_id,
        occurred_at=timestamp(f.occurred_at),
        opened_at=timestamp(p.opened_at),
        case_id=p.case_id,
        stage=STAGE[stage],
        opened_by=actor(f.actor),
        history=[entry(e) for e in p.history],
        parameter=f.parameter,
        severity=f.severity.value,
    )


def candidate(c: Candidate) -> pb.SourceCandidate:
    """A candidate source."""
    return pb.SourceCandidate(
        uscc=c.uscc,
        outlet_id=c.outlet_id,
        score=c.score,
        distance_m=c.distance_m,
        reason=c.reason,
        method=c.method,
        parameter=c.parameter,
        baseline_mean=c.baseline_mean or 0.0,
        recent_mean=c.recent_mean or 0.0,
        movement_known=c.baseline_mean is not None and c.recent_mean is not None,
    )


def transition(t: Transition) -> pb.CaseTransition:
    """One step of a case."""
    return pb.CaseTransition(
        from_stage=STAGE[t.from_stage] if t.from_stage else pb.CASE_STAGE_UNSPECIFIED,
        to_stage=STAGE[t.to_stage],
        actor=actor(t.actor),
        note=t.note,
        at=timestamp(t.at),
    )


def investigation(i: Investigation) -> pb.CaseInvestigation:
    """The investigation's findings."""
    return pb.CaseInvestigation(
        findings=i.findings,
        violations=list(i.violations),
        first_violation=i.first_violation,
        harm=HARM[i.harm],
        corrected_in_time=i.corrected_in_time,
        inspector_ids=list(i.inspector_ids),
        investigated_at=timestamp(i.investigated_at),
        actor=actor(i.actor),
    )


def decision(d: Decision) -> pb.CaseDecision:
    """A decision as recorded."""
    f = d.fields
    return pb.CaseDecision(
        decision_id=d.decision_id,
        document_number=f.document_number,
        uscc=d.uscc,
        waived=f.waived,
        waiver_list_item=f.waiver_list_item,
        violation=f.violation,
        legal_basis=f.legal_basis,
        penalties=[PENALTY[k] for k in f.penalties],
        fine_fen=f.fine_fen,
        confiscated_fen=f.confiscated_fen,
        permit_number=f.permit_number,
        suspension_days=f.suspension_days,
        rectify_by=timestamp(d.rectify_by),
        decided_at=timestamp(d.decided_at),
        decided_by=actor(f.decided_by),
    )


def case(c: Case, now: datetime) -> pb.Case:
    """A case with its history, decision and rectification."""
    reply = pb.Case(
        case_id=c.case_id,
        case_number=c.case_number,
        title=c.title,
        stage=STAGE[c.stage],
        outcome=OUTCOME[c.outcome],
        problem_ids=list(c.problem_ids),
        source=SOURCE[c.source],
        uscc=c.uscc,
        station_id=c.station_id,
        location=geo(c.location),
        town=c.town,
        grid_id=c.grid_id,
        owner=assignee(c.owner),
        due_at=timestamp(c.due_at),
        overdue=c.overdue(now),
        escalation_level=c.escalation_level,
        opened_at=timestamp(c.opened_at),
        updated_at=timestamp(c.updated_at),
        closed_at=timestamp(c.closed_at),
        history=[transition(t) for t in c.history],
        candidates=[candidate(x) for x in c.candidates],
        evidence_head_sha256=c.evidence_head,
        evidence_count=c.evidence_count,
        locked_evidence_sha256=c.locked_evidence_sha256,
    )
    if c.investigation:
        reply.investigation.CopyFrom(investigation(c.investigation))
    if c.decision:
        reply.decision.CopyFrom(decision(c.decision))
    if c.rectification:
        r = c.rectification
        reply.rectification.CopyFrom(
            pb.CaseRectification(
                measures=r.measures,
                evidence_ids=list(r.evidence_ids),
                completed_at=timestamp(r.completed_at),
                verified_by=actor(r.verified_by),
                verified_at=timestamp(r.verified_at),
            )
        )
    return reply


def evidence(i: Item, content: bytes | None = None) -> pb.Evidence:
    """An evidence item (content only when asked for and kept here)."""
    return pb.Evidence(
        evidence_id=i.evidence_id,
        case_id=i.case_id,
        sequence=i.sequence,
        kind=KIND[i.kind],
        description=i.description,
        media_type=i.media_type,
        content=content or b"",
        content_uri=i.content_uri,
        content_sha256=i.content_sha256,
        previous_sha256=i.previous_sha256,
        item_sha256=i.item_sha256,
        source_ref=i.source_ref,
        collected_at=timestamp(i.collected_at),
        collected_by=actor(i.collected_by),
        location=geo(i.location),
        recorded_at=timestamp(i.recorded_at),
    )


def grid(g: Grid) -> pb.Grid:
    """A grid."""
    return pb.Grid(
        grid_id=g.grid_id,
        name=g.name,
        town=g.town,
        parent_grid_id=g.parent_grid_id,
        level=g.level,
        boundary=[common_pb2.GeoPoint(lat=p.lat, lon=p.lon) for p in g.boundary],
        commissioner_ids=list(g.commissioner_ids),
    )


def commissioner(c: Commissioner) -> pb.Commissioner:
    """A commissioner."""
    return pb.Commissioner(
        commissioner_id=c.commissioner_id,
        name=c.name,
        phone=c.phone,
        grid_ids=list(c.grid_ids),
        department=c.department,
        active=c.active,
    )


def _event_case(c: Case) -> pb.Case:
    # Events carry the case as of the step, by the step's own time (never "now" at relay time).
    return case(c, c.updated_at or c.opened_at)


def _advanced(e: ev.CaseAdvanced) -> pb.CaseAdvanced:
    c = e.case
    return pb.CaseAdvanced(
        case_id=c.case_id,
        case_number=c.case_number,
        uscc=c.uscc,
        station_id=c.station_id,
        from_stage=STAGE[e.from_stage],
        to_stage=STAGE[c.stage],
        outcome=OUTCOME[c.outcome],
        town=c.town,
        grid_id=c.grid_id,
        actor=actor(e.actor),
        case=_event_case(c),
    )


def _decided(c: Case) -> dict[str, Any]:
    assert c.decision is not None
    return dict(case_id=c.case_id, uscc=c.uscc, decision=decision(c.decision))


_EVENTS: dict[type, Callable[[Any], Message]] = {
    ev.ProblemOpened: lambda e: pb.ProblemOpened(
        problem=problem(e.problem, e.case.stage), new_case=e.new_case
    ),
    ev.CaseAdvanced: _advanced,
    ev.CaseAssigned: lambda e: pb.CaseAssigned(
        case_id=e.case.case_id,
        uscc=e.case.uscc,
        owner=assignee(e.case.owner),
        due_at=timestamp(e.case.due_at),
    ),
    ev.CaseEscalated: lambda e: pb.CaseEscalated(
        case_id=e.case.case_id,
        uscc=e.case.uscc,
        reason=ESCALATION_REASON[e.reason],
        escalation_level=e.case.escalation_level,
        owner=assignee(e.case.owner),
        stage=STAGE[e.case.stage],
    ),
    ev.EvidenceAdded: lambda e: pb.EvidenceAdded(
        case_id=e.item.case_id,
        evidence_id=e.item.evidence_id,
        sequence=e.item.sequence,
        kind=KIND[e.item.kind],
        content_sha256=e.item.content_sha256,
        item_sha256=e.item.item_sha256,
    ),
    ev.PenaltyDecided: lambda e: pb.PenaltyDecided(**_decided(e.case)),
    ev.ViolationWaived: lambda e: pb.ViolationWaived(**_decided(e.case)),
    ev.ProblemClosed: lambda e: pb.ProblemClosed(
        problem=problem(e.problem, e.case.stage),
        case_id=e.case.case_id,
        uscc=e.case.uscc,
        outcome=OUTCOME[e.case.outcome],
        closed_at=timestamp(e.case.closed_at),
    ),
    ev.GridChanged: lambda e: pb.GridChanged(grid=grid(e.grid)),
    ev.RectificationOverdue: lambda e: pb.RectificationOverdue(
        case_id=e.case.case_id,
        uscc=e.case.uscc,
        rectify_by=timestamp(e.case.decision.rectify_by),
        days_overdue=e.days_overdue,
    ),
    ev.SuspendPermitOrder: lambda e: permits_pb2.SuspendPermitOrder(
        uscc=e.uscc, permit_number=e.permit_number, case_id=e.case_id, reason=e.reason
    ),
}


def event_message(event: object) -> Message:
    """The contract message of a domain event (wired into Deps.translate)."""
    build = _EVENTS.get(type(event))
    if build is None:
        raise TypeError(f"no contract message for {type(event).__name__}")
    return build(event)


def readings_json(
    *,
    station_id: str,
    parameter: str,
    unit: str,
    limit: float,
    basis: str,
    points: list[monitoring_pb2.ReadingPoint],
) -> bytes:
    """Readings quoted as evidence, as canonical JSON (sorted keys, UTC times): the bytes hashed."""
    body = {
        "station_id": station_id,
        "parameter": parameter,
        "unit": unit,
        "limit": limit,
        "limit_basis": basis,
        "readings": [
            {"time": p.time.ToDatetime(tzinfo=UTC).isoformat(), "value": p.value, "flags": p.flags}
            for p in points
        ],
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def severity_of_multiple(multiple: float) -> Severity:
    """An exceedance's severity from its multiple over the limit: ≥ 1 (double the limit) is high."""
    if multiple >= 1.0:
        return Severity.HIGH
    return Severity.MEDIUM if multiple >= 0.2 else Severity.LOW


# ---- events consumed: monitoring's alarms and the tracing read model's facts, as domain inputs ----

WASTEWATER_CODES = frozenset(
    {"COD", "NH3N", "TP", "TN", "PH", "CR6", "PB", "HG", "CD", "AS", "NI", "CU", "ZN", "FLOW"}
)


def _station_category(station_type: int, parameter: str) -> str:
    if station_type == monitoring_pb2.STATION_TYPE_WATER_SECTION:
        return "water"
    if station_type in (monitoring_pb2.STATION_TYPE_AIR, monitoring_pb2.STATION_TYPE_VOCS):
        return "air"
    return "water" if parameter in WASTEWATER_CODES else "air"


def _point(p: common_pb2.GeoPoint | None) -> GeoPoint | None:
    # A missing or (0, 0) position is no position: routing then leaves the problem outside every grid.
    return GeoPoint(p.lat, p.lon) if p is not None and (p.lat or p.lon) else None


def _readings_item(
    *,
    event_id: str,
    what: str,
    content: bytes,
    at: datetime,
    where: GeoPoint | None,
    kind: Kind = Kind.READING,
) -> EvidenceIn:
    return EvidenceIn(
        kind=kind,
        description=what,
        media_type="application/json",
        content=content,
        external_uri="",
        external_sha256="",
        external_size=0,
        source_ref=event_id,
        collected_at=at,
        collected_by=Actor("monitoring", "", what),
        location=where,
    )


def exceedance_alarm(
    payload: monitoring_pb2.ExceedanceDetected, event_id: str
) -> tuple[ProblemIn, str, list[EvidenceIn]]:
    """An ExceedanceDetected as a problem, its river (water sections) and its readings as evidence."""
    x = payload.exceedance
    opened = x.opened_at.ToDatetime(tzinfo=UTC)
    where = _point(payload.location if payload.HasField("location") else None)
    name = payload.station_name or x.station_id
    title = f"{name} {x.parameter} 超标：最高 {x.max_value:g} {x.unit}（限值 {x.limit:g}，{x.limit_basis}）"
    problem = ProblemIn(
        source=Source.EXCEEDANCE,
        source_ref=event_id,
        title=title[:300],
        description=f"exceedance {x.exceedance_id}; multiple {x.max_multiple:.2f}",
        category=_station_category(x.station_type, x.parameter),
        uscc=x.uscc,
        station_id=x.station_id,
        parameter=x.parameter,
        location=where,
        town=payload.town,
        grid_id="",
        severity=severity_of_multiple(x.max_multiple),
        occurred_at=opened,
        actor=Actor("monitoring", "", "ExceedanceDetected"),
    )
    content = readings_json(
        station_id=x.station_id,
        parameter=x.parameter,
        unit=x.unit,
        limit=x.limit,
        basis=x.limit_basis,
        points=list(payload.evidence),
    )
    last = max((p.time.ToDatetime(tzinfo=UTC) for p in payload.evidence), default=opened)
    item = _readings_item(
        event_id=event_id,
        what=f"{x.parameter} readings that opened the exceedance",
        content=content,
        at=last,
        where=where,
    )
    return problem, payload.river, [item]


def exceedance_cleared(payload: monitoring_pb2.ExceedanceCleared) -> tuple[str, str]:
    """An ExceedanceCleared as (subject key, note)."""
    x = payload.exceedance
    why = payload.reason or "readings back within the limit"
    return f"station:{x.station_id}/{x.parameter}", f"exceedance {x.exceedance_id} cleared: {why}"


def fault_alarm(payload: monitoring_pb2.DeviceFault, event_id: str) -> tuple[ProblemIn, list[EvidenceIn]]:
    """A DeviceFault as a problem (a monitor not working is itself a violation to check) with its readings."""
    f = payload.fault
    opened = f.opened_at.ToDatetime(tzinfo=UTC)
    where = _point(payload.location if payload.HasField("location") else None)
    kind = monitoring_pb2.FaultKind.Name(f.kind).removeprefix("FAULT_KIND_").lower()
    problem = ProblemIn(
        source=Source.DEVICE_FAULT,
        source_ref=event_id,
        title=f"{f.station_id} {f.parameter} 设备故障：{kind}"[:300],
        description=f.detail,
        category="water" if f.parameter in WASTEWATER_CODES else "other",
        uscc=payload.uscc,
        station_id=f.station_id,
        parameter=f.parameter,
        location=where,
        town=payload.town,
        grid_id="",
        severity=Severity.LOW,
        occurred_at=opened,
        actor=Actor("monitoring", "", "DeviceFault"),
    )
    content = readings_json(
        station_id=f.station_id,
        parameter=f.parameter,
        unit="",
        limit=0.0,
        basis=kind,
        points=list(payload.evidence),
    )
    return problem, [
        _readings_item(
            event_id=event_id,
            what=f"readings behind the {kind} fault",
            content=content,
            at=opened,
            where=where,
        )
    ]


def idle_alarm(
    payload: monitoring_pb2.TreatmentIdleWhileProducing, event_id: str
) -> tuple[ProblemIn, list[EvidenceIn]]:
    """A TreatmentIdleWhileProducing as a suspected illegal discharge, with both power curves."""
    started = payload.started_at.ToDatetime(tzinfo=UTC)
    detected = payload.detected_at.ToDatetime(tzinfo=UTC)
    where = _point(payload.location if payload.HasField("location") else None)
    problem = ProblemIn(
        source=Source.TREATMENT_IDLE,
        source_ref=event_id,
        title=(
            f"疑似偷排：生产线 {payload.production_line_id} 运行而治污设施 "
            f"{payload.treatment_facility_id} 停运 {payload.duration_minutes} 分钟"
        )[:300],
        description=f"alarm {payload.alarm_id}",
        category="water",
        uscc=payload.uscc,
        station_id=payload.production_station_id,
        parameter="POWER",
        location=where,
        town=payload.town,
        grid_id="",
        severity=Severity.HIGH,
        occurred_at=started,
        actor=Actor("monitoring", "", "TreatmentIdleWhileProducing"),
    )
    body = {
        "production_station_id": payload.production_station_id,
        "treatment_station_id": payload.treatment_station_id,
        "production_idle_threshold_kw": payload.production_idle_threshold_kw,
        "treatment_running_threshold_kw": payload.treatment_running_threshold_kw,
        "production_power": [
            [p.time.ToDatetime(tzinfo=UTC).isoformat(), p.value] for p in payload.production_power
        ],
        "treatment_power": [
            [p.time.ToDatetime(tzinfo=UTC).isoformat(), p.value] for p in payload.treatment_power
        ],
    }
    content = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    item = _readings_item(
        event_id=event_id,
        what="production and treatment power draw",
        content=content,
        at=detected,
        where=where,
        kind=Kind.ELECTRICITY_TRACE,
    )
    return problem, [item]


def permit_limits(outlets: list[permits_pb2.OutletLimits]) -> dict[str, list[str]]:
    """A permit's outlets and the parameters it limits at each."""
    return {o.outlet_id: [limit.parameter for limit in o.limits] for o in outlets}
