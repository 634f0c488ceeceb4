"""Issue 9 through the gRPC API on PostgreSQL: exact means at class limits, GB 3095-2012 table 4
validity with its reasons, hourly PM under its 24-hour name, and monthly/annual section classes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import grpc
import pytest

from eco.v1 import common_pb2, monitoring_pb2
from services.monitoring.bootstrap import build
from shared.grpc.client import call_metadata
from shared.runtime import RunningService
from tests.integration.monitoring import support
from tests.support import infra

pytestmark = pytest.mark.integration
HOUR = 3600
DAY = 24 * HOUR
CST_SECONDS = 8 * HOUR


def _midnight(day: date) -> int:
    """Epoch seconds of a local (UTC+8) midnight."""
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) - CST_SECONDS


def _section(station_id: str) -> monitoring_pb2.Station:
    station = support.section(station_id)
    station.parameters.add(code="TP", unit="mg/L", interval_seconds=HOUR)
    return station


def _air(station_id: str) -> monitoring_pb2.Station:
    return monitoring_pb2.Station(
        station_id=station_id,
        name="Cixi air",
        type=monitoring_pb2.STATION_TYPE_AIR,
        location=common_pb2.GeoPoint(lat=30.18, lon=121.25),
        town="Gutang",
        parameters=[
            monitoring_pb2.MonitoredParameter(
                code=c, unit="mg/m3" if c == "CO" else "ug/m3", interval_seconds=HOUR
            )
            for c in ("SO2", "NO2", "CO", "O3", "PM10", "PM25")
        ],
    )


@pytest.fixture
def client(pg_url: str, start_service: Callable[..., RunningService]):  # type: ignore[no-untyped-def]
    """A monitoring service on PostgreSQL and (stub, metadata)."""
    service = start_service("monitoring", build, pg_url, consume_permits=False)
    return support.stub(service), call_metadata(infra.BUREAU_TOKEN)


def _register_and_send(
    client, station: monitoring_pb2.Station, batches: list[monitoring_pb2.ReadingBatch]
) -> None:  # type: ignore[no-untyped-def]
    stub, meta = client
    stub.RegisterStation(monitoring_pb2.RegisterStationRequest(station=station), metadata=meta)
    for b in batches:
        summary = stub.IngestReadings(b, metadata=meta)
        assert not summary.rejected, summary


def _history(
    start: int, end: int, interval: monitoring_pb2.Interval, station_id: str
) -> monitoring_pb2.GetHistoryRequest:
    request = monitoring_pb2.GetHistoryRequest(station_id=station_id, to=support.ts(end), interval=interval)
    getattr(request, "from").CopyFrom(support.ts(start))
    return request


def test_a_daily_mean_on_a_class_limit_gets_that_class(client) -> None:  # type: ignore[no-untyped-def]
    stub, meta = client
    sid = infra.unique("WS-")
    day = _midnight(date(2025, 5, 6))
    _register_and_send(
        client,
        _section(sid),
        [
            support.batch(sid, "NH3N", day + HOUR, [0.1, 0.2], step=4 * HOUR),
            support.batch(sid, "TP", day + HOUR, [0.1, 0.2, 0.3], step=4 * HOUR),
        ],
    )
    history = stub.GetSectionClassHistory(
        _history(day, day + DAY, monitoring_pb2.INTERVAL_DAY, sid), metadata=meta
    )
    (point,) = history.points
    got = {p.parameter: (p.mean, p.compared_mean, p.water_class) for p in point.parameters}
    assert got["NH3N"] == (0.15, "0.15", monitoring_pb2.WATER_CLASS_I)
    assert got["TP"] == (0.2, "0.2", monitoring_pb2.WATER_CLASS_III)
    assert point.water_class == monitoring_pb2.WATER_CLASS_III and point.meets_target


def test_one_hour_of_air_data_makes_no_daily_aqi_and_twenty_do(client) -> None:  # type: ignore[no-untyped-def]
    stub, meta = client
    sid = infra.unique("AIR-")
    first, second = _midnight(date(2025, 5, 6)), _midnight(date(2025, 5, 7))
    batches = []
    for code in ("SO2", "NO2", "CO", "O3", "PM10", "PM25"):
        base = 0.6 if code == "CO" else 40.0
        batches.append(support.batch(sid, code, first + 23 * HOUR, [base]))  # one reading at 23:00
        # 20 hours of the next day, 04:00-23:00, varying so no flat-line fault flags them.
        batches.append(support.batch(sid, code, second + 4 * HOUR, [base + (i % 3) * 0.1 for i in range(20)]))
    _register_and_send(client, _air(sid), batches)
    daily = stub.GetAqiHistory(_history(first, second + DAY, monitoring_pb2.INTERVAL_DAY, sid), metadata=meta)
    (invalid,) = daily.invalid
    assert invalid.start.seconds == first and "GB 3095-2012 table 4 needs 20" in invalid.reason
    (point,) = daily.points
    assert point.start.seconds == second and not point.incomplete
    assert {"PM25_24H", "PM10_24H", "SO2_24H", "NO2_24H", "CO_24H", "O3_1H"} <= {
        p.indicator for p in point.pollutants
    }
    hourly = stub.GetAqiHistory(
        _history(second + 23 * HOUR, second + DAY, monitoring_pb2.INTERVAL_HOUR, sid), metadata=meta
    )
    (last,) = hourly.points
    pm = {p.indicator: p.concentration for p in last.pollutants}
    # The 24 hours ending 23:00 hold the 20 hours 04:00-23:00: PM2.5 is their mean, named 24 h.
    assert pm["PM25_24H"] == round(sum(40.0 + (i % 3) * 0.1 for i in range(20)) / 20) and "PM25_1H" not in pm


def test_monthly_and_annual_section_classes(client) -> None:  # type: ignore[no-untyped-def]
    stub, meta = client
    sid = infra.unique("WS-")
    march, april = date(2025, 3, 1), date(2025, 4, 1)
    batches = []
    for first, days in ((march, 27), (april, 26)):
        for k in range(days):
            at = _midnight(first + timedelta(days=k)) + 2 * HOUR
            batches.append(support.batch(sid, "NH3N", at, [0.1, 0.2], step=4 * HOUR))
    _register_and_send(client, _section(sid), batches)
    monthly = stub.GetSectionClassHistory(
        _history(_midnight(march), _midnight(april) + DAY, monitoring_pb2.INTERVAL_MONTH, sid), metadata=meta
    )
    (point,) = monthly.points
    (param,) = point.parameters
    assert point.start.seconds == _midnight(march) and param.values == 27
    assert (param.compared_mean, param.water_class) == ("0.15", monitoring_pb2.WATER_CLASS_I)
    (invalid,) = monthly.invalid
    assert invalid.start.seconds == _midnight(april)
    assert invalid.reason == ("NH3N: 26 of 30 daily means; GB 3095-2012 table 4 needs 27 for a monthly mean")
    yearly = stub.GetSectionClassHistory(
        _history(_midnight(march), _midnight(march) + DAY, monitoring_pb2.INTERVAL_YEAR, sid), metadata=meta
    )
    assert list(yearly.points) == [] and "53 of 365 daily means" in yearly.invalid[0].reason
    quarterly = stub.GetSectionClassHistory(
        _history(_midnight(march), _midnight(march) + DAY, monitoring_pb2.INTERVAL_QUARTER, sid),
        metadata=meta,
    )
    assert "27 of 90 daily means" in quarterly.invalid[0].reason and "needs 79" in quarterly.invalid[0].reason
    with pytest.raises(grpc.RpcError) as refused:
        stub.GetAqiHistory(
            _history(_midnight(march), _midnight(april), monitoring_pb2.INTERVAL_MONTH, sid), metadata=meta
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert (refused.value.details() or "").startswith("interval:")
