"""Air quality index by HJ 633-2012 (tables 1 and 2, sections 5.1-5.3): the pure standard, shared by
monitoring (each station's hourly and daily AQI) and evaluation (the city's daily AQI of HJ 663-2013)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from fractions import Fraction

from shared import exact

# HJ 633-2012 table 1: IAQI breakpoints shared by every row.
IAQI_STEPS = (0, 50, 100, 150, 200, 300, 400, 500)

# HJ 633-2012 table 1: concentration breakpoints (ug/m3; CO in mg/m3). Rows end where the table does.
BREAKPOINTS: dict[str, tuple[float, ...]] = {
    "SO2_24H": (0, 50, 150, 475, 800, 1600, 2100, 2620),
    "SO2_1H": (0, 150, 500, 650, 800),
    "NO2_24H": (0, 40, 80, 180, 280, 565, 750, 940),
    "NO2_1H": (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    "PM10_24H": (0, 50, 150, 250, 350, 420, 500, 600),
    "CO_24H": (0, 2, 4, 14, 24, 36, 48, 60),
    "CO_1H": (0, 5, 10, 35, 60, 90, 120, 150),
    "O3_1H": (0, 160, 200, 300, 400, 800, 1000, 1200),
    "O3_8H": (0, 100, 160, 215, 265, 800),
    "PM25_24H": (0, 35, 75, 115, 150, 250, 350, 500),
}

# The pollutant each indicator measures, as primary pollutants are named.
POLLUTANT = {
    "SO2_24H": "SO2",
    "SO2_1H": "SO2",
    "NO2_24H": "NO2",
    "NO2_1H": "NO2",
    "PM10_24H": "PM10",
    "CO_24H": "CO",
    "CO_1H": "CO",
    "O3_1H": "O3",
    "O3_8H": "O3",
    "PM25_24H": "PM2.5",
}

# The measured parameter (the code readings carry) each indicator is a figure of.
PARAMETER = {indicator: indicator.split("_")[0] for indicator in BREAKPOINTS}
# Published decimals (HJ 663-2013): integers for ug/m3, one decimal for CO in mg/m3. The breakpoints of
# table 1 are integers, so a concentration is rounded as published before it is indexed.
PUBLISHED_DECIMALS = {"SO2": 0, "NO2": 0, "CO": 1, "O3": 0, "PM10": 0, "PM25": 0}


def published(code: str, value: Fraction) -> Fraction:
    """A concentration of parameter `code` rounded as published (GB/T 8170-2008 rounding, half to even)."""
    return exact.round_half_even(value, PUBLISHED_DECIMALS[code])


class AqiLevel(IntEnum):
    """HJ 633-2012 table 2 levels; values match eco.v1.AqiLevel."""

    EXCELLENT = 1
    GOOD = 2
    LIGHT = 3
    MODERATE = 4
    HEAVY = 5
    SEVERE = 6


def iaqi(indicator: str, concentration: float | Fraction) -> int | None:
    """IAQI of one indicator (HJ 633-2012 formula 1), rounded up; None beyond a row that stops early.

    Computed exactly (a float is read as its decimal value, shared/exact.py), so a breakpoint maps
    to its own index and 101.25 rounds up to 102 with no binary noise. SO2 1 h stops at 800 and
    O3 8 h at 800: the caller applies 5.1's substitutions. Beyond the last breakpoint of a full row
    the index is capped at 500, the top of the scale.
    """
    points = BREAKPOINTS[indicator]
    if isinstance(concentration, float) and not math.isfinite(concentration):
        raise ValueError(f"{indicator}: concentration must be a finite non-negative number")
    c = exact.exact(concentration)
    if c < 0:
        raise ValueError(f"{indicator}: concentration must be a finite non-negative number")
    if c > points[-1]:
        return 500 if len(points) == len(IAQI_STEPS) else None
    for i in range(1, len(points)):
        if c <= points[i]:
            bp_lo, bp_hi = exact.exact(points[i - 1]), exact.exact(points[i])
            i_lo, i_hi = IAQI_STEPS[i - 1], IAQI_STEPS[i]
            return math.ceil(Fraction(i_hi - i_lo) / (bp_hi - bp_lo) * (c - bp_lo) + i_lo)
    raise AssertionError("unreachable: concentration within the last breakpoint")


def level(aqi: int) -> AqiLevel:
    """The level of an AQI (HJ 633-2012 table 2)."""
    for upper, lvl in (
        (50, AqiLevel.EXCELLENT),
        (100, AqiLevel.GOOD),
        (150, AqiLevel.LIGHT),
        (200, AqiLevel.MODERATE),
        (300, AqiLevel.HEAVY),
    ):
        if aqi <= upper:
            return lvl
    return AqiLevel.SEVERE


@dataclass(frozen=True)
class IndexedPollutant:
    """One indicator's concentration and its IAQI."""

    indicator: str
    concentration: float
    iaqi: int


