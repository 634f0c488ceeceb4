"""Writing what a batch raised — exceedances, faults, idle alarms — and their events, in its unit of
work (the events are domain events: entrypoints/messages.py gives them their contract form)."""

from __future__ import annotations

from datetime import UTC, datetime

from services.monitoring.adapters import alarms as alarms_repo
from services.monitoring.domain import events as ev
from services.monitoring.domain import gb3838
from services.monitoring.domain.exceedance import Point
from services.monitoring.domain.records import Alarm, AlarmKind, ExceedanceRecord, FaultRecord
from services.monitoring.domain.stations import Station, WaterSection
from services.monitoring.service_layer.outcome import FaultFound, IdleFound, Opened, Outcome
from shared.unit_of_work import Tx


def _at(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def _observed_class(
    row: ExceedanceRecord, station: Station, evidence: tuple[Point, ...]
) -> gb3838.WaterClass | None:
    """A water section's worst GB 3838 class over the evidence; None for other stations."""
    if not isinstance(station.details, WaterSection):
        return None
    water_body = station.details.water_body
    return max(
        (gb3838.reading_class(row.parameter, p.value, water_body) for p in evidence),
        default=None,
        key=lambda c: 0 if c is None else int(c),
    )


def _opened(tx: Tx, item: Opened) -> Alarm:
    row, station, evidence = item.row, item.info.station, item.transition.evidence
    alarms_repo.create_exceedance(tx.conn, exceedance_in=row)
    detected = ev.ExceedanceDetected(row, station, evidence, _observed_class(row, station, evidence))
    tx.publish(station.station_id, detected, occurred_at=_at(evidence[-1].ts))
    return Alarm(AlarmKind.EXCEEDANCE, row.exceedance_id, station.station_id, row.parameter, evidence[-1].ts)


def cleared(tx: Tx, row: ExceedanceRecord, station: Station, evidence: tuple[Point, ...]) -> bool:
    """Close an exceedance and publish its ExceedanceCleared (with the reason when it was withdrawn);
    False, and no event, if it had been closed already."""
    assert row.cleared_ts is not None
    if not alarms_repo.clear_exceedance(tx.conn, row=row):
        return False
    at = evidence[-1].ts if evidence else row.cleared_ts
    tx.publish(row.station_id, ev.ExceedanceCleared(row, station, evidence), occurred_at=_at(at))
    return True


def _fault(tx: Tx, item: FaultFound) -> Alarm | None:
    change, info = item.change, item.info
    if not change.opened:
        alarms_repo.clear_fault(
            tx.conn, series_id=info.series_id, kind=int(change.kind), cleared_ts=change.ts
        )
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
    alarms_repo.create_fault(tx.conn, fault_in=row)
    event = ev.DeviceFault(row, info.station, change.evidence)
    tx.publish(info.station.station_id, event, occurred_at=_at(change.ts))
    return Alarm(AlarmKind.DEVICE_FAULT, row.fault_id, row.station_id, row.parameter, change.ts)


def _idle(tx: Tx, item: IdleFound) -> Alarm:
    line, facility, alarm = item.line, item.facility, item.alarm
    alarms_repo.create_idle_alarm(
        tx.conn,
        alarm_id=item.alarm_id,
        uscc=line.uscc,
        production=line.station_id,
        treatment=facility.station_id,
        started_ts=alarm.started_at,
        detected_ts=alarm.detected_at,
    )
    event = ev.TreatmentIdleWhileProducing(item.alarm_id, line.uscc, line, facility, item.rule, alarm)
    tx.publish(line.station_id, event, occurred_at=_at(alarm.detected_at))
    return Alarm(AlarmKind.TREATMENT_IDLE, item.alarm_id, line.station_id, "POWER", alarm.detected_at)


def record(tx: Tx, outcome: Outcome) -> list[Alarm]:
    """Store the batch's alarms and publish their events; returns the alarms raised."""
    raised: list[Alarm] = []
    for item in outcome.exceedances:
        if isinstance(item, Opened):
            raised.append(_opened(tx, item))
        else:
            cleared(tx, item.row, item.info.station, item.transition.evidence)
    alarms_repo.update_peaks(tx.conn, outcome.peaks)
    for fault in outcome.faults:
        found = _fault(tx, fault)
        if found is not None:
            raised.append(found)
    raised += [_idle(tx, idle) for idle in outcome.idle]
    return raised
