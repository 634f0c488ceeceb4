"""Protobuf requests as domain inputs: a station to register, a batch of readings as columns, page
tokens and required times (replies, events and consumed events are in messages.py)."""

from __future__ import annotations

import re
from enum import IntEnum
from typing import TypeVar

from google.protobuf.timestamp_pb2 import Timestamp

from eco.v1 import monitoring_pb2
from services.monitoring.domain import gb3838
from services.monitoring.domain.parameters import StationType
from services.monitoring.domain.stations import (
    Details,
    ElectricityMonitor,
    Equipment,
    Parameter,
    SourceMonitor,
    Station,
    WaterSection,
)
from services.monitoring.service_layer.ingest import RawBatch
from shared import paging
from shared.errors import InvalidArgument
from shared.paging import PAGE_TOKEN

# Keyset tokens of newest-first lists: "<opened_ts ms>.<record id>" of the last item of a page
# (opaque to callers: shared.paging encodes it).
_KEYSET = re.compile(r"^(\d{1,16})\.([A-Za-z0-9-]{1,36})$")
_STATION_TOKEN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


E = TypeVar("E", bound=IntEnum)


def _enum(cls: type[E], value: int, field_name: str) -> E:
    try:
        return cls(value)
    except ValueError:
        raise InvalidArgument(field_name, "must be set to a known value") from None


def station_in(message: monitoring_pb2.Station) -> Station:
    """The domain station a registration asks for (validated by the service layer)."""
    station_type = _enum(StationType, message.type, "station.type")
    details: Details = None
    which = message.WhichOneof("details")
    if which == "water_section":
        w = message.water_section
        details = WaterSection(
            river=w.river,
            position_km=w.position_km,
            target_class=_enum(gb3838.WaterClass, w.target_class, "station.water_section.target_class"),
            water_body=_enum(gb3838.WaterBody, w.water_body, "station.water_section.water_body"),
            county_level_or_above=w.county_level_or_above,
        )
    elif which == "source":
        details = SourceMonitor(uscc=message.source.uscc, outlet_id=message.source.outlet_id)
    elif which == "electricity":
        e = message.electricity
        details = ElectricityMonitor(
            uscc=e.uscc,
            equipment=_enum(Equipment, e.equipment, "station.electricity.equipment"),
            equipment_id=e.equipment_id,
            threshold_kw=e.threshold_kw,
            linked_station_id=e.linked_station_id,
            idle_minutes=e.idle_minutes,
        )
    return Station(
        station_id=message.station_id,
        name=message.name,
        type=station_type,
        lat=message.location.lat,
        lon=message.location.lon,
        town=message.town,
        parameters=tuple(
            Parameter(
                p.code.strip().upper(),
                p.unit,
                p.interval_seconds,
                p.alarm_limit if p.HasField("alarm_limit") else None,
            )
            for p in message.parameters
        ),
        details=details,
    )


def raw_batch(batch: monitoring_pb2.ReadingBatch) -> RawBatch:
    """A batch's readings as columns (one pass per field over the C-backed message list)."""
    readings = batch.readings
    times = [r.time for r in readings]
    return RawBatch(
        station_ids=[r.station_id for r in readings],
        parameters=[r.parameter for r in readings],
        ts=[t.seconds * 1000 + t.nanos // 1_000_000 for t in times],
        values=[r.value for r in readings],
        flags=[r.flags for r in readings],
    )


def keyset_token(opened_ts: int, record_id: str) -> str:
    """The (opaque) page token that continues after this record."""
    return paging.encode(f"{opened_ts}.{record_id}")


def keyset_after(token: str) -> tuple[int, str] | None:
    """The (opened_ts, id) a keyset token continues after; None for the first page."""
    key = paging.decode(token)
    if key is None:
        return None
    match = _KEYSET.match(key)
    if match is None:
        raise InvalidArgument(PAGE_TOKEN, "not a token this service returned")
    return int(match.group(1)), match.group(2)


def station_token(station_id: str) -> str:
    """The (opaque) page token that continues after this station ("" for none)."""
    return paging.encode(station_id) if station_id else ""


def station_after(token: str) -> str:
    """The station id a station-list token continues after ("" for the first page)."""
    key = paging.decode(token)
    if key is None:
        return ""
    if not _STATION_TOKEN.match(key):
        raise InvalidArgument(PAGE_TOKEN, "not a token this service returned")
    return key


def millis(ts: Timestamp, field_name: str) -> int:
    """Epoch milliseconds of a required timestamp field."""
    if ts.seconds == 0 and ts.nanos == 0:
        raise InvalidArgument(field_name, "is required")
    return ts.seconds * 1000 + ts.nanos // 1_000_000