@dataclass(frozen=True)
class AqiResult:
    """AQI, its level, the primary pollutants (only when AQI > 50) and every indicator used."""

    aqi: int
    level: AqiLevel
    primary_pollutants: list[str]
    pollutants: list[IndexedPollutant] = field(default_factory=list)


def combine(indexed: list[IndexedPollutant]) -> AqiResult | None:
    """AQI = the largest IAQI; its pollutants are primary when AQI > 50 (HJ 633-2012 5.2, 5.3)."""
    if not indexed:
        return None
    top = max(p.iaqi for p in indexed)
    primary: list[str] = []
    if top > 50:
        for p in indexed:
            name = POLLUTANT[p.indicator]
            if p.iaqi == top and name not in primary:
                primary.append(name)
    return AqiResult(aqi=top, level=level(top), primary_pollutants=primary, pollutants=indexed)


def _index(indicator: str, concentration: float | Fraction | None) -> IndexedPollutant | None:
    if concentration is None:
        return None
    value = iaqi(indicator, concentration)
    return None if value is None else IndexedPollutant(indicator, float(concentration), value)


def hourly_aqi(
    hour: Mapping[str, float], *, so2_24h: float | None = None, o3_8h: float | None = None
) -> AqiResult | None:
    """The real-time AQI of one hour from 1 h means ("SO2", "NO2", "CO", "O3", "PM10", "PM25").

    PM10 and PM2.5 have no 1 h row, so their 1 h means are indexed on the 24 h rows as the national
    real-time release does. SO2 1 h above 800: the 24 h value is indexed instead; O3 8 h above 800:
    the 1 h value stands for it (HJ 633-2012 table 1 notes 2 and 3).
    """
    indexed: list[IndexedPollutant | None] = []
    so2 = hour.get("SO2")
    if so2 is not None and so2 > BREAKPOINTS["SO2_1H"][-1]:
        indexed.append(_index("SO2_24H", so2_24h))
    else:
        indexed.append(_index("SO2_1H", so2))
    indexed.append(_index("NO2_1H", hour.get("NO2")))
    indexed.append(_index("CO_1H", hour.get("CO")))
    indexed.append(_index("O3_1H", hour.get("O3")))
    if o3_8h is not None and o3_8h <= BREAKPOINTS["O3_8H"][-1]:
        indexed.append(_index("O3_8H", o3_8h))
    indexed.append(_index("PM10_24H", hour.get("PM10")))
    indexed.append(_index("PM25_24H", hour.get("PM25")))
    return combine([p for p in indexed if p is not None])


def daily_aqi(
    day: Mapping[str, float | Fraction],
    *,
    o3_1h_max: float | Fraction | None,
    o3_8h_max: float | Fraction | None,
) -> AqiResult | None:
    """The daily AQI from 24 h means ("SO2", "NO2", "CO", "PM10", "PM25") and the day's O3 maxima.

    O3 8 h above 800: its IAQI is taken from the 1 h maximum (HJ 633-2012 table 1 note 3).
    """
    indexed = [
        _index("SO2_24H", day.get("SO2")),
        _index("NO2_24H", day.get("NO2")),
        _index("CO_24H", day.get("CO")),
        _index("PM10_24H", day.get("PM10")),
        _index("PM25_24H", day.get("PM25")),
        _index("O3_1H", o3_1h_max),
    ]
    # Above 800 the 8 h row ends; the 1 h maximum, already indexed above, stands for it.
    if o3_8h_max is not None and o3_8h_max <= BREAKPOINTS["O3_8H"][-1]:
        indexed.append(_index("O3_8H", o3_8h_max))
    return combine([p for p in indexed if p is not None])
