"""The monitoring service over gRPC against the real PostgreSQL and Kafka."""

from __future__ import annotations

import time
from collections.abc import Callable

import grpc
import pytest
from kafka import KafkaProducer

from eco.v1 import common_pb2, monitoring_pb2, permits_pb2
from services.monitoring.bootstrap import build
from shared import events
from shared.grpc.client import call_metadata
from shared.runtime import RunningService
from shared.topology import topic_for
from tests.integration.monitoring import support
from tests.support import infra

pytestmark = pytest.mark.integration


USCC, HOUR = support.USCC, support.HOUR


def test_streamed_readings_are_stored_once_and_exceedances_reach_kafka(
    pg_url: str, kafka_bootstrap: str, start_service: Callable[..., RunningService]
) -> None:
    service = start_service("monitoring", build, pg_url, permits_group=support.permits_group_from_now())
    stub, meta = support.stub(service), call_metadata(infra.WATER_TOKEN)
    station_id = infra.unique("WS-")
    stub.RegisterStation(
        monitoring_pb2.RegisterStationRequest(station=support.section(station_id)), metadata=meta
    )
    start = int(time.time()) // HOUR * HOUR - 10 * HOUR
    batches = [
        support.batch(station_id, "NH3N", start, [0.6, 1.4, 1.6]),
        support.batch(station_id, "NH3N", start + 3 * HOUR, [1.8, 0.5, 0.4, 0.3]),
        support.batch("UNKNOWN", "NH3N", start, [1.0]),
    ]
    summary = stub.StreamReadings(iter(batches), metadata=meta)
    assert (summary.batches, summary.received, summary.accepted, summary.rejected) == (3, 8, 7, 1)
    assert (summary.rejections[0].batch, summary.rejections[0].index, summary.rejections[0].field) == (
        2,
        0,
        "station_id",
    )
    assert [a.kind for a in summary.alarms] == [monitoring_pb2.ALARM_KIND_EXCEEDANCE]

    again = stub.IngestReadings(batches[0], metadata=meta)  # the same readings again
    assert (again.accepted, again.duplicates, len(again.alarms)) == (3, 3, 0)
    series = stub.GetTimeSeries(
        monitoring_pb2.GetTimeSeriesRequest(
            station_id=station_id,
            parameter="NH3N",
            interval=monitoring_pb2.INTERVAL_HOUR,
            **{"from": support.ts(start), "to": support.ts(start + 7 * HOUR)},
        ),
        metadata=meta,
    )
    assert [p.received for p in series.points] == [1] * 7

    detected = support.events_for(kafka_bootstrap, station_id, "ExceedanceDetected", 1)
    cleared = support.events_for(kafka_bootstrap, station_id, "ExceedanceCleared", 1)
    assert len(detected) == 1 and len(cleared) == 1
    assert [p.value for p in detected[0].evidence] == [1.4, 1.6, 1.8]  # type: ignore[attr-defined]
    (status,) = stub.ListStationStatus(
        monitoring_pb2.ListStationStatusRequest(station_ids=[station_id]), metadata=meta
    ).statuses
    assert status.reporting and status.open_exceedances == 0 and status.parameters[0].value == 0.3


def test_bad_registration_and_missing_token_are_refused(
    pg_url: str, start_service: Callable[..., RunningService]
) -> None:
    service = start_service("monitoring", build, pg_url, consume_permits=False)
    stub = support.stub(service)
    bad = support.section(infra.unique("WS-"))
    bad.parameters[0].unit = "ug/m3"
    with pytest.raises(grpc.RpcError) as refused:
        stub.RegisterStation(
            monitoring_pb2.RegisterStationRequest(station=bad), metadata=call_metadata(infra.BUREAU_TOKEN)
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "station.parameters[0].unit" in (refused.value.details() or "")
    with pytest.raises(grpc.RpcError) as anonymous:
        stub.GetSectionCoverage(monitoring_pb2.GetSectionCoverageRequest())
    assert anonymous.value.code() == grpc.StatusCode.UNAUTHENTICATED
    listed = stub.ListStations(
        monitoring_pb2.ListStationsRequest(), metadata=call_metadata(infra.BUREAU_TOKEN)
    )
    assert list(listed.stations) == []


def test_permit_issued_on_kafka_sets_the_outlet_monitor_threshold(
    pg_url: str, kafka_bootstrap: str, start_service: Callable[..., RunningService]
) -> None:
    service = start_service("monitoring", build, pg_url, permits_group=support.permits_group_from_now())
    stub, meta = support.stub(service), call_metadata(infra.BUREAU_TOKEN)
    outlet = f"{USCC}-{infra.unique('DW')}"
    station_id = infra.unique("SRC-")
    stub.RegisterStation(
        monitoring_pb2.RegisterStationRequest(
            station=monitoring_pb2.Station(
                station_id=station_id,
                name="outlet monitor",
                type=monitoring_pb2.STATION_TYPE_POLLUTION_SOURCE,
                location=common_pb2.GeoPoint(lat=30.2, lon=121.3),
                town="Zhouxiang",
                parameters=[
                    monitoring_pb2.MonitoredParameter(code="COD", unit="mg/L", interval_seconds=HOUR)
                ],
                source=monitoring_pb2.SourceMonitor(uscc=USCC, outlet_id=outlet),
            )
        ),
        metadata=meta,
    )
    start = int(time.time()) // HOUR * HOUR - 8 * HOUR
    before = stub.IngestReadings(support.batch(station_id, "COD", start, [80.0]), metadata=meta)
    assert [(u.parameter, u.reason) for u in before.unassessed] == [("COD", "no valid permit limit")]

    permit = permits_pb2.PermitIssued(
        uscc=USCC,
        permit_number=infra.unique("P-"),
        valid_from=common_pb2.Date(year=2020, month=1, day=1),
        valid_until=common_pb2.Date(year=2035, month=1, day=1),
        outlets=[
            permits_pb2.OutletLimits(
                outlet_id=outlet,
                limits=[
                    permits_pb2.PollutantLimit(
                        parameter="COD", concentration_limit=common_pb2.Quantity(value=50.0, unit="mg/L")
                    )
                ],
            )
        ],
    )
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    envelope = events.make_envelope(source="permits", subject_id=USCC, payload=permit)
    producer.send(topic_for("permits"), key=USCC.encode(), value=envelope.SerializeToString()).get(timeout=30)
    producer.close()
    infra.wait_for(
        lambda: (
            stub.GetOutletThresholds(
                monitoring_pb2.GetOutletThresholdsRequest(outlet_id=outlet), metadata=meta
            ).thresholds
        ),
        timeout=90,
        what="the permit limit to become the outlet's threshold",
    )
    after = stub.IngestReadings(
        support.batch(station_id, "COD", start + HOUR, [70.0, 75.0, 90.0]), metadata=meta
    )
    assert list(after.unassessed) == [] and len(after.alarms) == 1
    (detected,) = support.events_for(kafka_bootstrap, station_id, "ExceedanceDetected", 1)
    assert detected.exceedance.limit == 50.0  # type: ignore[attr-defined]
    assert detected.exceedance.limit_basis == f"permit {permit.permit_number}"  # type: ignore[attr-defined]
