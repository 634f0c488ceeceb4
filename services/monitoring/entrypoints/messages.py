"""Monitoring's one translation module: domain values as protobuf messages, for gRPC replies and
event payloads alike, and the events monitoring consumes as domain values (the service layer and
domain never import generated code). Requests become domain inputs in requests.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from google.protobuf.message import Message

from eco.v1 import common_pb2, events_pb2, monitoring_pb2, permits_pb2
from services.monitoring.domain import events as ev
from services.monitoring.domain import views
from services.monitoring.domain.exceedance import Point
from services.monitoring.domain.parameters import normalise_unit
from services.monitoring.domain.records import AlarmKind, ExceedanceRecord, FaultRecord, OutletLimitRecord
from services.monitoring.domain.stations import (
    ElectricityMonitor,
    SourceMonitor,
    Station,
    WaterSection,
)
from services.monitoring.service_layer.ingest import BatchResult
from shared.proto_values import date_pb, timestamp_ms
from shared.unit_of_work import event_table

log = logging.getLogger(__name__)

MAX_REJECTIONS = 1000
# Looked up by name, so that adding a kind to the domain without the contract fails at import.
ALARM_KIND = {k: getattr(monitoring_pb2, f"ALARM_KIND_{k.name}") for k in AlarmKind}


def pb_enum(value: int) -> Any:
    """An int for a protobuf enum field (the generated stubs type those as the enum class)."""
    return int(value)


def points(evidence: Iterable[Point]) -> list[monitoring_pb2.ReadingPoint]:
    """Readings quoted as evidence."""
    return [
        monitoring_pb2.ReadingPoint(time=timestamp_ms(p.ts), value=p.value, flags=p.flags) for p in evidence
    ]


def station(s: Station) -> monitoring_pb2.Station:
    """A station as the contract shows it."""
    station = s
    message = monitoring_pb2.Station(
        station_id=station.station_id,
        name=station.name,
        type=pb_enum(station.type),
        location=common_pb2.GeoPoint(lat=station.lat, lon=station.lon),
        town=station.town,
    )
    for p in station.parameters:
        param = message.parameters.add(code=p.code, unit=p.unit, interval_seconds=p.interval_seconds)
        if p.alarm_limit is not None:
            param.alarm_limit = p.alarm_limit
    d = station.details
    if isinstance(d, WaterSection):
        message.water_section.CopyFrom(
            monitoring_pb2.WaterSection(
                river=d.river,
                position_km=d.position_km,
                target_class=pb_enum(d.target_class),
                water_body=pb_enum(d.water_body),
                county_level_or_above=d.county_level_or_above,
            )
        )
    elif isinstance(d, SourceMonitor):
        message.source.CopyFrom(monitoring_pb2.SourceMonitor(uscc=d.uscc, outlet_id=d.outlet_id))
    elif isinstance(d, ElectricityMonitor):
        message.electricity.CopyFrom(
            monitoring_pb2.ElectricityMonitor(
                uscc=d.uscc,
                equipment=pb_enum(d.equipment),
                equipment_id=d.equipment_id,
                threshold_kw=d.threshold_kw,
                linked_station_id=d.linked_station_id,
                idle_minutes=d.idle_minutes,
            )
        )
    if station.registered_at is not None:
        message.registered_at.FromDatetime(station.registered_at)
    return message


def exceedance(row: ExceedanceRecord, station: Station) -> monitoring_pb2.Exceedance:
    """An exceedance record."""
    message = monitoring_pb2.Exceedance(
        exceedance_id=row.exceedance_id,
        station_id=row.station_id,
        station_type=pb_enum(station.type),
        parameter=row.parameter,
        unit=row.unit,
        limit=row.limit_value,
        limit_basis=row.limit_basis,
        target_class=pb_enum(row.target_class or 0),
        opened_at=timestamp_ms(row.opened_ts),
        open=row.cleared_ts is None,
        max_value=row.max_value,
        max_multiple=row.max_multiple,
        uscc=row.uscc,
        outlet_id=row.outlet_id,
        cleared_reason=row.cleared_reason,
    )
    if row.cleared_ts is not None:
        message.cleared_at.CopyFrom(timestamp_ms(row.cleared_ts))
    return message


def fault(row: FaultRecord) -> monitoring_pb2.Fault:
    """A device fault record."""
    message = monitoring_pb2.Fault(
        fault_id=row.fault_id,
        station_id=row.station_id,
        parameter=row.parameter,
        kind=pb_enum(row.kind),
        detail=row.detail,
        opened_at=timestamp_ms(row.opened_ts),
        open=row.cleared_ts is None,
    )
    if row.cleared_ts is not None:
        message.cleared_at.CopyFrom(timestamp_ms(row.cleared_ts))
    return message


def _optional_enum(value: int | None) -> Any:
    """An enum field's value; None leaves the field at its default (UNSPECIFIED)."""
    return 0 if value is None else int(value)


