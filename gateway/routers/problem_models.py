"""The JSON shapes of the problem-ledger and case routes (gateway/routers/problems.py): what they
take and what they answer, with the contract's messages converted to and from them.

Answers are built from enforcement's replies (enum values as short lower-case words, times as RFC
3339 strings). Every answer model is an `Out`: a field of a reply it does not declare fails the
answer, so the document follows the contract; the one field left out on purpose, an evidence item's
inline bytes, is removed by the route before the model sees it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from gateway.contract import Out
from gateway.inputs import In, Int32, Int64
from shared.errors import InvalidArgument


def enum_value(field: str, raw: str, enum_type: Any, prefix: str) -> int:
    """The wire value of a short lower-case enum name ("penalized" -> CASE_OUTCOME_PENALIZED)."""
    names = [
        n.removeprefix(prefix).lower()
        for n in enum_type.DESCRIPTOR.values_by_name
        if not n.endswith("UNSPECIFIED")
    ]
    key = raw.strip().lower()
    if key not in names:
        raise InvalidArgument(field, f"must be one of {', '.join(names)}, got {raw!r}")
    return int(enum_type.Value(prefix + key.upper()))


# ---- answers ----


class GeoPointOut(Out):
    """WGS 84 degrees."""

    lat: float
    lon: float


class ActorOut(Out):
    """Who did something: the calling department, the person, and why."""

    department: str = ""
    user: str = ""
    reason: str = ""


class AssigneeOut(Out):
    """Who owns a case's current stage."""

    department: str = ""
    user: str = ""
    commissioner_id: str = ""


class ProblemEntryOut(Out):
    """One line of a problem's history."""

    at: str | None = None
    actor: ActorOut | None = None
    what: str = ""
    note: str = ""
    source_ref: str = ""


class ProblemOut(Out):
    """A problem of the ledger, with its case's stage and its history."""

    problem_id: str
    source: str | None = None
    source_ref: str = ""
    title: str = ""
    description: str = ""
    category: str = ""
    uscc: str = ""
    station_id: str = ""
    parameter: str = ""
    severity: str = ""
    location: GeoPointOut | None = None
    town: str = ""
    grid_id: str = ""
    occurred_at: str | None = None
    opened_at: str | None = None
    case_id: str = ""
    stage: str | None = None
    opened_by: ActorOut | None = None
    history: list[ProblemEntryOut] = Field(default_factory=list)


class ProblemPage(Out):
    """A page of the ledger."""

    problems: list[ProblemOut]
    next_page_token: str = ""
    total: int = 0


class TransitionOut(Out):
    """One step of a case through the loop."""

    from_stage: str | None = None
    to_stage: str | None = None
    actor: ActorOut | None = None
    note: str = ""
    at: str | None = None


class CandidateOut(Out):
    """A candidate source, with the evidence of its ranking."""

    uscc: str = ""
    outlet_id: str = ""
    score: float = 0.0
    distance_m: float = 0.0
    reason: str = ""
    method: str = ""
    parameter: str = ""
    baseline_mean: float = 0.0
    recent_mean: float = 0.0
    movement_known: bool = False


class InvestigationOut(Out):
    """The investigation's findings."""

    findings: str = ""
    violations: list[str] = Field(default_factory=list)
    first_violation: bool = False
    harm: str | None = None
    corrected_in_time: bool = False
    inspector_ids: list[str] = Field(default_factory=list)
    investigated_at: str | None = None
    actor: ActorOut | None = None


class DecisionOut(Out):
    """A penalty or a waiver as decided (amounts in fen, 1 yuan = 100 fen)."""

    decision_id: str = ""
    document_number: str = ""
    uscc: str = ""
    waived: bool = False
    waiver_list_item: str = ""
    violation: str = ""
    legal_basis: str = ""
    penalties: list[str | None] = Field(default_factory=list)
    fine_fen: int = 0
    confiscated_fen: int = 0
    permit_number: str = ""
    suspension_days: Int32 = 0
    rectify_by: str | None = None
    decided_at: str | None = None
    decided_by: ActorOut | None = None


class RectificationOut(Out):
    """A decided case's rectification and who verified it."""

    measures: str = ""
    evidence_ids: list[str] = Field(default_factory=list)
    completed_at: str | None = None
    verified_by: ActorOut | None = None
    verified_at: str | None = None


class CaseOut(Out):
    """A case through the closed loop."""

    case_id: str
    case_number: str = ""
    title: str = ""
    stage: str | None = None
    outcome: str | None = None
    problem_ids: list[str] = Field(default_factory=list)
    source: str | None = None
    uscc: str = ""
    station_id: str = ""
    location: GeoPointOut | None = None
    town: str = ""
    grid_id: str = ""
    owner: AssigneeOut | None = None
    due_at: str | None = None
    overdue: bool = False
    escalation_level: int = 0
    opened_at: str | None = None
    updated_at: str | None = None
    closed_at: str | None = None
    history: list[TransitionOut] = Field(default_factory=list)
    candidates: list[CandidateOut] = Field(default_factory=list)
    investigation: InvestigationOut | None = None
    decision: DecisionOut | None = None
    rectification: RectificationOut | None = None
    evidence_head_sha256: str = ""
    evidence_count: int = 0
    locked_evidence_sha256: str = ""


class CasePage(Out):
    """A page of cases."""

    cases: list[CaseOut]
    next_page_token: str = ""
    total: int = 0


