"""Consumed events → facts: the one place that reads other services' payloads (eco.v1) and keeps
the plain values evaluation reasons with (domain/facts.py). One function per event type."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from eco.v1 import (
    common_pb2,
    enforcement_pb2,
    evaluation_pb2,
    events_pb2,
    monitoring_pb2,
    permits_pb2,
    risk_pb2,
)
from services.evaluation.domain.air_days import AirDay
from services.evaluation.domain.facts import Fact
from shared import hj633

Envelope = events_pb2.EventEnvelope


def _name(enum: Any, value: int, prefix: str) -> str:
    """An enum value's name without its prefix ("PENALTY_KIND_FINE" → "FINE"); "" for 0."""
    return enum.Name(value).removeprefix(prefix) if value else ""


def _time(ts: Timestamp) -> str:
    return ts.ToDatetime(tzinfo=UTC).isoformat() if ts.seconds or ts.nanos else ""


def _day(d: common_pb2.Date) -> str:
    try:
        return date(d.year, d.month, d.day).isoformat() if d.year else ""
    except ValueError:
        return ""  # an impossible date from a producer counts as unknown, never blocks the topic


def _at(envelope: Envelope) -> datetime:
    return envelope.occurred_at.ToDatetime(tzinfo=UTC)


def _fact(envelope: Envelope, *, uscc: str = "", subject: str = "", town: str = "", **data: Any) -> Fact:
    return Fact(envelope.event_id, envelope.type, _at(envelope), uscc, subject, town, data)


# ------------------------------------------------------------------------------------- permits


def _enterprise(e: Envelope, p: Message) -> Fact:
    assert isinstance(p, permits_pb2.EnterpriseRegistered | permits_pb2.EnterpriseUpdated)
    s = p.enterprise
    return _fact(
        e,
        uscc=s.uscc,
        subject=s.uscc,
        town=s.town,
        name=s.name,
        industry=s.industry_code,
        grid=s.grid,
        permit_class=_name(common_pb2.PermitClass, s.permit_class, "PERMIT_CLASS_"),
        radiation=permits_pb2.RISK_FLAG_RADIATION_SOURCES in s.risk_flags,
    )


def _permit(e: Envelope, p: Message) -> Fact:
    data: dict[str, Any] = {}
    if isinstance(p, permits_pb2.PermitIssued | permits_pb2.PermitRenewed | permits_pb2.PermitReinstated):
        data = {"valid_from": _day(p.valid_from), "valid_until": _day(p.valid_until)}
    elif isinstance(p, permits_pb2.PermitExpired):
        data = {"valid_until": _day(p.valid_until)}
    elif isinstance(p, permits_pb2.PermitSuspended):
        data = {"case_id": p.case_id}
    assert isinstance(
        p,
        permits_pb2.PermitIssued
        | permits_pb2.PermitRenewed
        | permits_pb2.PermitReinstated
        | permits_pb2.PermitExpired
        | permits_pb2.PermitRevoked
        | permits_pb2.PermitSuspended,
    )
    return _fact(e, uscc=p.uscc, subject=p.permit_number, **data)


def _radiation(e: Envelope, p: Message) -> Fact:
    assert isinstance(
        p,
        permits_pb2.RadiationPermitIssued
        | permits_pb2.RadiationPermitRenewed
        | permits_pb2.RadiationPermitExpired,
    )
    r = p.permit
    return _fact(
        e,
        uscc=r.uscc,
        subject=r.permit_number,
        valid_from=_day(r.valid_from),
        valid_until=_day(r.valid_until),
    )


# ---------------------------------------------------------------------------------- monitoring


def _station(e: Envelope, p: Message) -> Fact:
    assert isinstance(p, monitoring_pb2.StationRegistered)
    s = p.station
    section = s.water_section if s.WhichOneof("details") == "water_section" else None
    uscc = s.source.uscc if s.WhichOneof("details") == "source" else ""
    return _fact(
        e,
        uscc=uscc,
        subject=s.station_id,
        town=s.town,
        station_type=_name(monitoring_pb2.StationType, s.type, "STATION_TYPE_"),
        name=s.name,
        county_level=bool(section and section.county_level_or_above),
        river=section.river if section else "",
        target_class=_name(monitoring_pb2.WaterClass, section.target_class, "WATER_CLASS_")
        if section
        else "",
    )


def _exceedance(e: Envelope, p: Message) -> Fact:
    assert isinstance(p, monitoring_pb2.ExceedanceDetected | monitoring_pb2.ExceedanceCleared)
    x = p.exceedance
    extra: dict[str, Any] = {}
    if isinstance(p, monitoring_pb2.ExceedanceDetected):
        extra = {
            "river": p.river,
            "observed_class": _name(monitoring_pb2.WaterClass, p.observed_class, "WATER_CLASS_"),
        }
        town = p.town
    else:
        extra = {"reason": p.reason}
        town = ""
    return _fact(
        e,
        uscc=x.uscc,
        subject=x.exceedance_id,
        town=town,
        station_id=x.station_id,
        station_type=_name(monitoring_pb2.StationType, x.station_type, "STATION_TYPE_"),
        parameter=x.parameter,
        opened_at=_time(x.opened_at),
        cleared_at=_time(x.cleared_at) if not x.open else "",
        max_multiple=x.max_multiple,
        **extra,
    )


