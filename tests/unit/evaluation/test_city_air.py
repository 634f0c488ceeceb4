"""The city's daily AQI (HJ 663-2013) from its stations' published days, with every answer worked
out by hand from HJ 633-2012 table 1 in the comments: IAQI = (I_hi - I_lo) / (BP_hi - BP_lo) x
(C - BP_lo) + I_lo, rounded up."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from fractions import Fraction

from services.evaluation.domain import city_air, kpis
from services.evaluation.domain.air_days import AirDay
from services.evaluation.domain.targets import Targets
from shared.hj633 import AqiLevel

DAY = date(2025, 3, 1)
AT = datetime(2025, 3, 1, 16, tzinfo=UTC)


# A station's day with low figures (IAQI: SO2 9, NO2 40, CO 0.7 -> 17.5 -> 18, O3 1 h 95 -> 29.7 -> 30,
# O3 8 h 40, PM10 40): the AQI is PM2.5's IAQI whenever that is above 40.
CLEAN = {"SO2_24H": 9.0, "NO2_24H": 32.0, "CO_24H": 0.7, "O3_1H": 95.0, "O3_8H": 80.0, "PM10_24H": 40.0}


def station(
    station_id: str,
    pm25: float = 20.0,
    *,
    valid: bool = True,
    town: str = "浒山",
    day: date = DAY,
    drop: tuple[str, ...] = (),
    **over: float,
) -> AirDay:
    """One station's figure (indicators in `over` replace the clean ones); `drop` leaves indicators
    out (a parameter the station does not measure)."""
    figures = {**CLEAN, "PM25_24H": pm25, **over}
    return AirDay(
        station_id=station_id,
        day=day,
        town=town,
        valid=valid,
        aqi=0,  # the station's own AQI plays no part in the city's
        level=0,
        primary_pollutants=(),
        revision=1,
        event_id=f"e-{station_id}-{day}",
        at=AT,
        concentrations={k: v for k, v in figures.items() if k not in drop},
    )


def test_two_stations_averaging_onto_a_breakpoint_make_a_good_city_day() -> None:
    # PM2.5 74 -> 50 + 50/40 x 39 = 98.75 -> 99 (good); 76 -> 100 + 50/40 x 1 = 101.25 -> 102 (light).
    # The city's PM2.5 is the mean, 75: exactly the breakpoint, IAQI 100, AQI 100, level II: good.
    day = city_air.city_day(DAY, [station("A1", 74), station("A2", 76)])
    assert day.result is not None
    assert (day.result.aqi, day.result.level, day.result.primary_pollutants) == (
        100,
        AqiLevel.GOOD,
        ["PM2.5"],
    )
    assert day.good and (day.valid_stations, day.invalid_stations) == (2, 0)


def test_means_are_exact_and_rounded_as_published() -> None:
    # CO 0.1, 0.2 and 0.3 average exactly 0.2 (no 0.20000000000000004); PM2.5 74 and 75 average 74.5,
    # published as 74 (GB/T 8170-2008: an exact half keeps the even digit) -> 98.75 -> 99.
    means = city_air.mean_concentrations(
        [station("A1", 74, CO_24H=0.1), station("A2", 75, CO_24H=0.2), station("A3", 74.5, CO_24H=0.3)]
    )
    assert means["CO_24H"] == Fraction(2, 10)
    # (74 + 75 + 74.5) / 3 = 74.5 -> 74
    assert means["PM25_24H"] == 74
    day = city_air.city_day(DAY, [station("A1", 74), station("A2", 75)])
    assert day.result is not None and day.result.aqi == 99


def test_an_invalid_station_is_left_out_of_the_means() -> None:
    # A3's day is invalid (GB 3095-2012 table 4); were its PM2.5 200 averaged in, the mean would be
    # 116.7 -> 117, light. Left out: (30 + 40) / 2 = 35 -> IAQI 50; AQI 50, excellent.
    day = city_air.city_day(DAY, [station("A1", 30), station("A2", 40), station("A3", 200, valid=False)])
    assert day.result is not None and (day.result.aqi, day.result.level) == (50, AqiLevel.EXCELLENT)
    assert (day.valid_stations, day.invalid_stations) == (2, 1)


def test_a_day_with_no_valid_station_has_no_city_aqi() -> None:
    day = city_air.city_day(DAY, [station("A1", 30, valid=False), station("A2", 40, valid=False)])
    assert day.result is None and not day.counted and not day.good
    assert (day.valid_stations, day.invalid_stations) == (0, 2)


def test_a_pollutant_no_valid_station_gave_leaves_the_day_without_aqi() -> None:
    # Neither measures CO that day: an AQI from the other five could only be lower, so none at all.
    day = city_air.city_day(DAY, [station("A1", 30, drop=("CO_24H",)), station("A2", 40, drop=("CO_24H",))])
    assert day.result is None and day.missing == ("CO",)
    # One station giving CO is enough: CO 0.7 -> 18; PM2.5 35 -> 50; AQI 50.
    day = city_air.city_day(DAY, [station("A1", 30, drop=("CO_24H",)), station("A2", 40)])
    assert day.result is not None and day.result.aqi == 50


def test_a_pollutant_is_averaged_over_the_stations_that_give_it() -> None:
    # SO2: A1 does not measure it, A2 gives 100 -> the city's SO2 is 100 (not 50): 50 + 50/100 x 50 = 75.
    day = city_air.city_day(DAY, [station("A1", 20, drop=("SO2_24H",)), station("A2", 20, SO2_24H=100)])
    assert day.result is not None and (day.result.aqi, day.result.primary_pollutants) == (75, ["SO2"])


def test_o3_8h_above_800_at_every_station_leaves_the_1h_maximum_standing() -> None:
    # No station publishes an 8 h figure (above 800, HJ 633-2012 table 1 note 3); 1 h maxima 900 and
    # 1000 average 950 -> 300 + 100/200 x 150 = 375.
    days = [station(s, 20, drop=("O3_8H",), O3_1H=o3) for s, o3 in (("A1", 900), ("A2", 1000))]
    day = city_air.city_day(DAY, days)
    assert day.result is not None and (day.result.aqi, day.result.level) == (375, AqiLevel.SEVERE)


def test_a_valid_day_stored_without_concentrations_is_counted_as_such() -> None:
    bare = dataclasses.replace(station("A1", 30), concentrations={})
    day = city_air.city_day(DAY, [bare])
    assert day.result is None and day.without_concentrations == 1 and len(day.missing) == 6


def test_the_kpi_counts_city_days_in_scope_and_says_what_it_left_out() -> None:
    march = [date(2025, 3, n) for n in range(1, 5)]
    days = [
        # 1 March: 74 and 76 -> 75 -> 100, good (station-days would say 1 of 2).
        station("A1", 74, day=march[0]),
        station("A2", 76, day=march[0], town="观海卫"),
        # 2 March: 浒山's only station invalid; 观海卫 PM2.5 120 -> 150 + 50/35 x 5 = 157.1 -> 158.
        station("A1", 74, day=march[1], valid=False),
        station("A2", 120, day=march[1], town="观海卫"),
        # 3 March: both invalid: no valid station, left out.
        station("A1", 30, day=march[2], valid=False),
        station("A2", 30, day=march[2], town="观海卫", valid=False),
        # 4 March: no station measured PM2.5: left out.
        station("A1", 30, day=march[3], drop=("PM25_24H",)),
        station("A2", 30, day=march[3], town="观海卫", drop=("PM25_24H",)),
    ]
    targets = Targets({"good_aqi_day_share": 0.9}, {}, 0.25)
    inp = kpis.Inputs([], [], days)
    city = kpis.good_aqi_day_share(inp, kpis.Scope(), march[-1], march[0], march[-1], targets)
    # City days with an AQI: 1 March (good) and 2 March (158, moderate): 1 of 2.
    assert (city.numerator, city.denominator) == (1, 2)
    assert "1 day with no valid station left out" in city.note
    assert "1 day left out for a pollutant no valid station gave (PM2.5 on 1 day)" in city.note
    assert "3 station-days without valid data left out of the means" in city.note
    # 浒山 alone: 1 March A1 74 -> 99, good; 2 and 3 March no valid station; 4 March no PM2.5.
    town = kpis.good_aqi_day_share(inp, kpis.Scope(town="浒山"), march[-1], march[0], march[-1], targets)
    assert (town.numerator, town.denominator) == (1, 1)
    assert "2 days with no valid station left out" in town.note
    # 1 March alone, 观海卫: 76 -> 102, light.
    one = kpis.good_aqi_day_share(inp, kpis.Scope(town="观海卫"), march[0], march[0], march[0], targets)
    assert (one.numerator, one.denominator) == (0, 1) and "1 day with a city AQI" in one.note
