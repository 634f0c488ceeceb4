"""Real event envelopes of every producer, built from their contracts, for evaluation's tests."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from eco.v1 import common_pb2, enforcement_pb2, events_pb2, monitoring_pb2, permits_pb2, risk_pb2
from shared import hj633
from shared.events import make_envelope


def ts(when: datetime) -> Timestamp:
    """A Timestamp."""
    t = Timestamp()
    t.FromDatetime(when)
    return t


def d(day: date) -> common_pb2.Date:
    """A protobuf Date."""
    return common_pb2.Date(year=day.year, month=day.month, day=day.day)


def env(source: str, subject: str, payload: Message, at: datetime) -> events_pb2.EventEnvelope:
    """An envelope as the producer's outbox writes it."""
    return make_envelope(source=source, subject_id=subject, payload=payload, occurred_at=at)


def registered(
    uscc: str,
    at: datetime,
    *,
    town: str,
    permit_class: Any = 1,
    radiation: bool = False,
    name: str = "慈溪测试企业",
    industry: str = "C2614",
    grid: str = "",
) -> events_pb2.EventEnvelope:
    """EnterpriseRegistered."""
    flags = [permits_pb2.RISK_FLAG_RADIATION_SOURCES] if radiation else []
    summary = permits_pb2.EnterpriseSummary(
        uscc=uscc,
        name=name,
        industry_code=industry,
        town=town,
        grid=grid or f"{town}-1",
        permit_class=permit_class,
        risk_flags=flags,
    )
    return env("permits", uscc, permits_pb2.EnterpriseRegistered(enterprise=summary), at)


def permit_issued(
    uscc: str, number: str, at: datetime, valid_from: date, valid_until: date
) -> events_pb2.EventEnvelope:
    """PermitIssued."""
    payload = permits_pb2.PermitIssued(
        uscc=uscc,
        permit_number=number,
        permit_class=common_pb2.PERMIT_CLASS_KEY,
        valid_from=d(valid_from),
        valid_until=d(valid_until),
    )
    return env("permits", uscc, payload, at)


def permit_revoked(uscc: str, number: str, at: datetime) -> events_pb2.EventEnvelope:
    """PermitRevoked."""
    return env("permits", uscc, permits_pb2.PermitRevoked(uscc=uscc, permit_number=number), at)


def radiation_issued(
    uscc: str, number: str, at: datetime, valid_from: date, valid_until: date
) -> events_pb2.EventEnvelope:
    """RadiationPermitIssued."""
    permit = permits_pb2.RadiationPermit(
        permit_number=number, uscc=uscc, valid_from=d(valid_from), valid_until=d(valid_until)
    )
    return env("permits", uscc, permits_pb2.RadiationPermitIssued(permit=permit), at)


def section(station_id: str, at: datetime, *, town: str, county: bool = True) -> events_pb2.EventEnvelope:
    """StationRegistered of a water section."""
    station = monitoring_pb2.Station(
        station_id=station_id,
        name=f"断面 {station_id}",
        type=monitoring_pb2.STATION_TYPE_WATER_SECTION,
        town=town,
        water_section=monitoring_pb2.WaterSection(
            river="三八江", target_class=monitoring_pb2.WATER_CLASS_III, county_level_or_above=county
        ),
    )
    return env("monitoring", station_id, monitoring_pb2.StationRegistered(station=station), at)


def exceedance(
    xid: str,
    station_id: str,
    opened: datetime,
    *,
    uscc: str = "",
    cleared: datetime | None = None,
    parameter: str = "NH3N",
    town: str = "",
    section_station: bool = True,
) -> events_pb2.EventEnvelope:
    """ExceedanceDetected, or ExceedanceCleared when `cleared` is given."""
    kind = (
        monitoring_pb2.STATION_TYPE_WATER_SECTION
        if section_station
        else monitoring_pb2.STATION_TYPE_POLLUTION_SOURCE
    )
    x = monitoring_pb2.Exceedance(
        exceedance_id=xid,
        station_id=station_id,
        station_type=kind,
        parameter=parameter,
        opened_at=ts(opened),
        open=cleared is None,
        uscc=uscc,
    )
    if cleared is not None:
        x.cleared_at.CopyFrom(ts(cleared))
        return env("monitoring", station_id, monitoring_pb2.ExceedanceCleared(exceedance=x), cleared)
    return env("monitoring", station_id, monitoring_pb2.ExceedanceDetected(exceedance=x, town=town), opened)


def fault(
    fid: str, station_id: str, at: datetime, *, kind: Any = monitoring_pb2.FAULT_KIND_MISSING_DATA
) -> events_pb2.EventEnvelope:
    """DeviceFault."""
    f = monitoring_pb2.Fault(fault_id=fid, station_id=station_id, kind=kind, opened_at=ts(at))
    return env("monitoring", station_id, monitoring_pb2.DeviceFault(fault=f), at)


def problem(
    pid: str,
    case_id: str,
    at: datetime,
    *,
    uscc: str = "",
    town: str,
    source_ref: str = "",
    category: str = "water",
    grid: str = "",
) -> events_pb2.EventEnvelope:
    """ProblemOpened."""
    p = enforcement_pb2.Problem(
        problem_id=pid,
        case_id=case_id,
        uscc=uscc,
        town=town,
        source_ref=source_ref,
        category=category,
        grid_id=grid or f"{town}-1",
        source=enforcement_pb2.PROBLEM_SOURCE_EXCEEDANCE,
        opened_at=ts(at),
    )
    return env("enforcement", uscc or pid, enforcement_pb2.ProblemOpened(problem=p, new_case=True), at)