def air_day(e: Envelope, p: Message) -> AirDay | None:
    """DailyAqiComputed as the day's figure; None for a payload without a usable station or date
    (logged by the caller, never blocking the topic)."""
    assert isinstance(p, monitoring_pb2.DailyAqiComputed)
    try:
        day = date.fromisoformat(p.date)
    except ValueError:
        return None
    if not p.station_id:
        return None
    return AirDay(
        station_id=p.station_id,
        day=day,
        town=p.town,
        valid=p.valid,
        aqi=p.aqi if p.valid else 0,
        level=int(p.level) if p.valid else 0,
        primary_pollutants=tuple(p.primary_pollutants) if p.valid else (),
        revision=p.revision,
        event_id=e.event_id,
        at=_at(e),
        concentrations=_concentrations(p) if p.valid else {},
    )


def _concentrations(p: monitoring_pb2.DailyAqiComputed) -> dict[str, float]:
    """The day's indicators HJ 633-2012 table 1 knows, with a finite non-negative concentration: a
    figure no AQI could come from is dropped here, where the payload is read, not met in a KPI."""
    return {
        x.indicator: x.concentration
        for x in p.pollutants
        if x.indicator in hj633.BREAKPOINTS and math.isfinite(x.concentration) and x.concentration >= 0
    }


def _fault(e: Envelope, p: Message) -> Fact:
    assert isinstance(p, monitoring_pb2.DeviceFault)
    f = p.fault
    return _fact(
        e,
        uscc=p.uscc,
        subject=f.fault_id,
        town=p.town,
        station_id=f.station_id,
        parameter=f.parameter,
        kind=_name(monitoring_pb2.FaultKind, f.kind, "FAULT_KIND_"),
        opened_at=_time(f.opened_at),
    )


def _idle(e: Envelope, p: Message) -> Fact:
    assert isinstance(p, monitoring_pb2.TreatmentIdleWhileProducing)
    return _fact(e, uscc=p.uscc, subject=p.alarm_id, town=p.town, started_at=_time(p.started_at))


# --------------------------------------------------------------------------------- enforcement


def _problem(e: Envelope, p: Message) -> Fact:
    assert isinstance(p, enforcement_pb2.ProblemOpened)
    pr = p.problem
    return _fact(
        e,
        uscc=pr.uscc,
        subject=pr.problem_id,
        town=pr.town,
        case_id=pr.case_id,
        source=_name(enforcement_pb2.ProblemSource, pr.source, "PROBLEM_SOURCE_"),
        source_ref=pr.source_ref,
        category=pr.category,
        grid=pr.grid_id,
        station_id=pr.station_id,
        new_case=p.new_case,
    )


def _case(e: Envelope, p: Message) -> Fact:
    assert isinstance(p, enforcement_pb2.CaseAdvanced)
    c = p.case
    return _fact(
        e,
        uscc=p.uscc or c.uscc,
        subject=p.case_id,
        town=p.town or c.town,
        from_stage=_name(enforcement_pb2.CaseStage, p.from_stage, "CASE_STAGE_"),
        to_stage=_name(enforcement_pb2.CaseStage, p.to_stage, "CASE_STAGE_"),
        outcome=_name(enforcement_pb2.CaseOutcome, p.outcome, "CASE_OUTCOME_"),
        grid=p.grid_id,
        owner_department=c.owner.department,
        overdue=c.overdue,
        rectification_verified=c.rectification.HasField("verified_at"),
    )


def _escalated(e: Envelope, p: Message) -> Fact:
    assert isinstance(p, enforcement_pb2.CaseEscalated)
    return _fact(
        e,
        uscc=p.uscc,
        subject=p.case_id,
        reason=_name(enforcement_pb2.EscalationReason, p.reason, "ESCALATION_REASON_"),
        level=p.escalation_level,
    )


def _decision(e: Envelope, p: Message) -> Fact:
    assert isinstance(p, enforcement_pb2.PenaltyDecided | enforcement_pb2.ViolationWaived)
    d = p.decision
    return _fact(
        e,
        uscc=p.uscc or d.uscc,
        subject=p.case_id,
        case_id=p.case_id,
        penalties=[_name(enforcement_pb2.PenaltyKind, k, "PENALTY_KIND_") for k in d.penalties],
        fine_fen=d.fine_fen,
        violation=d.violation,
        document_number=d.document_number,
    )


def _rectification_overdue(e: Envelope, p: Message) -> Fact:
    assert isinstance(p, enforcement_pb2.RectificationOverdue)
    return _fact(
        e,
        uscc=p.uscc,
        subject=p.case_id,
        case_id=p.case_id,
        days_overdue=p.days_overdue,
        rectify_by=_time(p.rectify_by),
    )