class CandidatesOut(Out):
    """Candidate sources, likeliest first."""

    candidates: list[CandidateOut]


class EvidenceOut(Out):
    """One link of a case's evidence chain (its content is fetched from where content_uri says)."""

    evidence_id: str
    case_id: str = ""
    sequence: int = 0
    kind: str | None = None
    description: str = ""
    media_type: str = ""
    content_uri: str = ""
    content_sha256: str = ""
    previous_sha256: str = ""
    item_sha256: str = ""
    source_ref: str = ""
    collected_at: str | None = None
    collected_by: ActorOut | None = None
    location: GeoPointOut | None = None
    recorded_at: str | None = None


class EvidencePage(Out):
    """A page of a case's evidence chain, in order."""

    evidence: list[EvidenceOut]
    next_page_token: str = ""
    total: int = 0


class ChainCheckOut(Out):
    """Whether a case's evidence chain is intact, and the first link that is not."""

    intact: bool
    items: int = 0
    head_sha256: str = ""
    first_broken_sequence: int = 0
    problem: str = ""


# ---- requests ----


class ProblemIn(In):
    """A problem entered by hand: a title, and a location or a subject (enterprise or station)."""

    source: str = Field(default="manual", description="Where it came from, e.g. manual, petition, inspection")
    source_ref: str = Field(
        default="", description="The source's own reference: a repeat returns the same problem"
    )
    title: str = ""
    description: str = ""
    category: str = Field(
        default="", description="water, air, noise, solid_waste, soil, radiation, ecology, other"
    )
    uscc: str = ""
    station_id: str = ""
    parameter: str = ""
    lat: float | None = Field(default=None, description="WGS 84 latitude")
    lon: float | None = Field(default=None, description="WGS 84 longitude")
    grid_id: str = Field(default="", description="Empty: located from lat/lon")
    occurred_at: datetime | None = None
    severity: str = Field(default="", description="low, medium (default) or high")
    reason: str = ""


class AssignIn(In):
    """The owner and deadline of a case's current stage."""

    department: str = ""
    user: str = ""
    commissioner_id: str = ""
    due_at: datetime | None = None
    reason: str = ""


class EscalateIn(In):
    """A case raised one level by hand (overdue escalations are the deadline worker's)."""

    reason: str = Field(default="manual", description="manual or severity")
    department: str = ""
    user: str = ""
    commissioner_id: str = ""
    due_at: datetime | None = None
    note: str = ""


class CandidateIn(In):
    """A candidate source kept on the case when it is traced."""

    uscc: str = ""
    outlet_id: str = ""
    score: float = 0.0
    distance_m: float = 0.0
    reason: str = ""
    method: str = ""
    parameter: str = ""


class TraceIn(In):
    """DISCOVERED → TRACED: the enterprise found responsible (may be empty) and the candidates."""

    responsible_uscc: str = ""
    candidates: list[CandidateIn] = Field(default_factory=list)
    note: str = ""
    reason: str = ""


class LockIn(In):
    """TRACED → EVIDENCE_LOCKED at the chain head the caller reviewed."""

    expected_head_sha256: str = ""
    reason: str = ""


class InvestigationIn(In):
    """EVIDENCE_LOCKED → INVESTIGATED: the findings."""

    findings: str = ""
    violations: list[str] = Field(default_factory=list)
    first_violation: bool = False
    harm: str = Field(default="", description="none, slight or serious")
    corrected_in_time: bool = False
    inspector_ids: list[str] = Field(default_factory=list)
    reason: str = ""


class DecisionIn(In):
    """INVESTIGATED → DECIDED: a penalty under a catalogue provision, or a waiver under a list item."""

    document_number: str = ""
    waived: bool = False
    waiver_list_item: str = ""
    violation: str = ""
    legal_basis: str = Field(default="", description="A provision of the catalogue, e.g. WPPL-83-2")
    penalties: list[str] = Field(default_factory=list, description="e.g. fine, warning, suspend_permit")
    fine_fen: Int64 = Field(default=0, description="In fen (1 yuan = 100 fen)")
    confiscated_fen: Int64 = 0
    permit_number: str = ""
    suspension_days: Int32 = 0
    rectify_by: datetime | None = None
    reason: str = ""


class RectificationIn(In):
    """DECIDED → RECTIFIED: the measures taken, verified by the caller."""

    measures: str = ""
    evidence_ids: list[str] = Field(default_factory=list)
    completed_at: datetime | None = None
    reason: str = ""


class CloseIn(In):
    """Close a case (销号); the outcome follows the decision unless given (no_violation, transferred)."""

    outcome: str = ""
    note: str = ""
    reason: str = ""


class EvidenceIn(In):
    """An evidence item to append to a case's chain: small content inline (base64), or the location
    and SHA-256 of content kept elsewhere."""

    kind: str = Field(
        default="", description="reading, electricity_trace, photo, video, sample_report, record, document"
    )
    description: str = ""
    media_type: str = Field(default="", description="e.g. image/jpeg")
    content_base64: str = Field(default="", description="The bytes, base64 (small items)")
    external_uri: str = ""
    external_sha256: str = ""
    external_size_bytes: Int64 = 0
    source_ref: str = ""
    collected_at: datetime | None = None
    lat: float | None = None
    lon: float | None = None
    reason: str = ""