def case_advanced(
    case_id: str,
    to_stage: Any,
    at: datetime,
    *,
    uscc: str = "",
    town: str = "",
    department: str = "",
    verified: bool = False,
    overdue: bool = False,
) -> events_pb2.EventEnvelope:
    """CaseAdvanced."""
    case = enforcement_pb2.Case(
        case_id=case_id,
        uscc=uscc,
        town=town,
        overdue=overdue,
        owner=enforcement_pb2.Assignee(department=department),
    )
    if verified:
        case.rectification.verified_at.CopyFrom(ts(at))
    payload = enforcement_pb2.CaseAdvanced(
        case_id=case_id,
        uscc=uscc,
        town=town,
        to_stage=to_stage,
        case=case,
    )
    return env("enforcement", uscc or case_id, payload, at)


def escalated_overdue(case_id: str, at: datetime, *, uscc: str = "") -> events_pb2.EventEnvelope:
    """CaseEscalated for a passed deadline."""
    payload = enforcement_pb2.CaseEscalated(
        case_id=case_id, uscc=uscc, reason=enforcement_pb2.ESCALATION_REASON_OVERDUE, escalation_level=1
    )
    return env("enforcement", uscc or case_id, payload, at)


def penalty(uscc: str, case_id: str, at: datetime, *kinds: Any) -> events_pb2.EventEnvelope:
    """PenaltyDecided."""
    decision = enforcement_pb2.CaseDecision(
        uscc=uscc,
        penalties=list(kinds) or [enforcement_pb2.PENALTY_KIND_FINE],
        fine_fen=5_000_000,
        violation="超标排放",
        decided_at=ts(at),
    )
    return env(
        "enforcement", uscc, enforcement_pb2.PenaltyDecided(case_id=case_id, uscc=uscc, decision=decision), at
    )


def petition_closed(
    pid: str, at: datetime, *, town: str, on_time: bool, uscc: str = "", substantiated: bool = False
) -> events_pb2.EventEnvelope:
    """PetitionClosed."""
    payload = enforcement_pb2.PetitionClosed(
        petition_id=pid, uscc=uscc, town=town, on_time=on_time, substantiated=substantiated, closed_at=ts(at)
    )
    return env("enforcement", uscc or pid, payload, at)


def petition_received(pid: str, at: datetime, *, town: str, uscc: str = "") -> events_pb2.EventEnvelope:
    """PetitionReceived."""
    p = enforcement_pb2.Petition(petition_id=pid, uscc=uscc, town=town, category="noise", received_at=ts(at))
    return env("enforcement", uscc or pid, enforcement_pb2.PetitionReceived(petition=p), at)


def hazard(hid: str, uscc: str, at: datetime, *, town: str, closed: bool = False) -> events_pb2.EventEnvelope:
    """HazardReported, or HazardClosed."""
    h = risk_pb2.Hazard(hazard_id=hid, uscc=uscc, town=town, grade=risk_pb2.HAZARD_GRADE_GENERAL)
    payload: Message = risk_pb2.HazardClosed(hazard=h) if closed else risk_pb2.HazardReported(hazard=h)
    return env("risk", uscc, payload, at)


def hazard_overdue(hid: str, uscc: str, at: datetime, *, major: bool = False) -> events_pb2.EventEnvelope:
    """HazardOverdue."""
    grade = risk_pb2.HAZARD_GRADE_MAJOR if major else risk_pb2.HAZARD_GRADE_GENERAL
    return env("risk", uscc, risk_pb2.HazardOverdue(hazard_id=hid, uscc=uscc, grade=grade), at)


def emergency(
    eid: str, uscc: str, at: datetime, *, grade: Any = risk_pb2.EMERGENCY_GRADE_III
) -> events_pb2.EventEnvelope:
    """EmergencyDeclared."""
    e = risk_pb2.Emergency(emergency_id=eid, uscc=uscc, grade=grade, kind="chemical_leak")
    return env("risk", uscc, risk_pb2.EmergencyDeclared(emergency=e), at)


def disused_source(
    source_id: str, uscc: str, at: datetime, *, disused_on: date, disposed_on: date | None = None
) -> events_pb2.EventEnvelope:
    """DisusedSourceChanged (recorded, or disposed when `disposed_on` is given)."""
    source = risk_pb2.DisusedSource(
        source_id=source_id, uscc=uscc, kind="source", nuclide="Cs-137", category=4, disused_on=d(disused_on)
    )
    if disposed_on is not None:
        source.disposed_on.CopyFrom(d(disposed_on))
        source.route = "storage_facility"
    return env("risk", uscc, risk_pb2.DisusedSourceChanged(source=source), at)


def daily_aqi(
    station_id: str,
    day: date,
    at: datetime,
    *,
    town: str,
    aqi: int = 0,
    level: int = 0,
    valid: bool = True,
    revision: int = 1,
    primary: tuple[str, ...] = (),
    concentrations: Mapping[str, float] | None = None,
) -> events_pb2.EventEnvelope:
    """DailyAqiComputed (level: HJ 633-2012 1..6), with each indicator's published concentration
    ("PM25_24H" -> 38.0) and its IAQI as monitoring sends them."""
    payload = monitoring_pb2.DailyAqiComputed(
        station_id=station_id,
        town=town,
        date=day.isoformat(),
        valid=valid,
        revision=revision,
        primary_pollutants=list(primary),
    )
    for indicator, concentration in (concentrations or {}).items():
        payload.pollutants.add(
            indicator=indicator, concentration=concentration, iaqi=hj633.iaqi(indicator, concentration) or 0
        )
    if valid:
        payload.aqi, payload.level = aqi, level  # type: ignore[assignment]
    else:
        payload.invalid_reason = "PM25_24H: 12 hourly values of the day; GB 3095-2012 table 4 needs 20"
    return env("monitoring", station_id, payload, at)