def _petition(e: Envelope, p: Message) -> Fact:
    assert isinstance(p, enforcement_pb2.PetitionReceived)
    pt = p.petition
    return _fact(e, uscc=pt.uscc, subject=pt.petition_id, town=pt.town, category=pt.category, grid=pt.grid_id)


def _petition_closed(e: Envelope, p: Message) -> Fact:
    assert isinstance(p, enforcement_pb2.PetitionClosed)
    return _fact(
        e,
        uscc=p.uscc,
        subject=p.petition_id,
        town=p.town,
        category=p.category,
        substantiated=p.substantiated,
        on_time=p.on_time,
        received_at=_time(p.received_at),
    )


# ---------------------------------------------------------------------------------------- risk


def _hazard(e: Envelope, p: Message) -> Fact:
    assert isinstance(p, risk_pb2.HazardReported | risk_pb2.HazardClosed)
    h = p.hazard
    extra = {"was_overdue": p.was_overdue} if isinstance(p, risk_pb2.HazardClosed) else {}
    return _fact(
        e,
        uscc=h.uscc,
        subject=h.hazard_id,
        town=h.town,
        grade=_name(risk_pb2.HazardGrade, h.grade, "HAZARD_GRADE_"),
        rectify_by=_time(h.rectify_by),
        **extra,
    )


def _hazard_overdue(e: Envelope, p: Message) -> Fact:
    assert isinstance(p, risk_pb2.HazardOverdue)
    return _fact(
        e,
        uscc=p.uscc,
        subject=p.hazard_id,
        town=p.town,
        grade=_name(risk_pb2.HazardGrade, p.grade, "HAZARD_GRADE_"),
        rectify_by=_time(p.rectify_by),
    )


def _emergency(e: Envelope, p: Message) -> Fact:
    assert isinstance(p, risk_pb2.EmergencyDeclared | risk_pb2.EmergencyClosed)
    em = p.emergency
    return _fact(
        e,
        uscc=em.uscc,
        subject=em.emergency_id,
        town=em.town,
        grade=_name(risk_pb2.EmergencyGrade, em.grade, "EMERGENCY_GRADE_"),
        kind=em.kind,
    )


def _regraded(e: Envelope, p: Message) -> Fact:
    assert isinstance(p, risk_pb2.EmergencyRegraded)
    return _fact(
        e,
        uscc=p.uscc,
        subject=p.emergency_id,
        grade=_name(risk_pb2.EmergencyGrade, p.grade, "EMERGENCY_GRADE_"),
    )


def _disused_source(e: Envelope, p: Message) -> Fact:
    assert isinstance(p, risk_pb2.DisusedSourceChanged)
    s = p.source
    return _fact(
        e,
        uscc=s.uscc,
        subject=s.source_id,
        kind=s.kind,
        disused_on=_day(s.disused_on),
        disposed_on=_day(s.disposed_on),
        route=s.route,
    )


# ---------------------------------------------------------------------------------- evaluation


def _repair(e: Envelope, p: Message) -> Fact:
    assert isinstance(p, evaluation_pb2.CreditRepairDecided)
    r = p.repair
    return _fact(
        e,
        uscc=r.uscc,
        subject=r.request_id,
        case_id=r.case_id,
        approved=r.status == evaluation_pb2.CREDIT_REPAIR_STATUS_APPROVED,
    )


TO_FACT: dict[str, Callable[[Envelope, Message], Fact]] = {
    "EnterpriseRegistered": _enterprise,
    "EnterpriseUpdated": _enterprise,
    "PermitIssued": _permit,
    "PermitRenewed": _permit,
    "PermitReinstated": _permit,
    "PermitExpired": _permit,
    "PermitRevoked": _permit,
    "PermitSuspended": _permit,
    "RadiationPermitIssued": _radiation,
    "RadiationPermitRenewed": _radiation,
    "RadiationPermitExpired": _radiation,
    "StationRegistered": _station,
    "ExceedanceDetected": _exceedance,
    "ExceedanceCleared": _exceedance,
    "DeviceFault": _fault,
    "TreatmentIdleWhileProducing": _idle,
    "ProblemOpened": _problem,
    "CaseAdvanced": _case,
    "CaseEscalated": _escalated,
    "PenaltyDecided": _decision,
    "ViolationWaived": _decision,
    "RectificationOverdue": _rectification_overdue,
    "PetitionReceived": _petition,
    "PetitionClosed": _petition_closed,
    "HazardReported": _hazard,
    "HazardOverdue": _hazard_overdue,
    "HazardClosed": _hazard,
    "EmergencyDeclared": _emergency,
    "EmergencyRegraded": _regraded,
    "EmergencyClosed": _emergency,
    "DisusedSourceChanged": _disused_source,
    "CreditRepairDecided": _repair,
}


def to_fact(envelope: Envelope, payload: Message) -> Fact:
    """The fact an event gives (KeyError for a type evaluation does not read)."""
    return TO_FACT[envelope.type](envelope, payload)
