"""Risk's events that open problems, translated at the edge into domain inputs: an overdue hidden
hazard (DESIGN.md flow 5) and a hazardous-waste transfer manifest that does not add up or is stuck.

Each becomes a problem about the enterprise (subject `enterprise:<uscc>`), with the event's own
facts kept as a JSON document of evidence, so the case holds what risk saw when it raised it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from google.protobuf import json_format
from google.protobuf.message import Message

from eco.v1 import common_pb2, risk_pb2
from services.enforcement.domain.evidence import Kind
from services.enforcement.domain.problem import ProblemIn, Severity, Source
from services.enforcement.domain.values import Actor, GeoPoint
from services.enforcement.service_layer.evidence import EvidenceIn

# A major hidden hazard (重大隐患) left unrectified is urgent; a general one is routine work.
HAZARD_SEVERITY = {risk_pb2.HAZARD_GRADE_MAJOR: Severity.HIGH, risk_pb2.HAZARD_GRADE_GENERAL: Severity.MEDIUM}


def _document(payload: Message) -> bytes:
    """The event's payload as canonical JSON (sorted keys): the bytes hashed into the chain."""
    body = json_format.MessageToDict(payload, preserving_proto_field_name=True)
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _point(p: common_pb2.GeoPoint) -> GeoPoint | None:
    # (0, 0) is no position: routing then leaves the problem outside every grid.
    return GeoPoint(p.lat, p.lon) if p.lat or p.lon else None


def _item(event_id: str, what: str, payload: Message, at: datetime, where: GeoPoint | None) -> EvidenceIn:
    return EvidenceIn(
        kind=Kind.DOCUMENT,
        description=what,
        media_type="application/json",
        content=_document(payload),
        external_uri="",
        external_sha256="",
        external_size=0,
        source_ref=event_id,
        collected_at=at,
        collected_by=Actor("risk", "", what),
        location=where,
    )


def hazard_overdue(payload: risk_pb2.HazardOverdue, event_id: str) -> tuple[ProblemIn, list[EvidenceIn]]:
    """A HazardOverdue as a problem about the enterprise, the hazard's record as evidence."""
    lapsed = payload.rectify_by.ToDatetime(tzinfo=UTC)
    where = _point(payload.location)
    grade = risk_pb2.HazardGrade.Name(payload.grade).removeprefix("HAZARD_GRADE_").lower()
    problem = ProblemIn(
        source=Source.HAZARD_OVERDUE,
        source_ref=event_id,
        title=f"隐患逾期未整改：{payload.title}"[:300],
        description=f"hazard {payload.hazard_id} ({grade}) not rectified by {lapsed.isoformat()}",
        category="other",
        uscc=payload.uscc,
        station_id="",
        parameter="",
        location=where,
        town=payload.town,
        grid_id="",
        severity=HAZARD_SEVERITY.get(payload.grade, Severity.MEDIUM),
        occurred_at=lapsed,
        actor=Actor("risk", "", "HazardOverdue"),
    )
    return problem, [_item(event_id, "hazard past its rectification deadline", payload, lapsed, where)]


def _last_step_at(manifest: risk_pb2.WasteManifest) -> datetime | None:
    times = [s.at.ToDatetime(tzinfo=UTC) for s in manifest.steps if s.HasField("at")]
    return max(times) if times else None


def manifest_mismatch(
    payload: risk_pb2.ManifestMismatch, event_id: str, now: datetime
) -> tuple[ProblemIn, list[EvidenceIn]]:
    """A ManifestMismatch (the weighed quantity differs beyond tolerance) as a problem: hazardous
    waste unaccounted for between two steps is a suspected illegal disposal."""
    m = payload.manifest
    step = risk_pb2.ManifestStatus.Name(payload.step).removeprefix("MANIFEST_STATUS_").lower()
    at = _last_step_at(m) or now
    problem = ProblemIn(
        source=Source.WASTE_MANIFEST,
        source_ref=event_id,
        title=(
            f"危废联单 {m.manifest_id} 数量不符：{m.waste_name or m.waste_code} "
            f"{step} {payload.actual_kg:g} kg（应为 {payload.expected_kg:g} kg）"
        )[:300],
        description=f"manifest {m.manifest_id} ({m.waste_code}) to {m.receiver}: mismatch at {step}",
        category="solid_waste",
        uscc=m.producer_uscc,
        station_id="",
        parameter="",
        location=None,
        town="",
        grid_id="",
        severity=Severity.HIGH,
        occurred_at=at,
        actor=Actor("risk", "", "ManifestMismatch"),
    )
    return problem, [_item(event_id, "manifest whose quantities do not match", payload, at, None)]


def manifest_stuck(
    payload: risk_pb2.ManifestStuck, event_id: str, now: datetime
) -> tuple[ProblemIn, list[EvidenceIn]]:
    """A ManifestStuck (past its deadline without disposal) as a problem about the producer."""
    m = payload.manifest
    status = risk_pb2.ManifestStatus.Name(m.status).removeprefix("MANIFEST_STATUS_").lower()
    at = m.deadline.ToDatetime(tzinfo=UTC) if m.HasField("deadline") else now
    problem = ProblemIn(
        source=Source.WASTE_MANIFEST,
        source_ref=event_id,
        title=f"危废联单 {m.manifest_id} 逾期未处置：{m.waste_name or m.waste_code}（停在 {status}）"[:300],
        description=f"manifest {m.manifest_id} ({m.waste_code}) to {m.receiver}: not disposed in time",
        category="solid_waste",
        uscc=m.producer_uscc,
        station_id="",
        parameter="",
        location=None,
        town="",
        grid_id="",
        severity=Severity.MEDIUM,
        occurred_at=at,
        actor=Actor("risk", "", "ManifestStuck"),
    )
    return problem, [_item(event_id, "manifest stuck past its deadline", payload, at, None)]
