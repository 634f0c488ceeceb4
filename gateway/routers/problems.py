"""The problem ledger and its cases for operators (一中心): list and read problems, enter one by hand,
move a case through the closed loop, and check its evidence chain.

Every rule is enforcement's: the gateway translates JSON to the contract and back, calls with a
deadline, and passes enforcement's refusals on as HTTP with the same message (gateway/errors.py).
The acting operator's username goes into each step's actor, under the gateway's department.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, status
from google.protobuf.message import Message

from eco.v1 import common_pb2, enforcement_pb2
from gateway import operators
from gateway.clients import clients_of
from gateway.errors import API_ERRORS
from gateway.inputs import timestamp
from gateway.routers import problem_models as m
from gateway.routers.enterprises import to_json
from shared.errors import InvalidArgument

pb = enforcement_pb2
router = APIRouter(prefix="/api/v1", tags=["problems"], responses=API_ERRORS)
CALL_TIMEOUT = 10.0
# Tracing follows monitoring's readings upstream: it may read several series.
TRACE_TIMEOUT = 30.0

# Who may do what. Field staff (grid commissioners, inspectors) read, report and work the early
# steps; a decision and the closing (销号) are the bureau's acts.
Reader = Annotated[operators.Operator, Depends(operators.require(*operators.RECORD_READERS))]
Reporter = Annotated[operators.Operator, Depends(operators.require("admin", "officer", "inspector", "grid"))]
Handler = Annotated[operators.Operator, Depends(operators.require("admin", "officer", "inspector"))]
Manager = Annotated[operators.Operator, Depends(operators.require("admin", "officer", "grid"))]
Decider = Annotated[operators.Operator, Depends(operators.require("admin", "officer"))]


def _call(request: Request, method: str, message: Message, timeout: float = CALL_TIMEOUT) -> Any:
    """One call to enforcement on the gateway's behalf, with a deadline."""
    clients = clients_of(request.app.state)
    return getattr(clients.enforcement, method)(message, metadata=clients.metadata(), timeout=timeout)


def _actor(operator: operators.Operator, reason: str = "") -> common_pb2.Actor:
    return common_pb2.Actor(user=operator.username, reason=reason)


def _page(page_size: int, page_token: str) -> common_pb2.PageRequest:
    return common_pb2.PageRequest(page_size=page_size, page_token=page_token)


def _case(reply: pb.Case) -> m.CaseOut:
    return m.CaseOut.model_validate(to_json(reply))


def _evidence(reply: pb.Evidence) -> m.EvidenceOut:
    """An evidence item without its inline content: the bytes stay out of JSON (content_uri and
    content_sha256 say where they are and what they hash to)."""
    fields = to_json(reply)
    del fields["content"]
    return m.EvidenceOut.model_validate(fields)


def _stages(raw: list[str]) -> list[int]:
    return [m.enum_value(f"stage[{i}]", s, pb.CaseStage, "CASE_STAGE_") for i, s in enumerate(raw)]


def _source(raw: str) -> int:
    return m.enum_value("source", raw, pb.ProblemSource, "PROBLEM_SOURCE_") if raw else 0


PageSize = Query(50, ge=1, le=500)
Stages = Annotated[
    list[str] | None, Query(description="Any of discovered, traced, ..., closed (repeat the parameter)")
]
Severities = Annotated[list[str] | None, Query(description="Any of low, medium, high (repeat the parameter)")]
OpenedFrom = Annotated[datetime | None, Query(description="Opened at or after (RFC 3339 with zone)")]
OpenedTo = Annotated[datetime | None, Query(description="Opened before (RFC 3339 with zone)")]


@router.get("/problems", response_model=m.ProblemPage)
def list_problems(
    request: Request,
    _: Reader,
    source: str = Query("", description="e.g. exceedance, hazard_overdue, waste_manifest, manual"),
    uscc: str = "",
    station_id: str = "",
    town: str = "",
    grid_id: str = "",
    stage: Stages = None,
    severity: Severities = None,
    overdue: bool = Query(False, description="Only problems whose case's stage deadline has passed"),
    opened_from: OpenedFrom = None,
    opened_to: OpenedTo = None,
    page_size: int = PageSize,
    page_token: str = "",
) -> m.ProblemPage:
    """The problem ledger, newest first, filtered, a page at a time."""
    reply = _call(
        request,
        "ListProblems",
        pb.ListProblemsRequest(
            source=_source(source),  # type: ignore[arg-type]
            uscc=uscc,
            station_id=station_id,
            town=town,
            grid_id=grid_id,
            stages=_stages(stage or []),  # type: ignore[arg-type]
            severities=severity or [],
            overdue_only=overdue,
            opened_from=timestamp("opened_from", opened_from),
            opened_to=timestamp("opened_to", opened_to),
            page=_page(page_size, page_token),
        ),
    )
    return m.ProblemPage(
        problems=[m.ProblemOut.model_validate(to_json(p)) for p in reply.problems],
        next_page_token=reply.page.next_page_token,
        total=reply.page.total,
    )


