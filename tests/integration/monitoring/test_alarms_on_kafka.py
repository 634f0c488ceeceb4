"""Alarms read back from the real Kafka: a stuck sensor's DeviceFault (and its withdrawn exceedance),
TreatmentIdleWhileProducing, and a permit's suspension and reinstatement arriving over Kafka."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from eco.v1 import common_pb2, monitoring_pb2, permits_pb2
from services.monitoring.bootstrap import build
from shared.grpc.client import call_metadata
from shared.runtime import RunningService
from tests.integration.monitoring import support
from tests.integration.monitoring.support import HOUR, USCC
from tests.support import infra

pytestmark = pytest.mark.integration


def _power(station_id: str, equipment: int, threshold: float, linked: str = "") -> monitoring_pb2.Station:
    return monitoring_pb2.Station(
        station_id=station_id,
        name=f"power {station_id}",
        type=monitoring_pb2.STATION_TYPE_ELECTRICITY,
        location=common_pb2.GeoPoint(lat=30.2, lon=121.3),
        town="Zhouxiang",
        parameters=[monitoring_pb2.MonitoredParameter(code="POWER", unit="kW", interval_seconds=900)],
        electricity=monitoring_pb2.ElectricityMonitor(
            uscc=USCC,
            equipment=equipment,  # type: ignore[arg-type]
            equipment_id=f"eq-{station_id}",
            threshold_kw=threshold,
            linked_station_id=linked,
        ),
    )


def test_a_stuck_sensor_reaches_kafka_as_a_device_fault_and_its_exceedance_is_withdrawn(
    pg_url: str, kafka_bootstrap: str, start_service: Callable[..., RunningService]
) -> None:
    service = start_service("monitoring", build, pg_url, consume_permits=False)
    stub, meta = support.stub(service), call_metadata(infra.BUREAU_TOKEN)
    station_id = infra.unique("WS-")
    stub.RegisterStation(
        monitoring_pb2.RegisterStationRequest(station=support.section(station_id)), metadata=meta
    )
    start = int(time.time()) // HOUR * HOUR - 12 * HOUR
    for i in range(10):  # one reading per call, as a device sends them: 1.8 mg/L, over and over
        stub.IngestReadings(support.batch(station_id, "NH3N", start + i * HOUR, [1.8]), metadata=meta)

    (fault,) = support.events_for(kafka_bootstrap, station_id, "DeviceFault", 1)
    assert fault.fault.kind == monitoring_pb2.FAULT_KIND_FLAT_LINE  # type: ignore[attr-defined]
    assert len(fault.evidence) == 8  # type: ignore[attr-defined]
    (cleared,) = support.events_for(kafka_bootstrap, station_id, "ExceedanceCleared", 1)
    assert cleared.reason == "device fault: flat line"  # type: ignore[attr-defined]
    listed = stub.ListExceedances(
        monitoring_pb2.ListExceedancesRequest(station_id=station_id, open_only=True), metadata=meta
    )
    assert list(listed.exceedances) == []


def test_production_with_idle_treatment_reaches_kafka(
    pg_url: str, kafka_bootstrap: str, start_service: Callable[..., RunningService]
) -> None:
    service = start_service("monitoring", build, pg_url, consume_permits=False)
    stub, meta = support.stub(service), call_metadata(infra.BUREAU_TOKEN)
    facility, line = infra.unique("FAC-"), infra.unique("LINE-")
    for station in (
        _power(facility, monitoring_pb2.EQUIPMENT_KIND_TREATMENT_FACILITY, 10.0),
        _power(line, monitoring_pb2.EQUIPMENT_KIND_PRODUCTION_LINE, 50.0, linked=facility),
    ):
        stub.RegisterStation(monitoring_pb2.RegisterStationRequest(station=station), metadata=meta)
    start = int(time.time()) // HOUR * HOUR - 3 * HOUR
    quarter = 900
    stub.IngestReadings(support.batch(line, "POWER", start, [120.0] * 4, step=quarter), metadata=meta)
    summary = stub.IngestReadings(
        support.batch(facility, "POWER", start, [1.5] * 4, step=quarter), metadata=meta
    )
    assert [a.kind for a in summary.alarms] == [monitoring_pb2.ALARM_KIND_TREATMENT_IDLE]

    (idle,) = support.events_for(kafka_bootstrap, line, "TreatmentIdleWhileProducing", 1)
    payload: Any = idle
    assert (payload.uscc, payload.treatment_station_id, payload.duration_minutes) == (USCC, facility, 30)
    assert [p.value for p in payload.production_power] == [120.0] * 3
    assert [p.value for p in payload.treatment_power] == [1.5] * 3


def _limits(outlet: str) -> list[permits_pb2.OutletLimits]:
    quantity = common_pb2.Quantity(value=50.0, unit="mg/L")
    return [
        permits_pb2.OutletLimits(
            outlet_id=outlet,
            limits=[permits_pb2.PollutantLimit(parameter="COD", concentration_limit=quantity)],
        )
    ]


def test_a_suspension_closes_the_outlets_exceedance_and_a_reinstatement_restores_its_limit(
    pg_url: str, kafka_bootstrap: str, start_service: Callable[..., RunningService]
) -> None:
    service = start_service("monitoring", build, pg_url, permits_group=support.permits_group_from_now())
    stub, meta = support.stub(service), call_metadata(infra.BUREAU_TOKEN)
    outlet, station_id = f"{USCC}-{infra.unique('DW')}", infra.unique("SRC-")
    stub.RegisterStation(
        monitoring_pb2.RegisterStationRequest(station=support.outlet_monitor(station_id, outlet)),
        metadata=meta,
    )

    def thresholds() -> list[Any]:
        request = monitoring_pb2.GetOutletThresholdsRequest(outlet_id=outlet)
        return list(stub.GetOutletThresholds(request, metadata=meta).thresholds)

    def notes() -> list[str]:
        request = monitoring_pb2.ListStationStatusRequest(station_ids=[station_id])
        return list(stub.ListStationStatus(request, metadata=meta).statuses[0].notes)

    assert notes() == ["no permit limits for this outlet yet"]
    number = infra.unique("P-")
    term: dict[str, Any] = {
        "valid_from": common_pb2.Date(year=2020, month=1, day=1),
        "valid_until": common_pb2.Date(year=2035, month=1, day=1),
    }
    issued = permits_pb2.PermitIssued(uscc=USCC, permit_number=number, outlets=_limits(outlet), **term)
    support.publish(kafka_bootstrap, "permits", USCC, issued)
    infra.wait_for(thresholds, timeout=90, what="the permit limit to become the outlet's threshold")
    assert notes() == []
    start = int(time.time()) // HOUR * HOUR - 8 * HOUR
    stub.IngestReadings(support.batch(station_id, "COD", start, [70.0, 75.0, 90.0]), metadata=meta)

    support.publish(
        kafka_bootstrap, "permits", USCC, permits_pb2.PermitSuspended(uscc=USCC, permit_number=number)
    )
    (cleared,) = support.events_for(kafka_bootstrap, station_id, "ExceedanceCleared", 1)
    assert cleared.reason == "permit ended: suspended"  # type: ignore[attr-defined]
    assert thresholds() == []

    reinstated = permits_pb2.PermitReinstated(
        uscc=USCC,
        permit_number=number,
        outlets=_limits(outlet),
        status=permits_pb2.PERMIT_STATUS_ISSUED,
        **term,
    )
    support.publish(kafka_bootstrap, "permits", USCC, reinstated)
    infra.wait_for(thresholds, timeout=90, what="the reinstated permit's limit to return")
    again = stub.IngestReadings(
        support.batch(station_id, "COD", start + 3 * HOUR, [80.0, 85.0, 95.0]), metadata=meta
    )
    assert list(again.unassessed) == [] and len(again.alarms) == 1
