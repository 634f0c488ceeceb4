"""Hourly and daily AQI from exact hourly means, with GB 3095-2012 table 4's data validity.

Every figure is exact and rounded as published before it is indexed: micrograms to integers, CO
(mg/m3) to one decimal (HJ 663-2013; the breakpoints of HJ 633-2012 are integers, GB/T 8170-2008
rounding). A figure short of the data the standard asks for is left out of the AQI and its reason
returned; the caller marks the point incomplete, or lists the bucket as invalid when nothing is left.

Which figure each name carries (REFERENCE.md: an hourly figure never goes out under a 24-hour name):
- hourly AQI: SO2_1H, NO2_1H, CO_1H, O3_1H are the hour's means; O3_8H is the 8-hour moving mean
  ending with the hour (6 of 8 hours); PM10_24H and PM25_24H are the 24-hour moving means ending with
  the hour (20 of 24 hours). HJ 633-2012 table 1 has PM rows for 24-hour means only, so PM is indexed
  by a 24-hour mean and named for it; an hour's own PM value is not indexed.
- daily AQI: 24-hour means of the calendar day (20 hours), the day's O3 1 h maximum (of a day with
  20 hours) and its maximum 8-hour mean over the means ending 08:00-24:00 (14 of 17, HJ 663-2013).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from services.monitoring.domain import validity
from shared import hj633
from shared.hj633 import AqiResult, IndexedPollutant, published

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
AIR_CODES = ("SO2", "NO2", "CO", "O3", "PM10", "PM25")
# The first 8-hour mean of a day's maximum ends 08:00, so its last hour starts 07:00 (HJ 663-2013).
FIRST_O3_8H_END_HOUR = 7
_24H = "a 24-hour mean"


@dataclass
class HourlyMeans:
    """One pollutant's valid hourly means (hour start -> exact mean) and its invalid hours' reasons."""

    means: dict[int, Fraction] = field(default_factory=dict)
    invalid: dict[int, str] = field(default_factory=dict)

    def has_data(self, first_hour: int, hours: int) -> bool:
        """Whether any reading, valid or not, lies in the hours starting first_hour."""
        last = first_hour + hours * HOUR_MS
        return any(first_hour <= t < last for t in (*self.means, *self.invalid))

    def window(self, last_hour: int, hours: int) -> list[Fraction]:
        """The valid means of the `hours` hours ending with last_hour."""
        found = (self.means.get(last_hour - i * HOUR_MS) for i in range(hours))
        return [m for m in found if m is not None]


Series = Mapping[str, HourlyMeans]


def _mean(values: list[Fraction]) -> Fraction:
    return sum(values, Fraction(0)) / len(values)


@dataclass
class _Collector:
    indexed: list[IndexedPollutant] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, indicator: str, code: str, value: Fraction) -> Fraction:
        rounded = published(code, value)
        result = hj633.iaqi(indicator, rounded)
        if result is not None:
            self.indexed.append(IndexedPollutant(indicator, float(rounded), result))
        return rounded

    def moving(self, series: Series, indicator: str, code: str, hour: int, hours: int, need: int) -> bool:
        """Index the moving mean of `hours` ending with `hour`, or note why it is invalid."""
        s = series.get(code)
        if s is None:
            return False
        values = s.window(hour, hours)
        short = validity.count_shortfall(
            len(values), need, f"hourly values in the {hours} hours ending this hour", f"a {hours}-hour mean"
        )
        if short is None:
            self.add(indicator, code, _mean(values))
            return True
        if s.has_data(hour - (hours - 1) * HOUR_MS, hours):
            self.notes.append(f"{indicator}: {short}")
        return False


def hourly(series: Series, hour: int) -> tuple[AqiResult | None, list[str]]:
    """The real-time AQI of one hour (HJ 633-2012 5.1) and the notes on indicators left out."""
    c = _Collector()
    for code in ("SO2", "NO2", "CO", "O3"):
        s = series.get(code)
        if s is None:
            continue
        if hour in s.invalid:
            c.notes.append(f"{code}_1H: {s.invalid[hour]}")
        elif hour in s.means:
            value = published(code, s.means[hour])
            if code == "SO2" and value > hj633.BREAKPOINTS["SO2_1H"][-1]:
                # SO2 1 h above 800 is indexed by its 24 h mean (HJ 633-2012 table 1 note 2).
                c.moving(series, "SO2_24H", "SO2", hour, 24, validity.MIN_HOURS_PER_DAY)
            else:
                c.add(f"{code}_1H", code, value)
    o3 = series.get("O3")
    if o3 is not None:
        values = o3.window(hour, 8)
        if len(values) >= validity.MIN_HOURS_PER_8H:
            # Above 800 the 8 h row ends; the 1 h value stands for it (table 1 note 3).
            if published("O3", _mean(values)) <= hj633.BREAKPOINTS["O3_8H"][-1]:
                c.add("O3_8H", "O3", _mean(values))
        else:
            c.moving(series, "O3_8H", "O3", hour, 8, validity.MIN_HOURS_PER_8H)
    c.moving(series, "PM10_24H", "PM10", hour, 24, validity.MIN_HOURS_PER_DAY)
    c.moving(series, "PM25_24H", "PM25", hour, 24, validity.MIN_HOURS_PER_DAY)
    return hj633.combine(c.indexed), c.notes


def daily(series: Series, day: int) -> tuple[AqiResult | None, list[str]]:
    """The daily AQI of the local day starting at `day` and the notes on indicators left out."""
    c = _Collector()
    last_hour = day + DAY_MS - HOUR_MS
    for code in ("SO2", "NO2", "CO", "PM10", "PM25"):
        c.moving(series, f"{code}_24H", code, last_hour, 24, validity.MIN_HOURS_PER_DAY)
    o3 = series.get("O3")
    if o3 is not None:
        hours = o3.window(last_hour, 24)
        short = validity.count_shortfall(
            len(hours), validity.MIN_HOURS_PER_DAY, "hourly values of the day", _24H
        )
        if short is None:
            c.add("O3_1H", "O3", max(hours))
        elif hours or o3.has_data(day, 24):
            c.notes.append(f"O3_1H (daily maximum): {short}")
        first_end = day + FIRST_O3_8H_END_HOUR * HOUR_MS
        eights = [
            _mean(w)
            for end in range(first_end, day + DAY_MS, HOUR_MS)
            if len(w := o3.window(end, 8)) >= validity.MIN_HOURS_PER_8H
        ]
        short = validity.count_shortfall(
            len(eights),
            validity.MIN_O3_8H_MEANS_PER_DAY,
            "valid 8-hour means ending 08:00-24:00",
            "the daily maximum 8-hour mean",
            "HJ 663-2013",
        )
        if short is None:
            top = max(eights)
            if published("O3", top) <= hj633.BREAKPOINTS["O3_8H"][-1]:
                c.add("O3_8H", "O3", top)
        elif o3.has_data(day, 24):
            c.notes.append(f"O3_8H: {short}")
    return hj633.combine(c.indexed), c.notes