# --- replies of the read side (domain/views.py) ---


def time_series(series: views.TimeSeries) -> monitoring_pb2.TimeSeries:
    """Aggregated readings of one parameter."""
    message = monitoring_pb2.TimeSeries(
        station_id=series.station_id,
        parameter=series.parameter,
        unit=series.unit,
        interval=pb_enum(series.interval),
        received=series.received,
        expected=series.expected,
        coverage=series.coverage,
    )
    for p in series.points:
        point = message.points.add(
            start=timestamp_ms(p.start),
            expected=p.expected,
            expected_readings=p.expected_readings,
            received=p.received,
            flagged=p.flagged,
            coverage=p.coverage,
        )
        if p.mean is not None:
            point.mean, point.min, point.max = p.mean, p.low, p.high
    return message


def station_status(status: views.StationStatus) -> monitoring_pb2.StationStatus:
    """A station and where it stands now."""
    message = monitoring_pb2.StationStatus(
        station=station(status.station),
        open_exceedances=status.open_exceedances,
        open_faults=status.open_faults,
        notes=status.notes,
        reporting=status.reporting,
        water_class=_optional_enum(status.water_class),
    )
    for p in status.parameters:
        message.parameters.add(
            parameter=p.parameter,
            unit=p.unit,
            time=timestamp_ms(p.time),
            value=p.value,
            flags=p.flags,
            exceeding=p.exceeding,
            water_class=_optional_enum(p.water_class),
        )
    if status.last_reading_at is not None:
        message.last_reading_at.CopyFrom(timestamp_ms(status.last_reading_at))
    return message


def section_coverage(kpi: views.SectionCoverage) -> monitoring_pb2.SectionCoverage:
    """The coverage KPI."""
    message = monitoring_pb2.SectionCoverage(
        value=kpi.value,
        target=kpi.target,
        numerator=kpi.numerator,
        denominator=kpi.denominator,
        silent_station_ids=kpi.silent_station_ids,
        undefined=kpi.undefined,
        note=kpi.note,
    )
    message.at.FromDatetime(kpi.at)
    return message


def outlet_thresholds(found: views.OutletThresholds) -> monitoring_pb2.OutletThresholds:
    """The permit limits in force for an outlet."""
    message = monitoring_pb2.OutletThresholds(outlet_id=found.outlet_id)
    for r in found.limits:
        message.thresholds.add(
            parameter=r.parameter,
            limit=common_pb2.Quantity(value=r.limit_value, unit=r.unit),
            permit_number=r.permit_number,
            valid_from=date_pb(r.valid_from),
            valid_to=date_pb(r.valid_until),
            floor=r.floor,
        )
    return message


def aqi_history(history: views.AqiHistory) -> monitoring_pb2.AqiHistory:
    """AQI history of an air station."""
    message = monitoring_pb2.AqiHistory(station_id=history.station_id, interval=pb_enum(history.interval))
    for p in history.points:
        result = p.result
        point = message.points.add(
            start=timestamp_ms(p.start), aqi=result.aqi, level=pb_enum(result.level), incomplete=bool(p.notes)
        )
        point.notes.extend(p.notes)
        point.primary_pollutants.extend(result.primary_pollutants)
        for i in result.pollutants:
            point.pollutants.add(indicator=i.indicator, concentration=i.concentration, iaqi=i.iaqi)
    for bad in history.invalid:
        message.invalid.add(start=timestamp_ms(bad.start), reason=bad.reason)
    return message


