"""Surface water quality classes by the single-factor method of GB 3838-2002 (table 1).

A reading's class is the best class whose limit it meets; a section's class is the worst class
over its assessed parameters. Limits are inclusive: a value equal to a class limit is in that class.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from fractions import Fraction

from shared import exact


class WaterClass(IntEnum):
    """GB 3838-2002 classes; the values match eco.v1.WaterClass."""

    I = 1  # noqa: E741 - the standard's own name
    II = 2
    III = 3
    IV = 4
    V = 5
    WORSE_THAN_V = 6


class WaterBody(IntEnum):
    """Rivers use the river column of TP and leave TN out; lakes and reservoirs use both."""

    RIVER = 1
    LAKE = 2
    RESERVOIR = 3


# GB 3838-2002 table 1: upper limits for classes I..V, mg/L unless stated. Written as the standard
# writes them (text): the number of decimals is part of the limit, since a mean is rounded to it
# before it is compared (GB/T 8170-2008, REFERENCE.md).
_UPPER: dict[str, tuple[str, str, str, str, str]] = {
    "CODMN": ("2", "4", "6", "10", "15"),
    "COD": ("15", "15", "20", "30", "40"),
    "BOD5": ("3", "3", "4", "6", "10"),
    "NH3N": ("0.15", "0.5", "1.0", "1.5", "2.0"),
    "CU": ("0.01", "1.0", "1.0", "1.0", "1.0"),
    "ZN": ("0.05", "1.0", "1.0", "2.0", "2.0"),
    "F": ("1.0", "1.0", "1.0", "1.5", "1.5"),
    "SE": ("0.01", "0.01", "0.01", "0.02", "0.02"),
    "AS": ("0.05", "0.05", "0.05", "0.1", "0.1"),
    "HG": ("0.00005", "0.00005", "0.0001", "0.001", "0.001"),
    "CD": ("0.001", "0.005", "0.005", "0.005", "0.01"),
    "CR6": ("0.01", "0.05", "0.05", "0.05", "0.1"),
    "PB": ("0.01", "0.01", "0.05", "0.05", "0.1"),
    "CN": ("0.005", "0.05", "0.2", "0.2", "0.2"),
    "VPHENOL": ("0.002", "0.002", "0.005", "0.01", "0.1"),
    "PETRO": ("0.05", "0.05", "0.05", "0.5", "1.0"),
    "LAS": ("0.2", "0.2", "0.2", "0.3", "0.3"),
    "S2": ("0.05", "0.1", "0.2", "0.5", "1.0"),
    "FCOLI": ("200", "2000", "10000", "20000", "40000"),  # per litre
}
# GB 3838-2002 table 1: total phosphorus, rivers and (in brackets) lakes and reservoirs.
_TP_RIVER = ("0.02", "0.1", "0.2", "0.3", "0.4")
_TP_LAKE = ("0.01", "0.025", "0.05", "0.1", "0.2")
# Total nitrogen applies to lakes and reservoirs; for rivers it is reported, not classed.
_TN_LAKE = ("0.2", "0.5", "1.0", "1.5", "2.0")
# Dissolved oxygen is a floor: at least this much for classes I..V.
_DO_FLOOR = ("7.5", "6", "5", "3", "2")
# pH must lie in 6..9 for every class I..V.
_PH_RANGE = ("6", "9")
_CLASSES = (WaterClass.I, WaterClass.II, WaterClass.III, WaterClass.IV, WaterClass.V)


@dataclass(frozen=True)
class Bound:
    """A class limit: an upper limit, a floor, or both (pH)."""

    upper: float | None = None
    lower: float | None = None

    def contains(self, value: float) -> bool:
        """Whether a value meets the limit (limits are inclusive)."""
        if self.upper is not None and value > self.upper:
            return False
        return not (self.lower is not None and value < self.lower)


def _uppers(code: str, body: WaterBody) -> tuple[str, ...] | None:
    if code == "TP":
        return _TP_RIVER if body == WaterBody.RIVER else _TP_LAKE
    if code == "TN":
        return None if body == WaterBody.RIVER else _TN_LAKE
    return _UPPER.get(code)


def is_assessed(code: str, body: WaterBody) -> bool:
    """Whether a parameter counts towards the class of this kind of water body."""
    if code in ("PH", "DO"):
        return True
    return _uppers(code, body) is not None


def bound(code: str, water_class: WaterClass, body: WaterBody) -> Bound | None:
    """The limit of one class for a parameter; None if the parameter is not classed here."""
    if water_class == WaterClass.WORSE_THAN_V:
        return None
    index = int(water_class) - 1
    if code == "PH":
        return Bound(upper=float(_PH_RANGE[1]), lower=float(_PH_RANGE[0]))
    if code == "DO":
        return Bound(lower=float(_DO_FLOOR[index]))
    uppers = _uppers(code, body)
    return None if uppers is None else Bound(upper=float(uppers[index]))


def reading_class(code: str, value: float, body: WaterBody) -> WaterClass | None:
    """The best class whose limit the value meets; None if the parameter is not classed here."""
    if not is_assessed(code, body):
        return None
    for water_class in _CLASSES:
        limit = bound(code, water_class, body)
        if limit is not None and limit.contains(value):
            return water_class
    return WaterClass.WORSE_THAN_V


def limit_text(code: str, water_class: WaterClass, body: WaterBody) -> tuple[str | None, str | None]:
    """(upper, floor) of one class as the standard writes them; (None, None) if not classed here."""
    if water_class == WaterClass.WORSE_THAN_V:
        return None, None
    index = int(water_class) - 1
    if code == "PH":
        return _PH_RANGE[1], _PH_RANGE[0]
    if code == "DO":
        return None, _DO_FLOOR[index]
    uppers = _uppers(code, body)
    return (None, None) if uppers is None else (uppers[index], None)


def mean_class(code: str, mean: Fraction, body: WaterBody) -> WaterClass | None:
    """The class of an exact mean: the best class whose limits the mean meets once rounded to each
    limit's decimals (GB/T 8170-2008, REFERENCE.md): NH3-N 0.15 is class I, 0.155 rounds to 0.16
    and is class II. None if the parameter is not classed here."""
    if not is_assessed(code, body):
        return None
    for water_class in _CLASSES:
        upper, floor = limit_text(code, water_class, body)
        if (upper is None or exact.at_most(mean, upper)) and (floor is None or exact.at_least(mean, floor)):
            return water_class
    return WaterClass.WORSE_THAN_V


def compared_value(code: str, mean: Fraction, water_class: WaterClass, body: WaterBody) -> str:
    """The mean as it was compared: rounded to the decimals of the limit that decided its class
    (the class's own limit, or class V's for worse than V)."""
    decided = WaterClass.V if water_class == WaterClass.WORSE_THAN_V else water_class
    upper, floor = limit_text(code, decided, body)
    limit = upper if upper is not None else floor
    return exact.text(mean, exact.decimals(limit) if limit is not None else 3)


def exceedance_multiple(code: str, value: float, limit: Bound) -> float:
    """(value - limit) / limit; reversed for a floor (dissolved oxygen), as REFERENCE.md states.

    pH has no multiple: the national surface-water assessment method (地表水环境质量评价办法, 2011)
    computes none for it, so 0 is returned.
    """
    if code == "PH":
        return 0.0
    if limit.upper is not None and value > limit.upper and limit.upper > 0:
        return (value - limit.upper) / limit.upper
    if limit.lower is not None and value < limit.lower and limit.lower > 0:
        return (limit.lower - value) / limit.lower
    return 0.0


def section_class(classes: Mapping[str, WaterClass]) -> tuple[WaterClass | None, list[str]]:
    """The worst class over the assessed parameters and the parameters that set it."""
    if not classes:
        return None, []
    worst = max(classes.values())
    return worst, sorted(code for code, c in classes.items() if c == worst)
