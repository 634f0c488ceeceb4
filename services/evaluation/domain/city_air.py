"""The city's daily AQI (HJ 663-2013, city scale) from its air stations' published days.

HJ 663-2013 assesses a city by ONE AQI per day: for each indicator, the city's daily concentration is
the arithmetic mean of its stations' daily concentrations; the city's IAQI and AQI then come from
those means by HJ 633-2012. A scope is the city (every station) or one town (its stations, for town
scorecards): the same rule over the stations in scope.

Decisions, where the standards leave the platform a choice:
- A station whose day is invalid (GB 3095-2012 section 7, table 4: not enough hourly values) is left
  out of the means; its figures are never averaged in.
- A day with no valid station in scope has no city AQI: it is left out of the good-day share's
  numerator and denominator alike, as the national assessment counts valid days only.
- Each of the six pollutants (SO2, NO2, CO, PM10, PM2.5 by their 24 h means, O3 by its daily 1 h
  maximum) must come from at least one valid station; a pollutant no valid station gave that day
  leaves the day with no city AQI (never an AQI from fewer indicators, which could only be lower).
  A pollutant one station does not measure is averaged over the stations that do.
- O3's 8 h maximum is averaged over the stations that publish it: a station publishes none above 800
  (HJ 633-2012 table 1 note 3: the 1 h maximum stands for it), so when no station does, the city's
  1 h maximum stands alone for O3, as at a station.
- Each mean is exact (shared/exact.py: no float drift at a breakpoint) and rounded as monitoring rounds
  a published daily concentration (shared.hj633.published: integers, CO to one decimal, GB/T 8170-2008)
  before it is indexed: stations at PM2.5 74 and 76 average 75, IAQI 100, a good day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from services.evaluation.domain.air_days import GOOD_LEVELS, AirDay
from shared import exact, hj633
from shared.hj633 import AqiResult

# The indicators a city day needs, one per pollutant (HJ 633-2012 table 1, daily rows); O3_8H is
# averaged where published (only at or below 800, table 1 note 3).
REQUIRED = ("SO2_24H", "NO2_24H", "CO_24H", "PM10_24H", "PM25_24H", "O3_1H")


@dataclass(frozen=True)
class CityDay:
    """One China-time day of a scope: its AQI (None when it has none), how many stations' days were
    valid and averaged, how many were invalid and left out, how many valid ones carried no
    concentrations (stored before evaluation kept them), and the pollutants no valid station gave."""

    day: date
    result: AqiResult | None
    valid_stations: int
    invalid_stations: int
    without_concentrations: int = 0
    missing: tuple[str, ...] = ()

    @property
    def counted(self) -> bool:
        """Whether the day has a city AQI (and so counts among the valid days)."""
        return self.result is not None

    @property
    def good(self) -> bool:
        """Whether the city's day was excellent or good (AQI <= 100, HJ 633-2012 levels I-II)."""
        return self.result is not None and int(self.result.level) in GOOD_LEVELS


def mean_concentrations(station_days: Sequence[AirDay]) -> dict[str, Fraction]:
    """Per indicator, the exact mean of the valid station-days' concentrations, rounded as published."""
    values: dict[str, list[float]] = defaultdict(list)
    for d in station_days:
        if d.valid:
            for indicator, concentration in d.concentrations.items():
                values[indicator].append(concentration)
    means: dict[str, Fraction] = {}
    for indicator, found in values.items():
        mean = exact.mean(found)
        if mean is not None and indicator in hj633.PARAMETER:
            means[indicator] = hj633.published(hj633.PARAMETER[indicator], mean)
    return means


def city_day(day: date, station_days: Sequence[AirDay]) -> CityDay:
    """The scope's day from its stations' figures of that day (already limited to the scope)."""
    valid = [d for d in station_days if d.valid]
    invalid = len(station_days) - len(valid)
    bare = sum(1 for d in valid if not d.concentrations)
    if not valid:
        return CityDay(day, None, 0, invalid)
    means = mean_concentrations(valid)
    missing = tuple(hj633.POLLUTANT[i] for i in REQUIRED if i not in means)
    if missing:
        return CityDay(day, None, len(valid), invalid, bare, missing)
    daily = {hj633.PARAMETER[i]: means[i] for i in REQUIRED if i != "O3_1H"}
    result = hj633.daily_aqi(daily, o3_1h_max=means["O3_1H"], o3_8h_max=means.get("O3_8H"))
    return CityDay(day, result, len(valid), invalid, bare)


def city_days(station_days: Iterable[AirDay]) -> list[CityDay]:
    """Every day the station-days cover, in date order, each as city_day computes it."""
    by_day: dict[date, list[AirDay]] = defaultdict(list)
    for d in station_days:
        by_day[d.day].append(d)
    return [city_day(day, found) for day, found in sorted(by_day.items())]
