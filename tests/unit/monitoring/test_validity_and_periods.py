"""Data validity (GB 3095-2012 table 4) on every averaged figure, hourly PM names, and monthly,
quarterly and annual section classes — issue 9, points 2, 3 and 6."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from eco.v1 import monitoring_pb2
from services.monitoring.domain import periods, validity
from services.monitoring.domain.validity import Period
from services.monitoring.entrypoints import messages
from services.monitoring.service_layer import history
from tests.unit.monitoring.support import HOUR, START_MS, Harness, air_station, water_station

DAY = 24 * HOUR
MIDNIGHT = START_MS - 8 * HOUR + DAY  # a local (UTC+8) midnight, 2025-06-02
POLLUTANTS = ("SO2", "NO2", "CO", "O3", "PM10", "PM25")


def _air_rows(hours: list[int], base: int = MIDNIGHT) -> list[tuple[str, str, int, float]]:
    """Readings of every pollutant in the given hours of the day starting at base (values vary,
    so no flat-line fault flags them)."""
    rows = []
    for i in hours:
        for code in POLLUTANTS:
            value = (0.5 + (i % 3) * 0.1) if code == "CO" else 30.0 + (i % 3)
            rows.append(("AIR-1", code, base + i * HOUR, value))
    return rows


@pytest.mark.parametrize(("have", "valid"), [(19, False), (20, True), (24, True)])
def test_a_24_hour_mean_needs_20_hourly_values(have: int, valid: bool) -> None:
    reason = validity.count_shortfall(
        have, validity.MIN_HOURS_PER_DAY, "hourly values of the day", "a 24-hour mean"
    )
    assert (reason is None) is valid
    if not valid:
        assert reason == "19 hourly values of the day; GB 3095-2012 table 4 needs 20 for a 24-hour mean"


@pytest.mark.parametrize(("readings", "valid"), [(8, False), (9, True), (12, True)])
def test_an_hourly_mean_needs_45_minutes_of_sampling(readings: int, valid: bool) -> None:
    assert (validity.hour_shortfall(readings, 300) is None) is valid  # a 5-minute analyser
    assert validity.hour_shortfall(1, 3600) is None  # an hourly reading covers its hour


@pytest.mark.parametrize(
    ("first_day", "period", "need"),
    [
        (date(2024, 2, 1), Period.MONTH, 25),
        (date(2025, 2, 1), Period.MONTH, 25),
        (date(2025, 3, 1), Period.MONTH, 27),
        (date(2025, 1, 1), Period.QUARTER, 79),
        (date(2025, 4, 1), Period.QUARTER, 81),
        (date(2025, 1, 1), Period.YEAR, 324),
    ],
)
def test_period_minimum_daily_means(first_day: date, period: Period, need: int) -> None:
    assert validity.min_days(first_day, period) == need


def test_one_hour_of_data_makes_no_daily_aqi_and_the_answer_says_why(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.register(air_station())
    h.ingest(_air_rows([23]))
    daily = messages.aqi_history(
        history.aqi_history(
            h.engine,
            station_id="AIR-1",
            start=MIDNIGHT,
            end=MIDNIGHT + DAY,
            interval=monitoring_pb2.INTERVAL_DAY,
        )
    )
    assert list(daily.points) == []
    (invalid,) = daily.invalid
    assert invalid.start.ToMilliseconds() == MIDNIGHT
    assert (
        "PM25_24H: 1 hourly values in the 24 hours ending this hour; GB 3095-2012 table 4 needs 20"
        in invalid.reason
    )
    assert "O3_1H (daily maximum): 1 hourly values of the day" in invalid.reason


@pytest.mark.parametrize(("hours", "valid"), [(19, False), (20, True), (24, True)])
def test_daily_aqi_with_19_20_and_24_hours(tmp_path: Path, hours: int, valid: bool) -> None:
    h = Harness(tmp_path)
    h.register(air_station())
    h.ingest(_air_rows(list(range(24 - hours, 24))))
    daily = messages.aqi_history(
        history.aqi_history(
            h.engine,
            station_id="AIR-1",
            start=MIDNIGHT,
            end=MIDNIGHT + DAY,
            interval=monitoring_pb2.INTERVAL_DAY,
        )
    )
    (point,) = daily.points
    if not valid:
        # No 24-hour figure from 19 hours; only the O3 8-hour maximum stands (14 of its 17 means
        # ending 08:00-24:00 have 6 hours, HJ 663-2013), and the point says what was left out.
        assert [p.indicator for p in point.pollutants] == ["O3_8H"] and point.incomplete
        assert len(point.notes) == 6 and "PM25_24H: 19 hourly values" in " ".join(point.notes)
        return
    indicators = {p.indicator for p in point.pollutants}
    assert {"SO2_24H", "NO2_24H", "CO_24H", "PM10_24H", "PM25_24H", "O3_1H"} <= indicators
    # 8-hour O3 means ending 08:00-24:00 need 6 hours each and 14 of them (HJ 663-2013): with 20
    # hours from 04:00 the means ending 08:00-09:00 lack hours, so 15 of 17 are valid.
    assert "O3_8H" in indicators and not point.incomplete and list(point.notes) == []


def test_hourly_pm_is_the_24_hour_moving_mean_named_for_it(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.register(air_station())
    rows = [("AIR-1", "PM25", MIDNIGHT + i * HOUR, 20.0 + (i % 4)) for i in range(24)]
    rows.append(("AIR-1", "PM25", MIDNIGHT + 24 * HOUR, 300.0))  # one bad hour after a clean day
    h.ingest(rows)
    points = messages.aqi_history(
        history.aqi_history(
            h.engine,
            station_id="AIR-1",
            start=MIDNIGHT,
            end=MIDNIGHT + 25 * HOUR,
            interval=monitoring_pb2.INTERVAL_HOUR,
        )
    )
    # Hours 0-18 have under 20 values in their 24 h window: left out, each with the reason.
    assert len(points.invalid) == 19 and "PM25_24H: 19 hourly values" in points.invalid[-1].reason
    last = points.points[-1]
    assert last.start.ToMilliseconds() == MIDNIGHT + 24 * HOUR
    [(indicator, concentration)] = [(p.indicator, p.concentration) for p in last.pollutants]
    # The mean of hours 1..24: (23 x ~21.5 + 300) / 24, not the hour's 300.
    expected = round((sum(20.0 + (i % 4) for i in range(1, 24)) + 300.0) / 24)
    assert indicator == "PM25_24H" and concentration == expected != 300.0


def _daily_water(h: Harness, first: date, days: int, value: float = 0.5) -> None:
    rows = []
    for k in range(days):
        at = periods.day_start_ms(first + timedelta(days=k)) + 2 * HOUR
        rows.append(("WS-1", "NH3N", at, value + (k % 3) * 0.01))
    h.ingest(rows)


@pytest.mark.parametrize(
    ("first", "days", "interval", "valid"),
    [
        (date(2025, 3, 1), 26, monitoring_pb2.INTERVAL_MONTH, False),
        (date(2025, 3, 1), 27, monitoring_pb2.INTERVAL_MONTH, True),
        (date(2024, 2, 1), 24, monitoring_pb2.INTERVAL_MONTH, False),
        (date(2024, 2, 1), 25, monitoring_pb2.INTERVAL_MONTH, True),
        (date(2025, 4, 1), 80, monitoring_pb2.INTERVAL_QUARTER, False),
        (date(2025, 4, 1), 81, monitoring_pb2.INTERVAL_QUARTER, True),
        (date(2025, 1, 1), 323, monitoring_pb2.INTERVAL_YEAR, False),
        (date(2025, 1, 1), 324, monitoring_pb2.INTERVAL_YEAR, True),
    ],
)
def test_monthly_quarterly_annual_classes_need_their_daily_means(
    tmp_path: Path, first: date, days: int, interval: int, valid: bool
) -> None:
    h = Harness(tmp_path)
    h.clock.set(datetime(2026, 6, 1, tzinfo=UTC))  # readings in the future would be refused
    h.register(water_station(codes=("NH3N",)))
    _daily_water(h, first, days)
    start = periods.day_start_ms(first)
    result = messages.section_class_history(
        history.section_classes(h.engine, station_id="WS-1", start=start, end=start + HOUR, interval=interval)
    )
    if not valid:
        (invalid,) = result.invalid
        assert list(result.points) == [] and invalid.start.ToMilliseconds() == start
        assert (
            invalid.reason.startswith(f"NH3N: {days} of ") and "GB 3095-2012 table 4 needs" in invalid.reason
        )
        return
    (point,) = result.points
    (param,) = point.parameters
    assert point.start.ToMilliseconds() == start and param.values == days
    assert param.water_class == monitoring_pb2.WATER_CLASS_II and param.compared_mean == "0.5"


def test_a_month_is_the_exact_mean_of_its_daily_means(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.register(water_station(codes=("NH3N",)))
    first = date(2025, 3, 1)
    rows = []
    for k in range(31):
        day = periods.day_start_ms(first + timedelta(days=k))
        # Day means alternate 0.1 and 0.2 (day 0 has two readings, 0.1 and 0.1, weighing as one day).
        value = 0.1 if k % 2 == 0 else 0.2
        rows += [("WS-1", "NH3N", day + HOUR, value), ("WS-1", "NH3N", day + 5 * HOUR, value)]
    rows.append(("WS-1", "NH3N", periods.day_start_ms(date(2025, 3, 31)) + 9 * HOUR, 0.2))
    h.ingest(rows)
    start = periods.day_start_ms(first)
    (point,) = messages.section_class_history(
        history.section_classes(
            h.engine, station_id="WS-1", start=start, end=start + DAY, interval=monitoring_pb2.INTERVAL_MONTH
        )
    ).points
    (param,) = point.parameters
    # Day 31: (0.1 + 0.1 + 0.2) / 3; the month: (15 x 0.2 + 15 x 0.1 + 0.4/3) / 31 = 0.1495... -> 0.15
    assert param.values == 31 and param.compared_mean == "0.15"
    assert param.water_class == monitoring_pb2.WATER_CLASS_I


def test_an_unknown_interval_is_refused(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.register(water_station())
    with pytest.raises(Exception, match="interval"):
        messages.section_class_history(
            history.section_classes(
                h.engine, station_id="WS-1", start=MIDNIGHT, end=MIDNIGHT + DAY, interval=9
            )
        )
