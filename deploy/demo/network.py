"""The demo city's monitoring network and a day of its readings, with a few stories in them.

Stories the readings tell, so that the map, the ledger and the codes have something to show:
- 三八江 (target class IV): ammonia nitrogen climbs past 1.5 mg/L in the last hours (an exceedance);
- 慈溪市宗汉电镀厂's wastewater outlet: COD above its 100 mg/L permit limit for the last 5 hours;
- 慈溪市桥头涂装有限公司: the production line draws power while the treatment facility is idle.
Everything else wanders inside its limits. The generator is seeded, so a run is reproducible.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from deploy.demo import city
from shared.china_time import day_start, local_day

WATER_PARAMETERS = {"PH": 7.4, "DO": 6.5, "CODMN": 4.5, "NH3N": 0.6, "TP": 0.12}
AIR_PARAMETERS = {"SO2": 9.0, "NO2": 32.0, "PM10": 62.0, "PM25": 38.0, "O3": 95.0, "CO": 0.7}
WASTEWATER = {"COD": 48.0, "NH3N": 4.0, "TP": 0.35}
WASTE_GAS = {"SO2": 35.0, "NOX": 80.0, "PM": 8.0}
AIR_STATIONS = ["浒山", "观海卫", "周巷", "庵东"]

ROGUE_RIVER = "三八江"
ROGUE_OUTLET_SERIAL = 102  # 宗汉电镀厂
IDLE_TREATMENT_SERIAL = 118  # 桥头涂装


@dataclass(frozen=True)
class DemoStation:
    station_id: str
    name: str
    kind: str  # water | air | source | power
    town: str
    location: tuple[float, float]
    parameters: dict[str, float]  # code -> typical value
    interval: timedelta
    river: str = ""
    target_class: str = ""
    uscc: str = ""
    outlet_id: str = ""
    equipment: str = ""  # production_line | treatment_facility
    linked_station_id: str = ""


def water_sections() -> list[DemoStation]:
    """One automatic station per monitored river section."""
    stations = []
    for number, (river, town, target) in enumerate(city.RIVERS, start=1):
        lat, lon = city.TOWNS[town]
        stations.append(
            DemoStation(
                f"W{number:03d}",
                f"{river}{town}断面",
                "water",
                town,
                (round(lat + 0.008, 5), round(lon - 0.004, 5)),
                WATER_PARAMETERS,
                timedelta(hours=4),
                river=river,
                target_class=target,
            )
        )
    return stations


def air_stations() -> list[DemoStation]:
    """Ambient air stations in four towns."""
    return [
        DemoStation(
            f"A{n:03d}",
            f"{town}空气自动站",
            "air",
            town,
            city.TOWNS[town],
            AIR_PARAMETERS,
            timedelta(hours=1),
        )
        for n, town in enumerate(AIR_STATIONS, start=1)
    ]


def source_monitors(outlets: dict[str, list[tuple[str, str]]]) -> list[DemoStation]:
    """An online monitor on every outlet the permits service gave an id (uscc -> [(outlet id, kind)])."""
    by_uscc = {e.uscc: e for e in city.ENTERPRISES}
    stations = []
    for uscc, items in outlets.items():
        enterprise = by_uscc[uscc]
        for outlet_id, kind in items:
            typical = WASTEWATER if kind == "wastewater" else WASTE_GAS
            suffix = outlet_id.rsplit("-", 1)[1]
            stations.append(
                DemoStation(
                    f"S-{enterprise.serial}-{suffix}",
                    f"{enterprise.name} {suffix} 在线监测",
                    "source",
                    enterprise.town,
                    enterprise.location,
                    typical,
                    timedelta(hours=1),
                    uscc=uscc,
                    outlet_id=outlet_id,
                )
            )
    return stations


def power_monitors() -> list[DemoStation]:
    """Treatment facility first, then the production line that depends on it (linked)."""
    stations = []
    for serial in (ROGUE_OUTLET_SERIAL, IDLE_TREATMENT_SERIAL):
        enterprise = next(e for e in city.ENTERPRISES if e.serial == serial)
        treatment = f"P-{serial}-T"
        stations.append(
            DemoStation(
                treatment,
                f"{enterprise.name} 污水处理设施电量",
                "power",
                enterprise.town,
                enterprise.location,
                {"POWER": 45.0},
                timedelta(minutes=15),
                uscc=enterprise.uscc,
                equipment="treatment_facility",
            )
        )
        stations.append(
            DemoStation(
                f"P-{serial}-L",
                f"{enterprise.name} 生产线电量",
                "power",
                enterprise.town,
                enterprise.location,
                {"POWER": 320.0},
                timedelta(minutes=15),
                uscc=enterprise.uscc,
                equipment="production_line",
                linked_station_id=treatment,
            )
        )
    return stations


def _story(station: DemoStation, code: str, typical: float, t: datetime, end: datetime) -> float:
    """The value a station reports at t: a daily rhythm and noise, bent by the stories above."""
    hours_left = (end - t).total_seconds() / 3600
    if station.river == ROGUE_RIVER and code == "NH3N" and hours_left < 14:
        return round(1.9 + 0.05 * (14 - hours_left) / 4, 3)  # worse than class IV's 1.5 mg/L
    rogue_outlet = station.outlet_id.endswith("DW001") and station.uscc == uscc_of(ROGUE_OUTLET_SERIAL)
    if rogue_outlet and code == "COD" and hours_left < 5:
        return round(150.0 + 10 * math.sin(hours_left), 1)  # permit limit 100 mg/L
    if station.station_id == f"P-{IDLE_TREATMENT_SERIAL}-T" and hours_left < 2:
        return round(1.5 + 0.1 * math.sin(hours_left * 7), 2)  # facility switched off
    return typical


def uscc_of(serial: int) -> str:
    """The USCC of the demo enterprise with this serial."""
    return next(e.uscc for e in city.ENTERPRISES if e.serial == serial)


def readings(
    stations: list[DemoStation], end: datetime, hours: int = 24
) -> Iterator[tuple[str, str, datetime, float]]:
    """(station id, parameter, time, value) for the last `hours`, every station at its interval; air
    stations from the start of yesterday in Cixi, so that one whole China-time day has closed with
    its readings (monitoring publishes its daily AQI, evaluation's good-AQI-day share has a value)."""
    rng = random.Random(20261129)
    start = end - timedelta(hours=hours)
    yesterday = day_start(local_day(end) - timedelta(days=1))
    for station in stations:
        if station.kind == "air" and yesterday < start:
            # Their own noise, so the other stations' readings (and the stories) stay as they were.
            early = random.Random(f"{station.station_id}-early")
            yield from _series(station, yesterday, start - timedelta(microseconds=1), end, early)
        yield from _series(station, start, end, end, rng)


def _series(
    station: DemoStation, first: datetime, last: datetime, end: datetime, rng: random.Random
) -> Iterator[tuple[str, str, datetime, float]]:
    """One station's readings from `first` to `last`, at its interval (`end`: the stories' clock)."""
    t = first
    while t <= last:
        daily = math.sin((t.hour + t.minute / 60) / 24 * 2 * math.pi)
        for code, typical in station.parameters.items():
            value = _story(station, code, typical, t, end)
            if value == typical:  # no story: rhythm and noise, never a flat line
                value = typical * (1 + 0.12 * daily + rng.uniform(-0.06, 0.06))
                if code == "PH":
                    value = typical + 0.3 * daily + rng.uniform(-0.1, 0.1)
            yield station.station_id, code, t, round(value, 3)
        t += station.interval