@router.get("/problems/{problem_id}", response_model=m.ProblemOut)
def get_problem(problem_id: str, request: Request, _: Reader) -> m.ProblemOut:
    """One problem with its whole history."""
    reply = _call(request, "GetProblem", pb.GetProblemRequest(problem_id=problem_id))
    return m.ProblemOut.model_validate(to_json(reply))


@router.post("/problems", response_model=m.ProblemOut, status_code=status.HTTP_201_CREATED)
def open_problem(problem_in: m.ProblemIn, request: Request, operator: Reporter) -> m.ProblemOut:
    """Enter a problem by hand; routed to its grid by its location. A repeated source_ref returns
    the problem it opened."""
    located = problem_in.lat is not None or problem_in.lon is not None
    where = common_pb2.GeoPoint(lat=problem_in.lat or 0.0, lon=problem_in.lon or 0.0) if located else None
    reply = _call(
        request,
        "OpenProblem",
        pb.OpenProblemRequest(
            source=_source(problem_in.source),  # type: ignore[arg-type]
            source_ref=problem_in.source_ref,
            title=problem_in.title,
            description=problem_in.description,
            category=problem_in.category,
            uscc=problem_in.uscc,
            station_id=problem_in.station_id,
            location=where,
            grid_id=problem_in.grid_id,
            occurred_at=timestamp("occurred_at", problem_in.occurred_at),
            actor=_actor(operator, problem_in.reason),
            parameter=problem_in.parameter,
            severity=problem_in.severity,
        ),
    )
    return m.ProblemOut.model_validate(to_json(reply))


@router.get("/cases", response_model=m.CasePage)
def list_cases(
    request: Request,
    _: Reader,
    stage: Stages = None,
    uscc: str = "",
    town: str = "",
    grid_id: str = "",
    owner_department: str = "",
    overdue: bool = Query(False, description="Only cases whose stage deadline has passed"),
    source: str = "",
    page_size: int = PageSize,
    page_token: str = "",
) -> m.CasePage:
    """Cases, newest first, filtered, a page at a time."""
    reply = _call(
        request,
        "ListCases",
        pb.ListCasesRequest(
            stages=_stages(stage or []),  # type: ignore[arg-type]
            uscc=uscc,
            town=town,
            grid_id=grid_id,
            owner_department=owner_department,
            overdue_only=overdue,
            source=_source(source),  # type: ignore[arg-type]
            page=_page(page_size, page_token),
        ),
    )
    return m.CasePage(
        cases=[_case(c) for c in reply.cases],
        next_page_token=reply.page.next_page_token,
        total=reply.page.total,
    )


@router.get("/cases/{case_id}", response_model=m.CaseOut)
def get_case(case_id: str, request: Request, _: Reader) -> m.CaseOut:
    """One case with its history, candidates, investigation, decision and rectification."""
    return _case(_call(request, "GetCase", pb.GetCaseRequest(case_id=case_id)))


@router.post("/cases/{case_id}/assign", response_model=m.CaseOut)
def assign_case(case_id: str, assign_in: m.AssignIn, request: Request, operator: Manager) -> m.CaseOut:
    """Give the current stage an owner and (optionally) a new deadline."""
    owner = pb.Assignee(
        department=assign_in.department, user=assign_in.user, commissioner_id=assign_in.commissioner_id
    )
    message = pb.AssignCaseRequest(
        case_id=case_id,
        owner=owner,
        due_at=timestamp("due_at", assign_in.due_at),
        actor=_actor(operator, assign_in.reason),
    )
    return _case(_call(request, "AssignCase", message))


