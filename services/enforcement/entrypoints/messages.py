"""Enforcement's translation between the domain and the contract, by area: problems
(messages_problems), cases (messages_cases), evidence (messages_evidence), grids (messages_grids),
shared values (messages_values); events consumed are translated in monitoring_alarms and
risk_alarms. This module holds the event table (domain event -> payload, wired into Deps.translate)
and names every reply builder once, so callers say `messages.case(...)` whatever the area.
The service layer and domain never import generated code."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from typing import Any

from google.protobuf.message import Message

from eco.v1 import enforcement_pb2, permits_pb2
from services.enforcement.domain import events as ev
from services.enforcement.domain.case import Case
from services.enforcement.entrypoints.messages_cases import (
    ESCALATION_REASON,
    HARM,
    OUTCOME,
    PENALTY,
    SOURCE,
    STAGE,
    candidate,
    case,
    decision,
    investigation,
    permit_limits,
    transition,
)
from services.enforcement.entrypoints.messages_evidence import KIND, evidence
from services.enforcement.entrypoints.messages_grids import commissioner, grid
from services.enforcement.entrypoints.messages_problems import entry, problem
from services.enforcement.entrypoints.messages_values import actor, assignee, geo
from services.enforcement.entrypoints.monitoring_alarms import (
    exceedance_alarm,
    exceedance_cleared,
    fault_alarm,
    idle_alarm,
    readings_json,
    severity_of_multiple,
)
from shared.proto_values import timestamp

__all__ = [
    "ESCALATION_REASON",
    "HARM",
    "KIND",
    "OUTCOME",
    "PENALTY",
    "SOURCE",
    "STAGE",
    "UTC",
    "actor",
    "assignee",
    "candidate",
    "case",
    "commissioner",
    "decision",
    "entry",
    "event_message",
    "evidence",
    "exceedance_alarm",
    "exceedance_cleared",
    "fault_alarm",
    "geo",
    "grid",
    "idle_alarm",
    "investigation",
    "permit_limits",
    "problem",
    "readings_json",
    "severity_of_multiple",
    "transition",
]

pb = enforcement_pb2


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