def section_class_history(history: views.SectionClassHistory) -> monitoring_pb2.SectionClassHistory:
    """Class history of a water section."""
    message = monitoring_pb2.SectionClassHistory(
        station_id=history.station_id,
        target_class=pb_enum(history.target_class),
        interval=pb_enum(history.interval),
    )
    for p in history.points:
        point = message.points.add(
            start=timestamp_ms(p.start),
            water_class=pb_enum(p.water_class),
            worst_parameters=p.worst_parameters,
            meets_target=p.meets_target,
            notes=p.notes,
            incomplete=bool(p.notes),
        )
        for c in p.parameters:
            point.parameters.add(
                parameter=c.parameter,
                mean=c.mean,
                water_class=pb_enum(c.water_class),
                values=c.values,
                compared_mean=c.compared_mean,
            )
    for bad in history.invalid:
        message.invalid.add(start=timestamp_ms(bad.start), reason=bad.reason)
    return message


class SummaryBuilder:
    """Adds up the results of a stream's batches into one IngestSummary."""

    def __init__(self) -> None:
        self.summary = monitoring_pb2.IngestSummary()
        self._unassessed: dict[tuple[str, str, str], int] = {}

    def add(self, batch_no: int, result: BatchResult) -> None:
        """Count one batch's result."""
        s = self.summary
        s.batches += 1
        s.received += result.received
        s.accepted += result.accepted
        s.duplicates += result.duplicates
        s.rejected += len(result.rejections)
        s.flagged += result.flagged
        room = MAX_REJECTIONS - len(s.rejections)
        for r in result.rejections[: max(0, room)]:
            s.rejections.add(batch=batch_no, index=r.index, field=r.field, reason=r.reason)
        for a in result.alarms:
            alarm = s.alarms.add(
                kind=ALARM_KIND[a.kind], alarm_id=a.alarm_id, station_id=a.station_id, parameter=a.parameter
            )
            alarm.at.FromMilliseconds(a.ts)
        for key, count in result.unassessed.items():
            self._unassessed[key] = self._unassessed.get(key, 0) + count

    def build(self) -> monitoring_pb2.IngestSummary:
        """The finished summary."""
        for (station_id, parameter, reason), count in sorted(self._unassessed.items()):
            self.summary.unassessed.add(
                station_id=station_id, parameter=parameter, reason=reason, readings=count
            )
        return self.summary


# --- events: domain event -> contract payload (wired as Deps.translate by bootstrap) ---


def _location(s: Station) -> common_pb2.GeoPoint:
    return common_pb2.GeoPoint(lat=s.lat, lon=s.lon)


def _exceedance_detected(e: ev.ExceedanceDetected) -> monitoring_pb2.ExceedanceDetected:
    payload = monitoring_pb2.ExceedanceDetected(
        exceedance=exceedance(e.record, e.station),
        evidence=points(e.evidence),
        station_name=e.station.name,
        location=_location(e.station),
        town=e.station.town,
    )
    if isinstance(e.station.details, WaterSection):
        payload.river = e.station.details.river
        payload.observed_class = _optional_enum(e.observed_class)
    return payload


def _treatment_idle(e: ev.TreatmentIdleWhileProducing) -> monitoring_pb2.TreatmentIdleWhileProducing:
    line, facility, alarm = e.line, e.facility, e.alarm
    return monitoring_pb2.TreatmentIdleWhileProducing(
        alarm_id=e.alarm_id,
        uscc=e.uscc,
        production_station_id=line.station_id,
        treatment_station_id=facility.station_id,
        production_line_id=getattr(line.details, "equipment_id", ""),
        treatment_facility_id=getattr(facility.details, "equipment_id", ""),
        production_idle_threshold_kw=e.rule.production_idle_kw,
        treatment_running_threshold_kw=e.rule.treatment_running_kw,
        started_at=timestamp_ms(alarm.started_at),
        detected_at=timestamp_ms(alarm.detected_at),
        duration_minutes=(alarm.detected_at - alarm.started_at) // 60_000,
        production_power=points(alarm.production),
        treatment_power=points(alarm.treatment),
        location=_location(line),
        town=line.town,
    )


