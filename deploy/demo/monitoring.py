"""Registering the demo network with the monitoring service and streaming its day of readings."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import islice

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from deploy.demo import network
from eco.v1 import common_pb2, monitoring_pb2, monitoring_pb2_grpc
from shared.grpc.client import call_metadata, channel
from shared.settings import service_address

UNITS = {"water": "mg/L", "air": "ug/m3", "power": "kW"}
WATER_CLASSES = {"III": monitoring_pb2.WATER_CLASS_III, "IV": monitoring_pb2.WATER_CLASS_IV}
BATCH = 500


def _unit(station: network.DemoStation, code: str) -> str:
    if code == "PH":
        return ""
    if station.kind == "source":
        return "mg/L" if station.outlet_id.rsplit("-", 1)[1].startswith("DW") else "mg/m3"
    if station.kind == "air" and code == "CO":
        return "mg/m3"
    return UNITS[station.kind]


def to_station(s: network.DemoStation) -> monitoring_pb2.Station:
    """The protobuf Station for a demo station."""
    station = monitoring_pb2.Station(
        station_id=s.station_id,
        name=s.name,
        town=s.town,
        location=common_pb2.GeoPoint(lat=s.location[0], lon=s.location[1]),
        parameters=[
            monitoring_pb2.MonitoredParameter(
                code=code, unit=_unit(s, code), interval_seconds=int(s.interval.total_seconds())
            )
            for code in s.parameters
        ],
    )
    if s.kind == "water":
        station.type = monitoring_pb2.STATION_TYPE_WATER_SECTION
        station.water_section.CopyFrom(
            monitoring_pb2.WaterSection(
                river=s.river,
                target_class=WATER_CLASSES[s.target_class],
                water_body=monitoring_pb2.WATER_BODY_RIVER,
                county_level_or_above=True,
            )
        )
    elif s.kind == "air":
        station.type = monitoring_pb2.STATION_TYPE_AIR
    elif s.kind == "source":
        station.type = monitoring_pb2.STATION_TYPE_POLLUTION_SOURCE
        station.source.CopyFrom(monitoring_pb2.SourceMonitor(uscc=s.uscc, outlet_id=s.outlet_id))
    else:
        station.type = monitoring_pb2.STATION_TYPE_ELECTRICITY
        line = s.equipment == "production_line"
        station.electricity.CopyFrom(
            monitoring_pb2.ElectricityMonitor(
                uscc=s.uscc,
                equipment=monitoring_pb2.EQUIPMENT_KIND_PRODUCTION_LINE
                if line
                else monitoring_pb2.EQUIPMENT_KIND_TREATMENT_FACILITY,
                equipment_id=s.station_id,
                threshold_kw=50.0 if line else 10.0,
                linked_station_id=s.linked_station_id,
            )
        )
    return station


def load_stations(outlets: dict[str, list[tuple[str, str]]], token: str) -> list[network.DemoStation]:
    """Register every station (again is a no-op); wait until permit limits reached monitoring."""
    stations = [
        *network.water_sections(),
        *network.air_stations(),
        *network.source_monitors(outlets),
        *network.power_monitors(),
    ]
    with channel(service_address("monitoring")) as ch:
        stub = monitoring_pb2_grpc.MonitoringServiceStub(ch)
        for n, s in enumerate(stations, start=1):
            stub.RegisterStation(
                monitoring_pb2.RegisterStationRequest(station=to_station(s)), metadata=call_metadata(token)
            )
            print(f"  station {n:>3}/{len(stations)}  {s.station_id} {s.name}", flush=True)
        _wait_for_permit_limits(stub, [s.outlet_id for s in stations if s.outlet_id], token)
    return stations


def _wait_for_permit_limits(
    stub: monitoring_pb2_grpc.MonitoringServiceStub, outlet_ids: list[str], token: str
) -> None:
    """Permit limits travel permits -> Kafka -> monitoring; readings judged before they arrive would
    be reported as unassessed, so wait (with a visible count) until every outlet has them."""
    deadline = time.monotonic() + 60
    while True:
        missing = []
        for outlet_id in outlet_ids:
            request = monitoring_pb2.GetOutletThresholdsRequest(outlet_id=outlet_id)
            try:
                reply = stub.GetOutletThresholds(request, metadata=call_metadata(token))
                if not reply.thresholds:
                    missing.append(outlet_id)
            except grpc.RpcError:
                missing.append(outlet_id)
        print(
            f"  permit limits known for {len(outlet_ids) - len(missing)}/{len(outlet_ids)} outlets",
            flush=True,
        )
        if not missing:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"permit limits did not reach monitoring within 60 s for {', '.join(missing)}: "
                "is the monitoring service consuming eco.permits.events? (see its log)"
            )
        time.sleep(1)


def _batches(stations: list[network.DemoStation], end: datetime) -> Iterator[monitoring_pb2.ReadingBatch]:
    rows = network.readings(stations, end)
    while chunk := list(islice(rows, BATCH)):
        batch = monitoring_pb2.ReadingBatch()
        for station_id, code, when, value in chunk:
            ts = Timestamp()
            ts.FromDatetime(when)
            batch.readings.add(station_id=station_id, parameter=code, time=ts, value=value)
        yield batch


def stream_day(
    stations: list[network.DemoStation], token: str, now: datetime
) -> monitoring_pb2.IngestSummary:
    """Stream the 24 hours of readings before `now` through the client-streaming method, with progress."""
    end = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    sent = 0

    def counted() -> Iterator[monitoring_pb2.ReadingBatch]:
        nonlocal sent
        for batch in _batches(stations, end):
            sent += len(batch.readings)
            print(f"  readings sent: {sent}", end="\r", flush=True)
            yield batch

    with channel(service_address("monitoring")) as ch:
        stub = monitoring_pb2_grpc.MonitoringServiceStub(ch)
        summary = stub.StreamReadings(counted(), metadata=call_metadata(token), timeout=300)
    kinds = [
        monitoring_pb2.AlarmKind.Name(a.kind).removeprefix("ALARM_KIND_").lower() for a in summary.alarms
    ]
    print(
        f"\n  accepted {summary.accepted} of {summary.received} readings "
        f"({summary.duplicates} already there, {summary.rejected} rejected); alarms: "
        + (", ".join(f"{k} x{kinds.count(k)}" for k in sorted(set(kinds))) or "none")
    )
    for rejection in list(summary.rejections)[:3]:
        print(f"  rejected: {rejection.field}: {rejection.reason}")
    return summary
