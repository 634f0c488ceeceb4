"""Cases through the loop as protobuf: the case with its history, candidates, investigation,
decision and rectification, and the enum tables the requests read back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eco.v1 import enforcement_pb2, permits_pb2
from services.enforcement.domain.case import Candidate, Case, Outcome, Stage, Transition
from services.enforcement.domain.decisions import Decision, Harm, Investigation, PenaltyKind
from services.enforcement.domain.problem import Source
from services.enforcement.entrypoints.messages_values import actor, assignee, geo
from shared.proto_values import timestamp

pb = enforcement_pb2
# Looked up by name, so that a domain value without its contract counterpart fails at import.
SOURCE: dict[Source, Any] = {s: getattr(pb, f"PROBLEM_SOURCE_{s.name}") for s in Source}
STAGE = {s: getattr(pb, f"CASE_STAGE_{s.name}") for s in Stage}
OUTCOME: dict[Outcome, Any] = {
    o: pb.CASE_OUTCOME_UNSPECIFIED if o is Outcome.OPEN else getattr(pb, f"CASE_OUTCOME_{o.name}")
    for o in Outcome
}
PENALTY = {k: getattr(pb, f"PENALTY_KIND_{k.name}") for k in PenaltyKind}
HARM = {h: getattr(pb, f"HARM_LEVEL_{h.name}") for h in Harm}
ESCALATION_REASON: dict[str, Any] = {
    "overdue": pb.ESCALATION_REASON_OVERDUE,
    "manual": pb.ESCALATION_REASON_MANUAL,
    "severity": pb.ESCALATION_REASON_SEVERITY,
}


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


def permit_limits(outlets: list[permits_pb2.OutletLimits]) -> dict[str, list[str]]:
    """A permit's outlets and the parameters it limits at each."""
    return {o.outlet_id: [limit.parameter for limit in o.limits] for o in outlets}
