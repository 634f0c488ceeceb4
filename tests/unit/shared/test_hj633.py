"""HJ 633-2012 IAQI at breakpoints, primary pollutants, and the SO2 / O3 8 h substitutions."""

from __future__ import annotations

import pytest

from shared.hj633 import BREAKPOINTS, AqiLevel, daily_aqi, hourly_aqi, iaqi, level

# REFERENCE.md's copy of HJ 633-2012 table 1, typed in again here (not read from the code), so the
# code's table is checked against the standard rather than against itself. None: the row stops.
IAQI = (0, 50, 100, 150, 200, 300, 400, 500)
TABLE: dict[str, tuple[float | None, ...]] = {
    "SO2_24H": (0, 50, 150, 475, 800, 1600, 2100, 2620),
    "SO2_1H": (0, 150, 500, 650, 800, None, None, None),
    "NO2_24H": (0, 40, 80, 180, 280, 565, 750, 940),
    "NO2_1H": (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    "PM10_24H": (0, 50, 150, 250, 350, 420, 500, 600),
    "CO_24H": (0, 2, 4, 14, 24, 36, 48, 60),
    "CO_1H": (0, 5, 10, 35, 60, 90, 120, 150),
    "O3_1H": (0, 160, 200, 300, 400, 800, 1000, 1200),
    "O3_8H": (0, 100, 160, 215, 265, 800, None, None),
    "PM25_24H": (0, 35, 75, 115, 150, 250, 350, 500),
}


def _cases() -> list[tuple[str, float, int | None]]:
    """At each breakpoint, and a hundredth of the neighbouring segment below and above it.

    A hundredth of a segment is half an index point (segments of 50) or one point (segments of 100):
    below the breakpoint the index rounds up to IAQI_i - 0 or IAQI_i - 1, above it to IAQI_i + 1.
    Above the last breakpoint a full row is capped at 500 and a row that stops early has no index.
    """
    cases: list[tuple[str, float, int | None]] = []
    for indicator, row in TABLE.items():
        points = [c for c in row if c is not None]
        for i, bp in enumerate(points):
            cases.append((indicator, bp, IAQI[i]))
            if i > 0:
                step = IAQI[i] - IAQI[i - 1]
                below = bp - (bp - points[i - 1]) / 100
                cases.append((indicator, below, IAQI[i] - (1 if step == 100 else 0)))
            if i + 1 < len(points):
                cases.append((indicator, bp + (points[i + 1] - bp) / 100, IAQI[i] + 1))
            else:
                cases.append((indicator, bp * 1.01, 500 if len(points) == len(IAQI) else None))
    return cases


def test_the_code_holds_the_reference_table() -> None:
    assert {k: tuple(v for v in row if v is not None) for k, row in TABLE.items()} == {
        k: tuple(row) for k, row in BREAKPOINTS.items()
    }


@pytest.mark.parametrize(("indicator", "concentration", "expected"), _cases())
def test_iaqi_at_and_on_both_sides_of_every_breakpoint(
    indicator: str, concentration: float, expected: int | None
) -> None:
    assert iaqi(indicator, concentration) == expected


@pytest.mark.parametrize(
    ("indicator", "concentration", "expected"),
    [
        ("PM25_24H", 0, 0),
        ("PM25_24H", 35, 50),
        ("PM25_24H", 75, 100),
        ("PM25_24H", 115, 150),
        ("PM25_24H", 500, 500),
        ("PM25_24H", 36, 52),  # 50/40*1 + 50 = 51.25, rounded up
        ("SO2_1H", 150, 50),
        ("SO2_1H", 800, 200),
        ("NO2_1H", 200, 100),
        ("CO_1H", 10, 100),
        ("O3_1H", 200, 100),
        ("O3_8H", 160, 100),
        ("O3_8H", 800, 300),
        ("PM10_24H", 600, 500),
        ("SO2_24H", 2620, 500),
    ],
)
def test_iaqi_at_breakpoints(indicator: str, concentration: float, expected: int) -> None:
    assert iaqi(indicator, concentration) == expected


def test_rows_that_end_early_give_no_index_above_their_end() -> None:
    assert iaqi("SO2_1H", 801) is None
    assert iaqi("O3_8H", 801) is None
    assert iaqi("PM25_24H", 700) == 500  # a full row is capped at the top of the scale


@pytest.mark.parametrize(
    ("aqi", "expected"),
    [
        (50, AqiLevel.EXCELLENT),
        (51, AqiLevel.GOOD),
        (100, AqiLevel.GOOD),
        (101, AqiLevel.LIGHT),
        (200, AqiLevel.MODERATE),
        (300, AqiLevel.HEAVY),
        (301, AqiLevel.SEVERE),
    ],
)
def test_levels(aqi: int, expected: AqiLevel) -> None:
    assert level(aqi) == expected


def test_primary_pollutant_only_above_50_and_ties_all_named() -> None:
    clean = hourly_aqi({"PM25": 30, "NO2": 50})
    assert clean is not None and clean.aqi == 43 and clean.primary_pollutants == []
    tie = hourly_aqi({"PM25": 75, "PM10": 150, "NO2": 100})
    assert tie is not None and tie.aqi == 100
    assert sorted(tie.primary_pollutants) == ["PM10", "PM2.5"]


def test_so2_1h_above_800_uses_the_24h_value() -> None:
    result = hourly_aqi({"SO2": 900}, so2_24h=475)
    assert result is not None
    assert [(p.indicator, p.iaqi) for p in result.pollutants] == [("SO2_24H", 150)]
    assert result.primary_pollutants == ["SO2"]
    at_800 = hourly_aqi({"SO2": 800}, so2_24h=475)
    assert at_800 is not None and at_800.pollutants[0].indicator == "SO2_1H" and at_800.aqi == 200


def test_o3_8h_above_800_is_taken_from_the_1h_value() -> None:
    result = hourly_aqi({"O3": 1000}, o3_8h=850)
    assert result is not None
    assert [p.indicator for p in result.pollutants] == ["O3_1H"]
    assert result.aqi == 400
    daily = daily_aqi({"PM25": 20}, o3_1h_max=1000, o3_8h_max=850)
    assert daily is not None and daily.aqi == 400 and "O3_8H" not in [p.indicator for p in daily.pollutants]
    normal = daily_aqi({"PM25": 20}, o3_1h_max=150, o3_8h_max=215)
    assert normal is not None and normal.aqi == 150 and normal.primary_pollutants == ["O3"]
