"""Writing what a batch raised — exceedances, faults, idle alarms — and their events, in its transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from google.protobuf.message import Message
from sqlalchemy.engine import Connection

from eco.v1 import common_pb2, monitoring_pb2
from services.monitoring.adapters import alarms as alarms_repo
from services.monitoring.domain import gb3838
from services.monitoring.domain.exceedance import Point
from services.monitoring.domain.records import ExceedanceRecord, FaultRecord
from services.monitoring.domain.stations import Station, WaterSection
from services.monitoring.service_layer import messages
from services.monitoring.service_layer.outcome import FaultFound, IdleFound, Opened, Outcome
from shared import events, outbox
from shared.topology import topic_for

SOURCE = "monitoring"
TOPIC = topic_for(SOURCE)

EXCEEDANCE = monitoring_pb2.ALARM_KIND_EXCEEDANCE
DEVICE_FAULT = monitoring_pb2.ALARM_KIND_DEVICE_FAULT
TREATMENT_IDLE = monitoring_pb2.ALARM_KIND_TREATMENT_IDLE


@dataclass(frozen=True)
class Alarm:
    """An alarm raised by a batch, as the ingestion summary reports it."""

    kind: int
    alarm_id: str
    station_id: str
    parameter: str
    ts: int


def _publish(conn: Connection, station_id: str, payload: Message, occurred_ms: int) -> None:
    occurred = datetime.fromtimestamp(occurred_ms / 1000, UTC)
    envelope = events.make_envelope(
        source=SOURCE, subject_id=station_id, payload=payload, occurred_at=occurred
    )
    outbox.add_event(conn, TOPIC, envelope)


def _location(station: Station) -> common_pb2.GeoPoint:
    return common_pb2.GeoPoint(lat=station.lat, lon=station.lon)


def _opened(conn: Connection, item: Opened) -> Alarm:
    row, station = item.row, item.info.station
    alarms_repo.create_exceedance(conn, exceedance_in=row)
    payload = monitoring_pb2.ExceedanceDetected(
        exceedance=messages.exceedance_message(row, station),
        evidence=messages.points(item.transition.evidence),
        station_name=station.name,
        location=_location(station),
        town=station.town,
    )
    if isinstance(station.details, WaterSection):
        payload.river = station.details.river
        worst = max(
            (
                gb3838.reading_class(row.parameter, p.value, station.details.water_body)
                for p in item.transition.evidence
            ),
            default=None,
            key=lambda c: 0 if c is None else int(c),
        )
        payload.observed_class = messages.pb_enum(0 if worst is None else worst)
    _publish(conn, station.station_id, payload, item.transition.evidence[-1].ts)
    return Alarm(
        EXCEEDANCE, row.exceedance_id, station.station_id, row.parameter, item.transition.evidence[-1].ts
    )


def cleared(conn: Connection, row: ExceedanceRecord, station: Station, evidence: tuple[Point, ...]) -> bool:
    """Close an exceedance and write its ExceedanceCleared (with the reason when it was withdrawn);
    False, and no event, if it had been closed already."""
    assert row.cleared_ts is not None
    if not alarms_repo.clear_exceedance(conn, row=row):
        return False
    payload = monitoring_pb2.ExceedanceCleared(
        exceedance=messages.exceedance_message(row, station),
        evidence=messages.points(evidence),
        reason=row.cleared_reason,
    )
    _publish(conn, row.station_id, payload, evidence[-1].ts if evidence else row.cleared_ts)
    return True


def _fault(conn: Connection, item: FaultFound) -> Alarm | None:
    change, info = item.change, item.info
    if not change.opened:
        alarms_repo.clear_fault(conn, series_id=info.series_id, kind=int(change.kind), cleared_ts=change.ts)
        return None
    row = FaultRecord(
        fault_id=item.fault_id,
        series_id=info.series_id,
        station_id=info.station.station_id,
        parameter=info.parameter.code,
        kind=int(change.kind),
        detail=change.detail,
        opened_ts=change.ts,
        cleared_ts=change.ts if change.closed else None,
    )
    alarms_repo.create_fault(conn, fault_in=row)
    payload = monitoring_pb2.DeviceFault(
        fault=messages.fault_message(row),
        evidence=messages.points(change.evidence),
        uscc=messages.enterprise_of(info.station),
        location=_location(info.station),
        town=info.station.town,
    )
    _publish(conn, info.station.station_id, payload, change.ts)
    return Alarm(DEVICE_FAULT, row.fault_id, row.station_id, row.parameter, change.ts)


def _idle(conn: Connection, item: IdleFound) -> Alarm:
    line, facility, alarm, rule = item.line, item.facility, item.alarm, item.rule
    uscc = messages.enterprise_of(line)
    alarms_repo.create_idle_alarm(
        conn,
        alarm_id=item.alarm_id,
        uscc=uscc,
        production=line.station_id,
        treatment=facility.station_id,
        started_ts=alarm.started_at,
        detected_ts=alarm.detected_at,
    )
    line_details, facility_details = line.details, facility.details
    payload = monitoring_pb2.TreatmentIdleWhileProducing(
        alarm_id=item.alarm_id,
        uscc=uscc,
        production_station_id=line.station_id,
        treatment_station_id=facility.station_id,
        production_line_id=getattr(line_details, "equipment_id", ""),
        treatment_facility_id=getattr(facility_details, "equipment_id", ""),
        production_idle_threshold_kw=rule.production_idle_kw,
        treatment_running_threshold_kw=rule.treatment_running_kw,
        started_at=messages.timestamp(alarm.started_at),
        detected_at=messages.timestamp(alarm.detected_at),
        duration_minutes=(alarm.detected_at - alarm.started_at) // 60_000,
        production_power=messages.points(alarm.production),
        treatment_power=messages.points(alarm.treatment),
        location=_location(line),
        town=line.town,
    )
    _publish(conn, line.station_id, payload, alarm.detected_at)
    return Alarm(TREATMENT_IDLE, item.alarm_id, line.station_id, "POWER", alarm.detected_at)


def record(conn: Connection, outcome: Outcome) -> tuple[list[Alarm], int]:
    """Store the batch's alarms and their events; returns the alarms and how many events were written."""
    raised: list[Alarm] = []
    written = 0
    for item in outcome.exceedances:
        if isinstance(item, Opened):
            raised.append(_opened(conn, item))
            written += 1
        elif cleared(conn, item.row, item.info.station, item.transition.evidence):
            written += 1
    alarms_repo.update_peaks(conn, outcome.peaks)
    for fault in outcome.faults:
        found = _fault(conn, fault)
        if found is not None:
            raised.append(found)
            written += 1
    for idle in outcome.idle:
        raised.append(_idle(conn, idle))
        written += 1
    return raised, written
