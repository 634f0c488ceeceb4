"""Bad input over gRPC is INVALID_ARGUMENT naming the field, and changes nothing (real PostgreSQL,
where an over-long value or a NUL character would otherwise fail inside the database)."""

from __future__ import annotations

from collections.abc import Callable

import grpc
import pytest

from eco.v1 import common_pb2, monitoring_pb2
from services.monitoring.bootstrap import build
from shared.grpc.client import call_metadata
from shared.runtime import RunningService
from tests.integration.monitoring import support
from tests.integration.monitoring.support import USCC
from tests.support import infra

pytestmark = pytest.mark.integration


def _line(station_id: str, facility: str) -> monitoring_pb2.Station:
    return monitoring_pb2.Station(
        station_id=station_id,
        name="line",
        type=monitoring_pb2.STATION_TYPE_ELECTRICITY,
        location=common_pb2.GeoPoint(lat=30.2, lon=121.3),
        town="Zhouxiang",
        parameters=[monitoring_pb2.MonitoredParameter(code="POWER", unit="kW")],
        electricity=monitoring_pb2.ElectricityMonitor(
            uscc=USCC,
            equipment=monitoring_pb2.EQUIPMENT_KIND_PRODUCTION_LINE,
            equipment_id="line-1",
            threshold_kw=50.0,
            linked_station_id=facility,
        ),
    )


def _bad_stations() -> list[tuple[str, monitoring_pb2.Station]]:
    """(field named in the refusal, station) for each text field: too long, then with a NUL."""
    cases: list[tuple[str, monitoring_pb2.Station]] = []
    setters: list[tuple[str, Callable[[monitoring_pb2.Station, str], None]]] = [
        ("station.name", lambda s, v: setattr(s, "name", v)),
        ("station.town", lambda s, v: setattr(s, "town", v)),
        ("station.water_section.river", lambda s, v: setattr(s.water_section, "river", v)),
    ]
    for field, set_field in setters:
        for value in ("x" * 201, "a\x00b"):  # 201 is over every one of these limits
            station = support.section(infra.unique("WS-"))
            set_field(station, value)
            cases.append((field, station))
    for value in (f"{USCC}-" + "D" * 100, f"{USCC}-D\x00W"):
        cases.append(("station.source.outlet_id", support.outlet_monitor(infra.unique("SRC-"), value)))
    for value in ("e" * 101, "e\x00"):
        line = _line(infra.unique("LINE-"), "FAC-1")
        line.electricity.equipment_id = value
        cases.append(("station.electricity.equipment_id", line))
    for value in ("F" * 65, "FAC\x00"):
        cases.append(("station.electricity.linked_station_id", _line(infra.unique("LINE-"), value)))
    return cases


def test_over_long_and_control_character_text_fields_are_refused(
    pg_url: str, start_service: Callable[..., RunningService]
) -> None:
    service = start_service("monitoring", build, pg_url, consume_permits=False)
    stub, meta = support.stub(service), call_metadata(infra.BUREAU_TOKEN)
    cases = _bad_stations()
    assert len(cases) == 12
    for field, station in cases:
        with pytest.raises(grpc.RpcError) as refused:
            stub.RegisterStation(monitoring_pb2.RegisterStationRequest(station=station), metadata=meta)
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT, (field, refused.value.details())
        assert (refused.value.details() or "").startswith(f"{field}:")
    assert list(stub.ListStations(monitoring_pb2.ListStationsRequest(), metadata=meta).stations) == []


def test_page_tokens_not_given_by_the_service_are_refused(
    pg_url: str, start_service: Callable[..., RunningService]
) -> None:
    service = start_service("monitoring", build, pg_url, consume_permits=False)
    stub, meta = support.stub(service), call_metadata(infra.BUREAU_TOKEN)
    huge = common_pb2.PageRequest(page_token="9" * 30)
    calls = [
        lambda: stub.ListExceedances(monitoring_pb2.ListExceedancesRequest(page=huge), metadata=meta),
        lambda: stub.ListFaults(monitoring_pb2.ListFaultsRequest(page=huge), metadata=meta),
        lambda: stub.ListStations(
            monitoring_pb2.ListStationsRequest(page=common_pb2.PageRequest(page_token="s" * 5000)),
            metadata=meta,
        ),
    ]
    for call in calls:
        with pytest.raises(grpc.RpcError) as refused:
            call()
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert (refused.value.details() or "").startswith("page.page_token:")
    with pytest.raises(grpc.RpcError) as too_many:
        stub.ListStationStatus(
            monitoring_pb2.ListStationStatusRequest(station_ids=[f"S{i}" for i in range(40_000)]),
            metadata=meta,
        )
    assert too_many.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_a_reading_with_a_negative_nanos_is_refused_and_nothing_is_stored(
    pg_url: str, start_service: Callable[..., RunningService]
) -> None:
    """Issue 10, point 10: a Timestamp's nanos is 0..999,999,999 (google/protobuf/timestamp.proto);
    a reading at seconds + (-1) ns is refused naming the reading, in a batch and in a stream."""
    service = start_service("monitoring", build, pg_url, consume_permits=False)
    stub, meta = support.stub(service), call_metadata(infra.BUREAU_TOKEN)
    station_id = infra.unique("WS-")
    stub.RegisterStation(
        monitoring_pb2.RegisterStationRequest(station=support.section(station_id)), metadata=meta
    )
    start = 1_767_225_600  # 2026-01-01T00:00:00Z
    readings = support.batch(station_id, "NH3N", start, [0.4, 0.5])
    readings.readings[1].time.nanos = -1
    with pytest.raises(grpc.RpcError) as batch:
        stub.IngestReadings(readings, metadata=meta, timeout=10)
    assert batch.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert batch.value.details().startswith("readings[1].time: nanos must be from 0")  # type: ignore[union-attr]
    with pytest.raises(grpc.RpcError) as stream:
        stub.StreamReadings(iter([readings]), metadata=meta, timeout=10)
    assert stream.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "readings[1].time: nanos must be from 0" in stream.value.details()  # type: ignore[operator]
    # Not even the good first reading of the refused batch was stored.
    series = stub.GetTimeSeries(
        monitoring_pb2.GetTimeSeriesRequest(
            station_id=station_id,
            parameter="NH3N",
            to=support.ts(start + 7200),
            **{"from": support.ts(start)},
            interval=monitoring_pb2.INTERVAL_HOUR,
        ),
        metadata=meta,
        timeout=10,
    )
    assert [p for p in series.points if p.received or p.flagged] == []