@router.post("/cases/{case_id}/escalate", response_model=m.CaseOut)
def escalate_case(case_id: str, escalate_in: m.EscalateIn, request: Request, operator: Manager) -> m.CaseOut:
    """Raise a case one level by hand (manual or severity); overdue escalation is automatic."""
    owner = None
    if escalate_in.department or escalate_in.user or escalate_in.commissioner_id:
        owner = pb.Assignee(
            department=escalate_in.department,
            user=escalate_in.user,
            commissioner_id=escalate_in.commissioner_id,
        )
    message = pb.EscalateCaseRequest(
        case_id=case_id,
        reason=m.enum_value("reason", escalate_in.reason, pb.EscalationReason, "ESCALATION_REASON_"),  # type: ignore[arg-type]
        owner=owner,
        due_at=timestamp("due_at", escalate_in.due_at),
        actor=_actor(operator, escalate_in.note),
    )
    return _case(_call(request, "EscalateCase", message))


@router.get("/cases/{case_id}/sources", response_model=m.CandidatesOut)
def suggest_sources(
    case_id: str,
    request: Request,
    _: Handler,
    radius_m: float = Query(0.0, ge=0, description="Upstream distance along the river (0: the server's)"),
    limit: int = Query(10, ge=1, le=100),
) -> m.CandidatesOut:
    """Candidate sources of a river-section case, upstream, likeliest first, each with its evidence."""
    message = pb.SuggestSourcesRequest(case_id=case_id, radius_m=radius_m, limit=limit)
    reply = _call(request, "SuggestSources", message, timeout=TRACE_TIMEOUT)
    return m.CandidatesOut(candidates=[m.CandidateOut.model_validate(to_json(c)) for c in reply.candidates])


@router.post("/cases/{case_id}/trace", response_model=m.CaseOut)
def trace_case(case_id: str, trace_in: m.TraceIn, request: Request, operator: Handler) -> m.CaseOut:
    """DISCOVERED → TRACED: name the responsible enterprise (or none) and keep the candidates."""
    candidates = [pb.SourceCandidate(**c.model_dump()) for c in trace_in.candidates]
    message = pb.TraceCaseRequest(
        case_id=case_id,
        responsible_uscc=trace_in.responsible_uscc,
        candidates=candidates,
        note=trace_in.note,
        actor=_actor(operator, trace_in.reason),
    )
    return _case(_call(request, "TraceCase", message))


@router.post("/cases/{case_id}/lock-evidence", response_model=m.CaseOut)
def lock_evidence(case_id: str, lock_in: m.LockIn, request: Request, operator: Handler) -> m.CaseOut:
    """TRACED → EVIDENCE_LOCKED: seal the chain at the head the caller reviewed (409 if it moved)."""
    message = pb.LockEvidenceRequest(
        case_id=case_id,
        expected_head_sha256=lock_in.expected_head_sha256,
        actor=_actor(operator, lock_in.reason),
    )
    return _case(_call(request, "LockEvidence", message))


@router.post("/cases/{case_id}/investigation", response_model=m.CaseOut)
def record_investigation(
    case_id: str, investigation_in: m.InvestigationIn, request: Request, operator: Handler
) -> m.CaseOut:
    """EVIDENCE_LOCKED → INVESTIGATED: the findings, first violation, harm and correction."""
    i = investigation_in
    harm = m.enum_value("investigation.harm", i.harm, pb.HarmLevel, "HARM_LEVEL_") if i.harm else 0
    message = pb.RecordInvestigationRequest(
        case_id=case_id,
        investigation=pb.CaseInvestigation(
            findings=i.findings,
            violations=i.violations,
            first_violation=i.first_violation,
            harm=harm,  # type: ignore[arg-type]
            corrected_in_time=i.corrected_in_time,
            inspector_ids=i.inspector_ids,
            actor=_actor(operator, i.reason),
        ),
    )
    return _case(_call(request, "RecordInvestigation", message))


@router.post("/cases/{case_id}/decision", response_model=m.CaseOut)
def decide_case(case_id: str, decision_in: m.DecisionIn, request: Request, operator: Decider) -> m.CaseOut:
    """INVESTIGATED → DECIDED: a penalty (a catalogue provision, its kinds, a fine in its range) or a
    waiver of a minor violation (a list item whose conditions the investigation meets)."""
    d = decision_in
    penalties = [
        m.enum_value(f"decision.penalties[{i}]", p, pb.PenaltyKind, "PENALTY_KIND_")
        for i, p in enumerate(d.penalties)
    ]
    message = pb.DecideCaseRequest(
        case_id=case_id,
        decision=pb.CaseDecision(
            document_number=d.document_number,
            waived=d.waived,
            waiver_list_item=d.waiver_list_item,
            violation=d.violation,
            legal_basis=d.legal_basis,
            penalties=penalties,  # type: ignore[arg-type]
            fine_fen=d.fine_fen,
            confiscated_fen=d.confiscated_fen,
            permit_number=d.permit_number,
            suspension_days=d.suspension_days,
            rectify_by=timestamp("decision.rectify_by", d.rectify_by),
            decided_by=_actor(operator, d.reason),
        ),
    )
    return _case(_call(request, "DecideCase", message))


