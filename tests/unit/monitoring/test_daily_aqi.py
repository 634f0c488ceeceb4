"""Daily AQI of closed China-time days (DailyAqiComputed): when a day closes (16:00 UTC), that each
day goes out once through the outbox with its mark, a restart repeats nothing, an invalid day says
so, and late readings publish a corrected figure under the same key with the next revision."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from eco.v1 import monitoring_pb2
from services.monitoring.domain import day_close
from services.monitoring.service_layer.daily_aqi import publish_closed_days
from tests.unit.monitoring.support import HOUR, Harness, air_station

BASE = {"SO2": 9.0, "NO2": 32.0, "CO": 0.7, "O3": 95.0, "PM10": 62.0, "PM25": 50.0}


@pytest.mark.parametrize(
    ("day", "before"),
    [
        (date(2027, 1, 1), date(2026, 12, 31)),
        (date(2028, 2, 29), date(2028, 2, 28)),
        (date(2026, 12, 1), date(2026, 11, 30)),
        (date(2026, 12, 31), date(2026, 12, 30)),
    ],
)
def test_a_china_day_closes_at_1600_utc(day: date, before: date) -> None:
    closing = datetime(day.year, day.month, day.day, 16, 0, tzinfo=UTC)
    just_before = closing - timedelta(microseconds=1)
    assert not day_close.is_closed(day, just_before)
    assert day_close.last_closed_day(just_before) == before
    assert day_close.is_closed(day, closing)
    assert day_close.last_closed_day(closing) == day
    # The day began at 16:00 UTC the evening before (00:00 UTC+8).
    assert day_close.day_start_ms(day) == int((closing - timedelta(days=1)).timestamp() * 1000)


def test_days_to_close_are_the_last_closed_days_of_a_window() -> None:
    now = datetime(2027, 1, 1, 16, 30, tzinfo=UTC)  # 2 January 00:30 in Cixi
    assert day_close.days_to_close(now, days_back=3) == [
        date(2026, 12, 30),
        date(2026, 12, 31),
        date(2027, 1, 1),
    ]
    registered = datetime(2026, 12, 31, 15, 0, tzinfo=UTC)  # 23:00 on 31 December in Cixi
    assert day_close.before_registration(date(2026, 12, 30), registered)
    assert not day_close.before_registration(date(2026, 12, 31), registered)


def test_a_day_before_registration_goes_out_only_with_back_filled_readings(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.clock.set(LEAP_START + timedelta(days=1, hours=2))  # 1 March 10:00 in Cixi
    h.register(air_station())
    assert publish_closed_days(h.ctx, days_back=3) == 0  # 27-29 February: before it existed, no data
    h.ingest(_day_rows(range(24), BASE))  # 29 February, sent after registration
    assert publish_closed_days(h.ctx, days_back=3) == 1
    assert [(p.date, p.valid, p.aqi) for p in _daily(h)] == [("2028-02-29", True, 69)]


# 29 February 2028 in Cixi runs from 28 February 16:00 UTC to 29 February 16:00 UTC.
LEAP_DAY = date(2028, 2, 29)
LEAP_START = datetime(2028, 2, 28, 16, 0, tzinfo=UTC)
LEAP_START_MS = int(LEAP_START.timestamp() * 1000)


def _day_rows(hours: range, values: dict[str, float]) -> list[tuple[str, str, int, float]]:
    """Hourly readings around each value (-d, 0, +d by hour, so every 3 hours average to it and no
    flat line is flagged); d is 0.1 for CO (mg/m3) and 1 for the others."""
    return [
        ("AIR-1", code, LEAP_START_MS + h * HOUR, round(v + (h % 3 - 1) * (0.1 if code == "CO" else 1), 1))
        for h in hours
        for code, v in values.items()
    ]


def _daily(h: Harness) -> list[monitoring_pb2.DailyAqiComputed]:
    found = [p for _, p in h.events("DailyAqiComputed")]
    assert all(isinstance(p, monitoring_pb2.DailyAqiComputed) for p in found)
    return found  # type: ignore[return-value]


def test_each_closed_day_goes_out_once_and_a_restart_repeats_nothing(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.clock.set(LEAP_START - timedelta(hours=1))  # 28 February 23:00 in Cixi
    h.register(air_station())
    h.clock.set(LEAP_START + timedelta(hours=23, minutes=59))
    rows = _day_rows(range(24), {c: v for c, v in BASE.items() if c != "PM25"})
    rows += _day_rows(range(21), {"PM25": BASE["PM25"]})  # hours 21-23 of PM2.5 come late
    h.ingest(rows)

    # 28 February (registration day, no readings) has closed; 29 February has not yet.
    assert publish_closed_days(h.ctx, days_back=3) == 1
    (feb28,) = _daily(h)
    assert (feb28.date, feb28.valid, feb28.revision) == ("2028-02-28", False, 1)
    assert "no readings" in feb28.invalid_reason

    h.clock.set(LEAP_START + timedelta(days=1))  # 16:00 UTC: 29 February has closed
    assert publish_closed_days(h.ctx, days_back=3) == 1
    leap = _daily(h)[-1]
    # By hand (HJ 633-2012 table 1): PM2.5 50 -> 50 + (100-50)/(75-35) x (50-35) = 68.75 -> 69;
    # PM10 62 -> 56, NO2 32 -> 40, O3 8 h 95 -> 48, O3 1 h max 96 -> 30, CO 0.7 -> 18, SO2 9 -> 9.
    assert (leap.date, leap.valid, leap.aqi, leap.level) == (
        "2028-02-29",
        True,
        69,
        monitoring_pb2.AQI_LEVEL_GOOD,
    )
    assert list(leap.primary_pollutants) == ["PM2.5"] and leap.revision == 1
    assert (leap.station_id, leap.town) == ("AIR-1", "Gutang")

    assert publish_closed_days(h.ctx, days_back=3) == 0
    assert publish_closed_days(h.restart().ctx, days_back=3) == 0
    assert len(_daily(h)) == 2
    # The mark and the event committed together: one mark per published day.
    assert h.scalar("SELECT count(*) FROM daily_aqi") == 2


def test_late_readings_publish_a_corrected_figure_with_the_next_revision(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.clock.set(LEAP_START)
    h.register(air_station())
    h.clock.set(LEAP_START + timedelta(days=1, hours=2))
    h.ingest(_day_rows(range(24), {c: v for c, v in BASE.items() if c != "PM25"}))
    h.ingest(_day_rows(range(19), {"PM25": BASE["PM25"]}))
    assert publish_closed_days(h.ctx, days_back=3) == 1
    first = _daily(h)[-1]
    # 19 hourly PM2.5 values: GB 3095-2012 table 4 needs 20 for a 24-hour mean, so no daily AQI.
    assert (first.valid, first.aqi, first.revision) == (False, 0, 1)
    assert "PM25_24H" in first.invalid_reason and "19" in first.invalid_reason

    h.ingest(_day_rows(range(19, 21), {"PM25": BASE["PM25"]}))
    assert publish_closed_days(h.ctx, days_back=3) == 1
    second = _daily(h)[-1]
    assert (second.date, second.valid, second.aqi, second.revision) == ("2028-02-29", True, 69, 2)

    h.ingest(_day_rows(range(21, 24), {"PM25": 130.0}))
    assert publish_closed_days(h.ctx, days_back=3) == 1
    third = _daily(h)[-1]
    # PM2.5 mean (21 x 50 + 3 x 130) / 24 = 60 -> 50 + 50/40 x 25 = 81.25 -> 82.
    assert (third.aqi, third.revision) == (82, 3)
    with h.engine.connect() as conn:
        mark = conn.execute(sa.text("SELECT revision, aqi FROM daily_aqi WHERE station_id = 'AIR-1'")).one()
    assert tuple(mark) == (3, 82)
    assert publish_closed_days(h.ctx, days_back=3) == 0


def test_a_day_older_than_the_window_is_not_corrected(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.clock.set(LEAP_START)
    h.register(air_station())
    h.clock.set(LEAP_START + timedelta(days=1, hours=2))
    h.ingest(_day_rows(range(24), BASE))
    assert publish_closed_days(h.ctx, days_back=1) == 1
    h.clock.set(LEAP_START + timedelta(days=2, hours=2))
    # 1 March has closed with no readings; 29 February is out of a one-day window.
    assert publish_closed_days(h.ctx, days_back=1) == 1
    assert [(p.date, p.valid) for p in _daily(h)] == [("2028-02-29", True), ("2028-03-01", False)]
