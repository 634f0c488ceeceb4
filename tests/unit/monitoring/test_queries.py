"""Queries: time series with coverage, section class history, AQI history, status, coverage KPI."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from eco.v1 import monitoring_pb2
from services.monitoring.service_layer import history, queries
from shared.errors import InvalidArgument, NotFound
from tests.unit.monitoring.support import HOUR, START_MS, Harness, air_station, water_station

DAY = 24 * HOUR
CST = 8 * HOUR


def test_time_series_reports_mean_min_max_and_coverage(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.register(water_station())  # every 4 h: 6 readings expected per day
    day_start = START_MS - CST + DAY  # a local (UTC+8) midnight
    h.ingest([("WS-1", "NH3N", day_start + i * 4 * HOUR, v) for i, v in enumerate([0.2, 0.4, 0.6])])
    series = queries.time_series(
        h.engine,
        station_id="WS-1",
        parameter="NH3N",
        start=day_start,
        end=day_start + 2 * DAY,
        interval=monitoring_pb2.INTERVAL_DAY,
    )
    first, second = series.points
    assert (first.received, first.expected, first.min, first.max) == (3, 6, 0.2, 0.6)
    assert first.mean == pytest.approx(0.4) and first.coverage == pytest.approx(0.5)
    assert (second.received, second.coverage) == (0, 0.0)
    with pytest.raises(InvalidArgument):
        queries.time_series(
            h.engine, station_id="WS-1", parameter="PM25", start=day_start, end=day_start + DAY, interval=1
        )
    with pytest.raises(NotFound):
        queries.time_series(
            h.engine, station_id="nope", parameter="NH3N", start=day_start, end=day_start + DAY, interval=1
        )


def test_section_class_history_is_the_worst_parameter_per_bucket(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.register(water_station())
    h.ingest([("WS-1", "NH3N", START_MS, 0.4), ("WS-1", "DO", START_MS, 4.0), ("WS-1", "TP", START_MS, 0.15)])
    h.ingest([("WS-1", "NH3N", START_MS + HOUR, 0.1), ("WS-1", "DO", START_MS + HOUR, 8.0)])
    result = history.section_classes(
        h.engine, station_id="WS-1", start=START_MS, end=START_MS + 2 * HOUR, interval=1
    )
    first, second = result.points
    assert first.water_class == monitoring_pb2.WATER_CLASS_IV and list(first.worst_parameters) == ["DO"]
    assert not first.meets_target
    assert second.water_class == monitoring_pb2.WATER_CLASS_I and second.meets_target


def test_hourly_and_daily_aqi(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.register(air_station())
    day = START_MS - CST + DAY
    rows = []
    for i in range(24):
        t = day + i * HOUR
        rows += [("AIR-1", "PM25", t, 75.0 + (i % 2)), ("AIR-1", "NO2", t, 40.0), ("AIR-1", "O3", t, 100.0)]
    h.ingest(rows)
    hourly = history.aqi_history(h.engine, station_id="AIR-1", start=day, end=day + 2 * HOUR, interval=1)
    assert [p.aqi for p in hourly.points] == [100, 102]  # PM2.5 75 -> 100, 76 -> 101.25 rounded up
    assert list(hourly.points[0].primary_pollutants) == ["PM2.5"]
    daily = history.aqi_history(h.engine, station_id="AIR-1", start=day, end=day + DAY, interval=2)
    (point,) = daily.points
    assert point.aqi == 101 and point.level == monitoring_pb2.AQI_LEVEL_LIGHT  # 24 h PM2.5 mean 75.5 -> 100.6
    with pytest.raises(InvalidArgument):
        history.aqi_history(h.engine, station_id="AIR-1", start=day, end=day - 1, interval=1)


def test_status_and_coverage_kpi_use_the_latest_readings(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    for sid in ("WS-1", "WS-2", "WS-3"):
        h.register(water_station(sid))
    h.register(water_station("WS-TOWN", county=False))
    now_ms = int(h.clock.now().timestamp() * 1000)
    h.ingest([("WS-1", "NH3N", now_ms - HOUR, 1.2), ("WS-1", "DO", now_ms - HOUR, 7.0)])
    h.ingest([("WS-2", "NH3N", now_ms - 30 * HOUR, 0.3)])
    coverage = queries.section_coverage(h.engine, h.clock)
    assert (coverage.numerator, coverage.denominator) == (1, 3)
    assert coverage.value == pytest.approx(1 / 3) and coverage.target == 1.0
    assert sorted(coverage.silent_station_ids) == ["WS-2", "WS-3"]
    statuses, _ = queries.station_status(
        h.engine, h.clock, station_type=None, station_ids=["WS-1", "WS-2"], after="", limit=10
    )
    ws1, ws2 = statuses
    assert ws1.reporting and ws1.water_class == monitoring_pb2.WATER_CLASS_IV
    assert {p.parameter: p.water_class for p in ws1.parameters} == {"NH3N": 4, "DO": 2}
    assert not ws2.reporting
    h.clock.advance(timedelta(hours=24))
    assert queries.section_coverage(h.engine, h.clock).numerator == 0
