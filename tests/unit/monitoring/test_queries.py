"""Queries: time series with coverage, section class history, AQI history, status, coverage KPI."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from eco.v1 import monitoring_pb2
from services.monitoring.entrypoints import messages
from services.monitoring.service_layer import history, queries
from shared.errors import InvalidArgument, NotFound
from tests.unit.monitoring.support import HOUR, START_MS, Harness, air_station, source_station, water_station

DAY = 24 * HOUR
CST = 8 * HOUR


def test_time_series_reports_mean_min_max_and_coverage(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.register(water_station())  # every 4 h: 6 readings expected per day
    day_start = START_MS - CST + DAY  # a local (UTC+8) midnight
    h.ingest([("WS-1", "NH3N", day_start + i * 4 * HOUR, v) for i, v in enumerate([0.2, 0.4, 0.6])])
    series = messages.time_series(
        queries.time_series(
            h.engine,
            station_id="WS-1",
            parameter="NH3N",
            start=day_start,
            end=day_start + 2 * DAY,
            interval=monitoring_pb2.INTERVAL_DAY,
        )
    )
    first, second = series.points
    assert (first.received, first.expected, first.min, first.max) == (3, 6, 0.2, 0.6)
    assert first.mean == pytest.approx(0.4) and first.coverage == pytest.approx(0.5)
    assert (second.received, second.coverage) == (0, 0.0)
    with pytest.raises(InvalidArgument):
        messages.time_series(
            queries.time_series(
                h.engine,
                station_id="WS-1",
                parameter="PM25",
                start=day_start,
                end=day_start + DAY,
                interval=1,
            )
        )
    with pytest.raises(NotFound):
        messages.time_series(
            queries.time_series(
                h.engine,
                station_id="nope",
                parameter="NH3N",
                start=day_start,
                end=day_start + DAY,
                interval=1,
            )
        )


def test_section_class_history_is_the_worst_parameter_per_bucket(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.register(water_station())
    h.ingest([("WS-1", "NH3N", START_MS, 0.4), ("WS-1", "DO", START_MS, 4.0), ("WS-1", "TP", START_MS, 0.15)])
    h.ingest([("WS-1", "NH3N", START_MS + HOUR, 0.1), ("WS-1", "DO", START_MS + HOUR, 8.0)])
    result = messages.section_class_history(
        history.section_classes(
            h.engine, station_id="WS-1", start=START_MS, end=START_MS + 2 * HOUR, interval=1
        )
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
    for i in range(-24, 24):  # the day before feeds the hourly 24 h moving means
        t = day + i * HOUR
        rows += [
            ("AIR-1", "PM25", t, 75.0 + (i % 2)),
            ("AIR-1", "NO2", t, 40.0 + (i % 3)),
            ("AIR-1", "O3", t, 100.0 + (i % 3)),
        ]
    h.ingest(rows)
    hourly = messages.aqi_history(
        history.aqi_history(h.engine, station_id="AIR-1", start=day, end=day + 2 * HOUR, interval=1)
    )
    # PM2.5 is indexed by its 24 h moving mean, 75.5, published as 76 (GB/T 8170: half to even):
    # 50 / 40 * 1 + 100 = 101.25, rounded up. The hour's own 75 or 76 is not indexed.
    assert [p.aqi for p in hourly.points] == [102, 102]
    assert list(hourly.points[0].primary_pollutants) == ["PM2.5"]
    indexed = {p.indicator: p.concentration for p in hourly.points[0].pollutants}
    assert indexed["PM25_24H"] == 76.0 and "PM25_1H" not in indexed
    daily = messages.aqi_history(
        history.aqi_history(h.engine, station_id="AIR-1", start=day, end=day + DAY, interval=2)
    )
    (point,) = daily.points
    assert point.aqi == 102 and point.level == monitoring_pb2.AQI_LEVEL_LIGHT and not point.incomplete
    with pytest.raises(InvalidArgument):
        messages.aqi_history(
            history.aqi_history(h.engine, station_id="AIR-1", start=day, end=day - 1, interval=1)
        )


def test_status_and_coverage_kpi_use_the_latest_readings(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    for sid in ("WS-1", "WS-2", "WS-3"):
        h.register(water_station(sid))
    h.register(water_station("WS-TOWN", county=False))
    now_ms = int(h.clock.now().timestamp() * 1000)
    h.ingest([("WS-1", "NH3N", now_ms - HOUR, 1.2), ("WS-1", "DO", now_ms - HOUR, 7.0)])
    h.ingest([("WS-2", "NH3N", now_ms - 30 * HOUR, 0.3)])
    coverage = messages.section_coverage(queries.section_coverage(h.engine, h.clock))
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
    assert messages.section_coverage(queries.section_coverage(h.engine, h.clock)).numerator == 0


def test_daily_o3_8h_uses_only_the_means_ending_0800_to_2400_of_the_day(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.register(air_station())
    day = START_MS - CST + DAY  # a local midnight
    rows = []
    for i in range(-24, 24):  # an evening of 250 the day before, then ~40 all day
        t = day + i * HOUR
        o3 = 250.0 if -8 <= i < 0 else 40.0
        rows += [("AIR-1", "O3", t, o3 + (i % 3) * 0.1), ("AIR-1", "PM25", t, 20.0 + (i % 3) * 0.1)]
    h.ingest(rows)
    (point,) = messages.aqi_history(
        history.aqi_history(h.engine, station_id="AIR-1", start=day, end=day + DAY, interval=2)
    ).points
    o3_8h = {p.indicator: p.concentration for p in point.pollutants}["O3_8H"]
    assert 40.0 <= o3_8h <= 40.2  # not the 224 of the 8 h means reaching into the evening before
    assert point.aqi == 29 and list(point.primary_pollutants) == []  # PM2.5 20.1 -> 29 sets it


def test_so2_above_800_is_indexed_by_a_valid_24h_mean_or_left_out_with_the_reason(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.register(air_station())
    hour = START_MS + 30 * HOUR
    # 19 hours of SO2 before the hour of 900: with it, 20 of 24 make a valid 24 h mean.
    h.ingest([("AIR-1", "SO2", hour - i * HOUR, 300.0 + i) for i in range(1, 20)])
    h.ingest([("AIR-1", "SO2", hour, 900.0), ("AIR-1", "NO2", hour, 50.0)])
    (point,) = messages.aqi_history(
        history.aqi_history(h.engine, station_id="AIR-1", start=hour, end=hour + HOUR, interval=1)
    ).points
    indexed = {p.indicator: (p.concentration, p.iaqi) for p in point.pollutants}
    # (301 + ... + 319 + 900) / 20 = 339.5 -> 340 (half to even); 100 + 50 / 325 * 190 = 129.2 -> 130.
    assert indexed["SO2_24H"] == (340.0, 130) and "SO2_1H" not in indexed and not point.incomplete

    h2 = Harness(tmp_path, db_name="short.db")
    h2.register(air_station())
    h2.ingest([("AIR-1", "SO2", hour - i * HOUR, 300.0 + i) for i in range(1, 19)])
    h2.ingest([("AIR-1", "SO2", hour, 900.0), ("AIR-1", "NO2", hour, 50.0)])
    (point,) = messages.aqi_history(
        history.aqi_history(h2.engine, station_id="AIR-1", start=hour, end=hour + HOUR, interval=1)
    ).points
    # 19 of 24: no 24 h mean is made from what there is; SO2 is left out and the point says why.
    assert [p.indicator for p in point.pollutants] == ["NO2_1H"] and point.incomplete
    assert list(point.notes) == [
        "SO2_24H: 19 hourly values in the 24 hours ending this hour; "
        "GB 3095-2012 table 4 needs 20 for a 24-hour mean"
    ]


def test_coverage_of_a_slow_series_in_fine_buckets_is_fractional(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.register(water_station())  # every 4 h
    day = START_MS - CST + DAY
    h.ingest([("WS-1", "NH3N", day + i * 4 * HOUR, 0.3) for i in range(3)])  # half a day's six
    series = messages.time_series(
        queries.time_series(
            h.engine, station_id="WS-1", parameter="NH3N", start=day, end=day + DAY, interval=1
        )
    )
    assert len(series.points) == 24 and {p.expected_readings for p in series.points} == {0.25}
    assert [p.coverage for p in series.points[:5]] == [1.0, 0.0, 0.0, 0.0, 1.0]
    assert (series.received, series.expected, series.coverage) == (3, 6.0, 0.5)


def test_coverage_kpi_ignores_flagged_readings_and_is_undefined_without_sections(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    empty = messages.section_coverage(queries.section_coverage(h.engine, h.clock))
    assert empty.undefined and empty.denominator == 0 and "undefined" in empty.note
    h.register(water_station("WS-1"))
    h.register(water_station("WS-2"))
    now_ms = int(h.clock.now().timestamp() * 1000)
    h.ingest([("WS-1", "NH3N", now_ms - HOUR, 0.4)])
    h.ingest([("WS-2", "NH3N", now_ms - HOUR, 0.4, 1), ("WS-2", "DO", now_ms - HOUR, -1.0)])  # flagged
    coverage = messages.section_coverage(queries.section_coverage(h.engine, h.clock))
    assert not coverage.undefined and coverage.note == ""
    assert (coverage.numerator, coverage.denominator, list(coverage.silent_station_ids)) == (1, 2, ["WS-2"])


def test_status_says_when_an_outlet_has_no_permit_limits_yet(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.register(source_station())
    h.register(water_station())
    statuses, _ = queries.station_status(
        h.engine, h.clock, station_type=None, station_ids=[], after="", limit=10
    )
    assert {s.station.station_id: list(s.notes) for s in statuses} == {
        "SRC-1": [queries.NO_PERMIT_YET],
        "WS-1": [],
    }