@router.post("/cases/{case_id}/rectification", response_model=m.CaseOut)
def record_rectification(
    case_id: str, rectification_in: m.RectificationIn, request: Request, operator: Reporter
) -> m.CaseOut:
    """DECIDED → RECTIFIED: the measures taken, verified on site by the caller."""
    r = rectification_in
    message = pb.RecordRectificationRequest(
        case_id=case_id,
        rectification=pb.CaseRectification(
            measures=r.measures,
            evidence_ids=r.evidence_ids,
            completed_at=timestamp("rectification.completed_at", r.completed_at),
            verified_by=_actor(operator, r.reason),
        ),
    )
    return _case(_call(request, "RecordRectification", message))


@router.post("/cases/{case_id}/close", response_model=m.CaseOut)
def close_case(case_id: str, close_in: m.CloseIn, request: Request, operator: Decider) -> m.CaseOut:
    """Close a case (销号): after its rectification, or early as no_violation or transferred."""
    outcome = (
        m.enum_value("outcome", close_in.outcome, pb.CaseOutcome, "CASE_OUTCOME_") if close_in.outcome else 0
    )
    message = pb.CloseCaseRequest(
        case_id=case_id,
        outcome=outcome,  # type: ignore[arg-type]
        note=close_in.note,
        actor=_actor(operator, close_in.reason),
    )
    return _case(_call(request, "CloseCase", message))


@router.get("/cases/{case_id}/evidence", response_model=m.EvidencePage)
def list_evidence(
    case_id: str, request: Request, _: Handler, page_size: int = PageSize, page_token: str = ""
) -> m.EvidencePage:
    """A case's evidence chain in order (hashes and where each content is kept)."""
    message = pb.ListEvidenceRequest(case_id=case_id, page=_page(page_size, page_token))
    reply = _call(request, "ListEvidence", message)
    return m.EvidencePage(
        evidence=[_evidence(e) for e in reply.evidence],
        next_page_token=reply.page.next_page_token,
        total=reply.page.total,
    )


@router.post("/cases/{case_id}/evidence", response_model=m.EvidenceOut, status_code=status.HTTP_201_CREATED)
def add_evidence(
    case_id: str, evidence_in: m.EvidenceIn, request: Request, operator: Reporter
) -> m.EvidenceOut:
    """Append an item to a case's chain; enforcement computes its hashes (refused once sealed)."""
    e = evidence_in
    message = pb.AddEvidenceRequest(
        case_id=case_id,
        kind=m.enum_value("kind", e.kind, pb.EvidenceKind, "EVIDENCE_KIND_"),  # type: ignore[arg-type]
        description=e.description,
        media_type=e.media_type,
        source_ref=e.source_ref,
        collected_at=timestamp("collected_at", e.collected_at),
        collected_by=_actor(operator, e.reason),
    )
    if e.lat is not None or e.lon is not None:
        message.location.CopyFrom(common_pb2.GeoPoint(lat=e.lat or 0.0, lon=e.lon or 0.0))
    if e.content_base64:
        try:
            message.content = base64.b64decode(e.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidArgument("content_base64", "not valid base64") from None
    elif e.external_uri or e.external_sha256:
        message.external.CopyFrom(
            pb.ExternalContent(uri=e.external_uri, sha256=e.external_sha256, size_bytes=e.external_size_bytes)
        )
    return _evidence(_call(request, "AddEvidence", message))


@router.get("/cases/{case_id}/evidence/verify", response_model=m.ChainCheckOut)
def verify_evidence(case_id: str, request: Request, _: Handler) -> m.ChainCheckOut:
    """Re-read every stored file and row of the chain; name the first link that no longer matches."""
    reply = _call(request, "VerifyEvidenceChain", pb.VerifyEvidenceChainRequest(case_id=case_id))
    return m.ChainCheckOut.model_validate(to_json(reply))
