"""Protobuf requests as domain inputs. Enum values and times are checked here, since only the wire
can carry an UNSPECIFIED enum or an unset timestamp."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from eco.v1 import common_pb2, enforcement_pb2
from services.enforcement.domain.case import Candidate, Outcome, Stage
from services.enforcement.domain.commissioners import Commissioner, commissioner
from services.enforcement.domain.decisions import DecisionIn, Investigation
from services.enforcement.domain.grids import Grid, grid
from services.enforcement.domain.problem import ProblemIn, Severity, Source, problem_in
from services.enforcement.domain.values import Actor, Assignee, GeoPoint, actor, assignee, geo_point, text
from services.enforcement.entrypoints import messages
from services.enforcement.service_layer.evidence import EvidenceIn
from shared.errors import InvalidArgument
from shared.grpc.auth import current_department
from shared.proto_values import enum_in

pb = enforcement_pb2
SOURCE = {v: k for k, v in messages.SOURCE.items()}
STAGE = {v: k for k, v in messages.STAGE.items()}
OUTCOME = {v: k for k, v in messages.OUTCOME.items()}
KIND = {v: k for k, v in messages.KIND.items()}
PENALTY = {v: k for k, v in messages.PENALTY.items()}
HARM = {v: k for k, v in messages.HARM.items()}
REASON = {v: k for k, v in messages.ESCALATION_REASON.items()}


# The request checks every service applies alike (shared.proto_values), by the names used here.
enum_value = enum_in


def when(field: str, ts: Timestamp, present: bool) -> datetime | None:
    """An aware time, None when absent; one outside years 1..9999 is INVALID_ARGUMENT."""
    if not present:
        return None
    try:
        return ts.ToDatetime(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise InvalidArgument(field, "not a valid time") from None


def caller(pb_actor: common_pb2.Actor, field: str = "actor") -> Actor:
    """The actor of a call: the authenticated department, and the user and reason the caller gives."""
    return actor(current_department(), pb_actor.user, pb_actor.reason, field=field)


def location(field: str, point: common_pb2.GeoPoint, present: bool) -> GeoPoint | None:
    """A position, None when absent."""
    return geo_point(field, point.lat, point.lon) if present else None


def stages(field: str, values: list[int]) -> list[Stage]:
    """A stage filter."""
    return [enum_value(field, v, STAGE) for v in values]


def severities(field: str, values: list[str]) -> list[Severity]:
    """A severity filter ("low", "medium", "high", any case)."""
    found = []
    for i, raw in enumerate(values):
        try:
            found.append(Severity(raw.strip().lower()))
        except ValueError:
            raise InvalidArgument(f"{field}[{i}]", f"{raw!r} is not low, medium or high") from None
    return found


def owner(field: str, a: enforcement_pb2.Assignee) -> Assignee:
    """An owner."""
    return assignee(field, a.department, a.user, a.commissioner_id)


def open_problem(r: enforcement_pb2.OpenProblemRequest, now: datetime) -> ProblemIn:
    """OpenProblem's request as a problem to enter."""
    severity_raw = text("severity", r.severity, required=False, max_len=10).lower()
    try:
        severity = Severity(severity_raw) if severity_raw else None
    except ValueError:
        raise InvalidArgument("severity", f"{r.severity!r} is not low, medium or high") from None
    occurred = when("occurred_at", r.occurred_at, r.HasField("occurred_at")) or now
    if occurred > now:
        raise InvalidArgument("occurred_at", "must not be in the future")
    return problem_in(
        source=enum_value("source", r.source, SOURCE),
        source_ref=r.source_ref,
        title=r.title,
        description=r.description,
        category=r.category,
        uscc=r.uscc,
        station_id=r.station_id,
        parameter=r.parameter,
        location=location("location", r.location, r.HasField("location")),
        grid_id=r.grid_id,
        severity=severity,
        occurred_at=occurred,
        actor=caller(r.actor),
    )


def candidates(values: list[enforcement_pb2.SourceCandidate]) -> list[Candidate]:
    """Candidates as the tracing officer records them."""
    return [
        Candidate(
            text(f"candidates[{i}].uscc", c.uscc, required=False, max_len=18),
            text(f"candidates[{i}].outlet_id", c.outlet_id, required=False, max_len=40),
            c.score,
            c.distance_m,
            text(f"candidates[{i}].reason", c.reason, required=False, max_len=1000),
            text(f"candidates[{i}].method", c.method, required=False, max_len=100),
            c.parameter,
            c.baseline_mean if c.movement_known else None,
            c.recent_mean if c.movement_known else None,
        )
        for i, c in enumerate(values)
    ]


