"""The catalogue of what each station type may measure: unit, physical range, default interval.

Units are the ones the national methods report in (GB 3838 mg/L, HJ 633 ug/m3 with CO in mg/m3,
HJ 212 for online monitors); a station must register the catalogue's unit so that no reading is
ever converted on a guess. The physical ranges are the plausibility bounds of the data-quality rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class StationType(IntEnum):
    """Values match eco.v1.StationType."""

    WATER_SECTION = 1
    AIR = 2
    VOCS = 3
    POLLUTION_SOURCE = 4
    ELECTRICITY = 5


@dataclass(frozen=True)
class ParameterKind:
    """A parameter as the catalogue knows it."""

    code: str
    unit: str
    low: float
    high: float
    # A concentration cannot be negative; a negative one is a device fault of its own kind.
    concentration: bool = True
    # Parameters that may legitimately hold one value for hours (power of a stopped line, a closed
    # outlet's flow) are left out of the flat-line rule.
    flat_line_check: bool = True
    # Values at or below this are "not detected" and analysers report them as one constant (the
    # limit or a fixed fraction of it), so a run of them is no flat-line fault. None: no such floor.
    detection_limit: float | None = None


def _kinds(*kinds: ParameterKind) -> dict[str, ParameterKind]:
    return {k.code: k for k in kinds}


# Typical method detection limits of trace pollutants in water, mg/L: As, Hg and Se by atomic
# fluorescence (HJ 694-2014: 0.3, 0.04 and 0.4 ug/L), Cd and Pb by graphite-furnace AAS (0.1 and
# 1 ug/L), Cr(VI) by diphenylcarbazide (GB 7467-87: 0.004 mg/L), cyanide by isonicotinic acid-
# barbituric acid (HJ 484-2009: 0.001 mg/L). A given analyser's own limit may be lower; these are
# typical values, used only to keep "not detected" runs out of the flat-line rule.
DETECTION_LIMITS: dict[str, float] = {
    "AS": 0.0003,
    "HG": 0.00004,
    "SE": 0.0004,
    "CD": 0.0001,
    "PB": 0.001,
    "CR6": 0.004,
    "CN": 0.001,
}


def _mg_l(code: str, high: float) -> ParameterKind:
    return ParameterKind(code, "mg/L", 0.0, high, detection_limit=DETECTION_LIMITS.get(code))


_WATER = _kinds(
    ParameterKind("PH", "", 0.0, 14.0, concentration=False),
    _mg_l("DO", 25.0),
    _mg_l("CODMN", 200.0),
    _mg_l("COD", 1000.0),
    _mg_l("BOD5", 500.0),
    _mg_l("NH3N", 100.0),
    _mg_l("TP", 50.0),
    _mg_l("TN", 200.0),
    *(_mg_l(code, 100.0) for code in ("CU", "ZN", "F", "SE", "AS", "HG", "CD", "CR6", "PB", "CN")),
    *(_mg_l(code, 100.0) for code in ("VPHENOL", "PETRO", "LAS", "S2")),
    ParameterKind("FCOLI", "CFU/L", 0.0, 1e9),
    ParameterKind("WT", "degC", -5.0, 45.0, concentration=False),
    ParameterKind("TURB", "NTU", 0.0, 4000.0),
    ParameterKind("COND", "uS/cm", 0.0, 100000.0),
)

_AIR = _kinds(
    ParameterKind("SO2", "ug/m3", 0.0, 10000.0),
    ParameterKind("NO2", "ug/m3", 0.0, 5000.0),
    ParameterKind("PM10", "ug/m3", 0.0, 5000.0),
    ParameterKind("PM25", "ug/m3", 0.0, 5000.0),
    ParameterKind("O3", "ug/m3", 0.0, 2000.0),
    ParameterKind("CO", "mg/m3", 0.0, 200.0),
)

_VOCS = _kinds(
    ParameterKind("TVOC", "ug/m3", 0.0, 100000.0),
    ParameterKind("NMHC", "mg/m3", 0.0, 100.0),
    ParameterKind("BENZENE", "ug/m3", 0.0, 10000.0),
)

_SOURCE = _kinds(
    _mg_l("COD", 50000.0),
    _mg_l("NH3N", 5000.0),
    _mg_l("TP", 1000.0),
    _mg_l("TN", 5000.0),
    *(_mg_l(code, 1000.0) for code in ("CR6", "PB", "HG", "CD", "AS", "NI", "CU", "ZN")),
    ParameterKind("PH", "", 0.0, 14.0, concentration=False),
    ParameterKind("FLOW", "m3/h", 0.0, 100000.0, flat_line_check=False),
    ParameterKind("SO2", "mg/m3", 0.0, 20000.0),
    ParameterKind("NOX", "mg/m3", 0.0, 20000.0),
    ParameterKind("PM", "mg/m3", 0.0, 20000.0),
    ParameterKind("VOCS", "mg/m3", 0.0, 20000.0),
    ParameterKind("NMHC", "mg/m3", 0.0, 20000.0),
    ParameterKind("CO", "mg/m3", 0.0, 20000.0),
)

_ELECTRICITY = _kinds(
    ParameterKind("POWER", "kW", 0.0, 100000.0, concentration=False, flat_line_check=False),
)

CATALOGUE: dict[StationType, dict[str, ParameterKind]] = {
    StationType.WATER_SECTION: _WATER,
    StationType.AIR: _AIR,
    StationType.VOCS: _VOCS,
    StationType.POLLUTION_SOURCE: _SOURCE,
    StationType.ELECTRICITY: _ELECTRICITY,
}

# Water automatic stations report every 4 h, air and VOCs stations hourly, online monitors send
# HJ 212 hourly data, power monitors every 15 minutes; a station may register its own interval.
DEFAULT_INTERVAL_SECONDS: dict[StationType, int] = {
    StationType.WATER_SECTION: 4 * 3600,
    StationType.AIR: 3600,
    StationType.VOCS: 3600,
    StationType.POLLUTION_SOURCE: 3600,
    StationType.ELECTRICITY: 900,
}

_UNIT_SPELLINGS = {"µg/m3": "ug/m3", "μg/m3": "ug/m3", "µg/m³": "ug/m3", "mg/m³": "mg/m3", "mg/l": "mg/L"}


def normalise_unit(unit: str) -> str:
    """One spelling per unit, so "µg/m3" and "ug/m3" are the same unit."""
    cleaned = unit.strip()
    return _UNIT_SPELLINGS.get(cleaned, cleaned)


def kind_of(station_type: StationType, code: str) -> ParameterKind | None:
    """The catalogue entry of a parameter for a station type, or None if that type cannot measure it."""
    return CATALOGUE[station_type].get(code)
