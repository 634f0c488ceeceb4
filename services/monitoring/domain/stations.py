"""Stations and the parameters they measure, with the rules a registration must meet."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum

from services.monitoring.domain import gb3838
from services.monitoring.domain.parameters import (
    DEFAULT_INTERVAL_SECONDS,
    StationType,
    kind_of,
    normalise_unit,
)
from shared.errors import InvalidArgument
from shared.uscc import validate_uscc

_STATION_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# C0 and C1 control characters, NUL included: PostgreSQL refuses NUL in text, and none belongs in a
# name shown on a map or a report.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Longest accepted text per field: the column it is stored in (adapters/tables.py: stations.name
# String(200), stations.town String(100), exceedances.outlet_id String(100)); the fields kept in the
# details JSON get the same 100 as their siblings, so a record never outgrows a screen or an index.
MAX_LENGTH = {
    "station.name": 200,
    "station.town": 100,
    "station.source.outlet_id": 100,
    "station.water_section.river": 100,
    "station.electricity.equipment_id": 100,
    "station.electricity.linked_station_id": 64,
}


class Equipment(IntEnum):
    """Values match eco.v1.EquipmentKind."""

    PRODUCTION_LINE = 1
    TREATMENT_FACILITY = 2


@dataclass(frozen=True)
class Parameter:
    """One parameter a station measures."""

    code: str
    unit: str
    interval_seconds: int = 0
    alarm_limit: float | None = None


@dataclass(frozen=True)
class WaterSection:
    """A river or lake section with its target (functional-zone) class."""

    river: str
    position_km: float
    target_class: gb3838.WaterClass
    water_body: gb3838.WaterBody
    county_level_or_above: bool


@dataclass(frozen=True)
class SourceMonitor:
    """An online monitor on an enterprise outlet."""

    uscc: str
    outlet_id: str


@dataclass(frozen=True)
class ElectricityMonitor:
    """A power monitor on a production line or a treatment facility."""

    uscc: str
    equipment: Equipment
    equipment_id: str
    threshold_kw: float
    linked_station_id: str = ""
    idle_minutes: int = 0


Details = WaterSection | SourceMonitor | ElectricityMonitor | None


@dataclass(frozen=True)
class Station:
    """A monitoring station as registered."""

    station_id: str
    name: str
    type: StationType
    lat: float
    lon: float
    town: str
    parameters: tuple[Parameter, ...]
    details: Details = None
    registered_at: datetime | None = field(default=None, compare=False)

    def parameter(self, code: str) -> Parameter | None:
        """The station's parameter with this code, if it measures it."""
        return next((p for p in self.parameters if p.code == code), None)

    @property
    def uscc(self) -> str:
        """The USCC of the enterprise a monitor belongs to ("" for ambient stations)."""
        d = self.details
        return d.uscc if isinstance(d, SourceMonitor | ElectricityMonitor) else ""


def _require(condition: bool, field_name: str, reason: str) -> None:
    if not condition:
        raise InvalidArgument(field_name, reason)


def _check_uscc(uscc: str, field_name: str) -> None:
    validate_uscc(uscc, field=field_name)


def _check_text(value: str, field_name: str) -> None:
    """At most the field's stored length, and no control characters."""
    limit = MAX_LENGTH[field_name]
    _require(len(value) <= limit, field_name, f"at most {limit} characters, got {len(value)}")
    _require(
        not _CONTROL.search(value), field_name, "must not contain control characters (NUL, newline, ...)"
    )


def _validated_parameters(station: Station) -> tuple[Parameter, ...]:
    _require(bool(station.parameters), "station.parameters", "a station measures at least one parameter")
    seen: set[str] = set()
    result = []
    for i, p in enumerate(station.parameters):
        where = f"station.parameters[{i}]"
        kind = kind_of(station.type, p.code)
        _require(
            kind is not None, f"{where}.code", f"{p.code!r} is not measured by a {station.type.name} station"
        )
        assert kind is not None
        _require(p.code not in seen, f"{where}.code", f"{p.code!r} is listed twice")
        seen.add(p.code)
        unit = normalise_unit(p.unit)
        _require(unit == kind.unit, f"{where}.unit", f"{p.code} is reported in {kind.unit!r}, not {p.unit!r}")
        _require(p.interval_seconds >= 0, f"{where}.interval_seconds", "must not be negative")
        if p.alarm_limit is not None:
            ok = math.isfinite(p.alarm_limit) and p.alarm_limit > 0
            _require(ok, f"{where}.alarm_limit", "must be a positive number")
        interval = p.interval_seconds or DEFAULT_INTERVAL_SECONDS[station.type]
        result.append(Parameter(p.code, unit, interval, p.alarm_limit))
    return tuple(result)