def investigation(i: enforcement_pb2.CaseInvestigation) -> Investigation:
    """An investigation's findings (its time is the server's)."""
    return Investigation(
        findings=i.findings,
        violations=tuple(text("investigation.violations", v, max_len=500) for v in i.violations),
        first_violation=i.first_violation,
        harm=enum_value("investigation.harm", i.harm, HARM),
        corrected_in_time=i.corrected_in_time,
        inspector_ids=tuple(text("investigation.inspector_ids", x, max_len=64) for x in i.inspector_ids),
        investigated_at=datetime.now(UTC),
        actor=caller(i.actor, "investigation.actor"),
    )


def decision(d: enforcement_pb2.CaseDecision) -> DecisionIn:
    """A decision as entered."""
    if d.fine_fen < 0:
        raise InvalidArgument("decision.fine_fen", f"must not be negative, got {d.fine_fen}")
    if d.suspension_days < 0:
        raise InvalidArgument("decision.suspension_days", f"must not be negative, got {d.suspension_days}")
    return DecisionIn(
        document_number=d.document_number,
        waived=d.waived,
        waiver_list_item=text("decision.waiver_list_item", d.waiver_list_item, required=False, max_len=40),
        violation=d.violation,
        legal_basis=text("decision.legal_basis", d.legal_basis, required=False, max_len=200),
        penalties=tuple(dict.fromkeys(enum_value("decision.penalties", k, PENALTY) for k in d.penalties)),
        fine_fen=d.fine_fen,
        confiscated_fen=d.confiscated_fen,
        permit_number=text("decision.permit_number", d.permit_number, required=False, max_len=40).upper(),
        suspension_days=d.suspension_days,
        rectify_by=when("decision.rectify_by", d.rectify_by, d.HasField("rectify_by")),
        decided_by=caller(d.decided_by, "decision.decided_by"),
    )


def outcome(value: int) -> Outcome:
    """A closing outcome (UNSPECIFIED: the decision's, for a rectified case)."""
    found: Outcome = enum_value("outcome", value, OUTCOME, required=False) or Outcome.OPEN
    return found


def evidence(r: enforcement_pb2.AddEvidenceRequest, now: datetime) -> EvidenceIn:
    """AddEvidence's item."""
    body = r.WhichOneof("body")
    if body is None:
        raise InvalidArgument("content", "required: the evidence's bytes, or external")
    collected = when("collected_at", r.collected_at, r.HasField("collected_at")) or now
    if collected > now:
        raise InvalidArgument("collected_at", "must not be in the future")
    return EvidenceIn(
        kind=enum_value("kind", r.kind, KIND),
        description=r.description,
        media_type=r.media_type,
        content=r.content if body == "content" else None,
        external_uri=r.external.uri,
        external_sha256=r.external.sha256,
        external_size=r.external.size_bytes,
        source_ref=r.source_ref,
        collected_at=collected,
        collected_by=caller(r.collected_by, "collected_by"),
        location=location("location", r.location, r.HasField("location")),
    )


def grid_in(g: enforcement_pb2.Grid) -> Grid:
    """A grid to create."""
    return grid(
        grid_id=g.grid_id,
        name=g.name,
        town=g.town,
        parent_grid_id=g.parent_grid_id,
        level=g.level,
        points=[geo_point(f"grid.boundary[{i}]", p.lat, p.lon) for i, p in enumerate(g.boundary)],
        commissioner_ids=list(g.commissioner_ids),
    )


def grid_changes(g: enforcement_pb2.Grid) -> Grid:
    """A grid's new values, unchecked (UpdateGrid checks the merged result)."""
    return Grid(
        g.grid_id,
        g.name,
        g.town,
        g.parent_grid_id,
        g.level,
        tuple(geo_point(f"grid.boundary[{i}]", p.lat, p.lon) for i, p in enumerate(g.boundary)),
        tuple(g.commissioner_ids),
    )


def commissioner_in(c: enforcement_pb2.Commissioner) -> Commissioner:
    """A commissioner (all fields checked; an update's unmasked ones are ignored afterwards)."""
    return commissioner(
        commissioner_id=c.commissioner_id,
        name=c.name or "-",
        phone=c.phone,
        grid_ids=list(c.grid_ids),
        department=c.department,
        active=c.active,
    )


def reason(value: int) -> str:
    """A manual escalation's reason (OVERDUE is the worker's own)."""
    found: str = enum_value("reason", value, REASON, required=False) or "manual"
    if found == "overdue":
        raise InvalidArgument(
            "reason", "OVERDUE escalations are made by the deadline worker; use MANUAL or SEVERITY"
        )
    return found


def source_filter(value: int) -> Source | None:
    """An optional source filter."""
    found: Source | None = enum_value("source", value, SOURCE, required=False)
    return found
