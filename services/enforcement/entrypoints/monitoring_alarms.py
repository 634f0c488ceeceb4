"""Monitoring's alarms that open problems, translated at the edge into domain inputs: an
exceedance (with its river, for tracing), a device fault, treatment idle while producing; each with
the readings behind it as evidence (canonical JSON: the bytes hashed into the chain)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from eco.v1 import common_pb2, monitoring_pb2
from services.enforcement.domain.evidence import Kind
from services.enforcement.domain.problem import ProblemIn, Severity, Source
from services.enforcement.domain.values import Actor, GeoPoint
from services.enforcement.service_layer.evidence import EvidenceIn


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
