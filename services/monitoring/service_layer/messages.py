"""Protobuf messages built from domain objects: the event payloads and the records queries return."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from eco.v1 import common_pb2, monitoring_pb2
from services.monitoring.domain.exceedance import Point
from services.monitoring.domain.records import ExceedanceRecord, FaultRecord
from services.monitoring.domain.stations import (
    ElectricityMonitor,
    SourceMonitor,
    Station,
    WaterSection,
)


def pb_enum(value: int) -> Any:
    """An int for a protobuf enum field (the generated stubs type those as the enum class)."""
    return int(value)


def timestamp(ms: int) -> Timestamp:
    """A protobuf Timestamp from epoch milliseconds."""
    ts = Timestamp()
    ts.FromMilliseconds(ms)
    return ts


def points(evidence: Iterable[Point]) -> list[monitoring_pb2.ReadingPoint]:
    """Readings quoted as evidence."""
    return [monitoring_pb2.ReadingPoint(time=timestamp(p.ts), value=p.value, flags=p.flags) for p in evidence]


def station_message(station: Station) -> monitoring_pb2.Station:
    """A station as the contract shows it."""
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


def enterprise_of(station: Station) -> str:
    """The USCC of the enterprise a monitor belongs to ("" for ambient stations)."""
    d = station.details
    return d.uscc if isinstance(d, SourceMonitor | ElectricityMonitor) else ""


def exceedance_message(row: ExceedanceRecord, station: Station) -> monitoring_pb2.Exceedance:
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
        opened_at=timestamp(row.opened_ts),
        open=row.cleared_ts is None,
        max_value=row.max_value,
        max_multiple=row.max_multiple,
        uscc=row.uscc,
        outlet_id=row.outlet_id,
        cleared_reason=row.cleared_reason,
    )
    if row.cleared_ts is not None:
        message.cleared_at.CopyFrom(timestamp(row.cleared_ts))
    return message


def fault_message(row: FaultRecord) -> monitoring_pb2.Fault:
    """A device fault record."""
    message = monitoring_pb2.Fault(
        fault_id=row.fault_id,
        station_id=row.station_id,
        parameter=row.parameter,
        kind=pb_enum(row.kind),
        detail=row.detail,
        opened_at=timestamp(row.opened_ts),
        open=row.cleared_ts is None,
    )
    if row.cleared_ts is not None:
        message.cleared_at.CopyFrom(timestamp(row.cleared_ts))
    return message