def _daily_aqi(e: ev.DailyAqiComputed) -> monitoring_pb2.DailyAqiComputed:
    f = e.figure
    message = monitoring_pb2.DailyAqiComputed(
        station_id=e.station.station_id,
        station_name=e.station.name,
        town=e.station.town,
        date=f.day.isoformat(),
        valid=f.valid,
        revision=f.revision,
        invalid_reason=f.reason,
    )
    if f.result is not None:
        message.aqi = f.result.aqi
        message.level = pb_enum(f.result.level)
        message.primary_pollutants.extend(f.result.primary_pollutants)
        for i in f.result.pollutants:
            message.pollutants.add(indicator=i.indicator, concentration=i.concentration, iaqi=i.iaqi)
    return message


_EVENTS: dict[type, Callable[[Any], Message]] = {
    ev.StationRegistered: lambda e: monitoring_pb2.StationRegistered(station=station(e.station)),
    ev.ExceedanceDetected: _exceedance_detected,
    ev.ExceedanceCleared: lambda e: monitoring_pb2.ExceedanceCleared(
        exceedance=exceedance(e.record, e.station),
        evidence=points(e.evidence),
        reason=e.record.cleared_reason,
    ),
    ev.DeviceFault: lambda e: monitoring_pb2.DeviceFault(
        fault=fault(e.record),
        evidence=points(e.evidence),
        uscc=e.station.uscc,
        location=_location(e.station),
        town=e.station.town,
    ),
    ev.TreatmentIdleWhileProducing: _treatment_idle,
    ev.DailyAqiComputed: _daily_aqi,
}


# The contract payload of a monitoring domain event (wired as Deps.translate by bootstrap).
event_message = event_table("monitoring", _EVENTS)


# --- events consumed: permits' events as domain values ---

PermitWithLimits = permits_pb2.PermitIssued | permits_pb2.PermitRenewed | permits_pb2.PermitReinstated
# The status each ending event leaves the permit in, as the closing reason names it.
ENDED_STATUS = {"PermitRevoked": "revoked", "PermitExpired": "expired", "PermitSuspended": "suspended"}


def _day(value: common_pb2.Date) -> date:
    return date(value.year, value.month, value.day)


def permit_limits(payload: Message) -> ev.PermitLimits:
    """PermitIssued, PermitRenewed or PermitReinstated as the limits the permit sets: one per outlet
    and pollutant with a concentration limit (tonnage-only pollutants have none)."""
    assert isinstance(payload, PermitWithLimits)
    start, end = _day(payload.valid_from), _day(payload.valid_until)
    rows = []
    for outlet in payload.outlets:
        for pollutant in outlet.limits:
            limit = pollutant.concentration_limit
            if limit.value <= 0:
                log.info(
                    "permit %s outlet %s: %s has no concentration limit",
                    payload.permit_number,
                    outlet.outlet_id,
                    pollutant.parameter,
                )
                continue
            rows.append(
                OutletLimitRecord(
                    outlet_id=outlet.outlet_id,
                    parameter=pollutant.parameter.upper(),
                    limit_value=limit.value,
                    floor=pollutant.concentration_floor,
                    unit=normalise_unit(limit.unit),
                    uscc=payload.uscc,
                    permit_number=payload.permit_number,
                    valid_from=start,
                    valid_until=end,
                )
            )
    return ev.PermitLimits(permit_number=payload.permit_number, limits=tuple(rows))


def permit_ended(envelope: events_pb2.EventEnvelope, payload: Message) -> ev.PermitEnded:
    """PermitRevoked, PermitExpired or PermitSuspended as the end of the permit's limits."""
    return ev.PermitEnded(
        permit_number=getattr(payload, "permit_number", ""),
        status=ENDED_STATUS[envelope.type],
        at_ms=envelope.occurred_at.ToMilliseconds(),
    )