def _check_details(station: Station) -> None:
    d = station.details
    if station.type == StationType.WATER_SECTION:
        _require(
            isinstance(d, WaterSection), "station.water_section", "a water section needs its section details"
        )
        assert isinstance(d, WaterSection)
        _require(bool(d.river.strip()), "station.water_section.river", "the river or lake name is required")
        _check_text(d.river, "station.water_section.river")
        _require(
            math.isfinite(d.position_km) and d.position_km >= 0,
            "station.water_section.position_km",
            "must be >= 0",
        )
        _require(
            d.target_class in tuple(gb3838.WaterClass)[:5],
            "station.water_section.target_class",
            "must be class I to V",
        )
    elif station.type == StationType.POLLUTION_SOURCE:
        _require(
            isinstance(d, SourceMonitor),
            "station.source",
            "an online monitor needs its enterprise and outlet",
        )
        assert isinstance(d, SourceMonitor)
        _check_uscc(d.uscc, "station.source.uscc")
        _require(
            d.outlet_id.startswith(d.uscc + "-") and len(d.outlet_id) > len(d.uscc) + 1,
            "station.source.outlet_id",
            "must be '<uscc>-<outlet code>'",
        )
        _check_text(d.outlet_id, "station.source.outlet_id")
    elif station.type == StationType.ELECTRICITY:
        _require(
            isinstance(d, ElectricityMonitor), "station.electricity", "a power monitor needs its equipment"
        )
        assert isinstance(d, ElectricityMonitor)
        _check_uscc(d.uscc, "station.electricity.uscc")
        _require(bool(d.equipment_id.strip()), "station.electricity.equipment_id", "is required")
        _check_text(d.equipment_id, "station.electricity.equipment_id")
        ok = math.isfinite(d.threshold_kw) and d.threshold_kw > 0
        _require(ok, "station.electricity.threshold_kw", "must be a positive power in kW")
        _require(d.idle_minutes >= 0, "station.electricity.idle_minutes", "must not be negative")
        if d.equipment == Equipment.PRODUCTION_LINE:
            _require(
                bool(d.linked_station_id),
                "station.electricity.linked_station_id",
                "a production line names its treatment facility's monitor",
            )
            _check_text(d.linked_station_id, "station.electricity.linked_station_id")
        else:
            _require(
                not d.linked_station_id,
                "station.electricity.linked_station_id",
                "only a production line links to a facility",
            )
    else:
        _require(d is None, "station.details", f"a {station.type.name} station takes no details")


def validate_new(station: Station) -> Station:
    """The station with normalised parameters, or InvalidArgument naming the first bad field."""
    _require(
        bool(_STATION_ID.match(station.station_id)),
        "station.station_id",
        "1-64 letters, digits, '.', '_' or '-'",
    )
    _require(bool(station.name.strip()), "station.name", "is required")
    _check_text(station.name, "station.name")
    _check_text(station.town, "station.town")
    _require(station.type in tuple(StationType), "station.type", "must be set")
    ok = math.isfinite(station.lat) and math.isfinite(station.lon) and -90 <= station.lat <= 90
    _require(
        ok and -180 <= station.lon <= 180,
        "station.location",
        "latitude -90..90 and longitude -180..180 required",
    )
    _require(
        not (station.lat == 0 and station.lon == 0), "station.location", "is required (0,0 is not a station)"
    )
    _check_details(station)
    return Station(
        station_id=station.station_id,
        name=station.name.strip(),
        type=station.type,
        lat=station.lat,
        lon=station.lon,
        town=station.town.strip(),
        parameters=_validated_parameters(station),
        details=station.details,
    )
