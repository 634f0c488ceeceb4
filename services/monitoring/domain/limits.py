"""Which limit a reading is held to: a section's target class, the air standard, a permit, or a set alarm."""

from __future__ import annotations

from dataclasses import dataclass

from services.monitoring.domain import gb3838
from services.monitoring.domain.gb3838 import Bound

# GB 3095-2012 table 1, class II, 1 h means (24 h for particulates, which have no 1 h limit); these
# are also the concentrations at IAQI 100 in HJ 633-2012 table 1.
AIR_HOURLY_LIMITS: dict[str, float] = {
    "SO2": 500.0,
    "NO2": 200.0,
    "CO": 10.0,
    "O3": 200.0,
    "PM10": 150.0,
    "PM25": 75.0,
}


@dataclass(frozen=True)
class Limit:
    """A limit with where it comes from; `code` decides how the multiple is computed."""

    code: str
    bound: Bound
    basis: str
    target_class: gb3838.WaterClass | None = None

    def beyond(self, value: float) -> bool:
        """Whether the value breaks the limit."""
        return not self.bound.contains(value)

    def multiple(self, value: float) -> float:
        """How many times over the limit (GB 3838 rules for pH and dissolved oxygen apply)."""
        return gb3838.exceedance_multiple(self.code, value, self.bound)

    def distance(self, value: float) -> float:
        """How far outside the limit a value lies, in its unit (0 within); ranks readings without a
        multiple, such as pH, by how far they are outside 6-9 on either side."""
        upper, lower = self.bound.upper, self.bound.lower
        if upper is not None and value > upper:
            return value - upper
        if lower is not None and value < lower:
            return lower - value
        return 0.0

    def breached(self, value: float) -> float:
        """The bound a value breaks, quoted as the limit: the floor for a low pH or dissolved
        oxygen, the upper limit otherwise (and for a value within, the usual quoted limit)."""
        lower = self.bound.lower
        if lower is not None and value < lower:
            return lower
        return self.value

    @property
    def value(self) -> float:
        """The number quoted as the limit: the upper limit, else the floor."""
        if self.bound.upper is not None:
            return self.bound.upper
        return self.bound.lower if self.bound.lower is not None else 0.0


def water_limit(code: str, target: gb3838.WaterClass, body: gb3838.WaterBody) -> Limit | None:
    """The target class's limit (GB 3838-2002 table 1); None if the parameter is not classed here."""
    bound = gb3838.bound(code, target, body)
    if bound is None:
        return None
    return Limit(code, bound, f"GB 3838-2002 class {target.name}", target_class=target)


def air_limit(code: str) -> Limit | None:
    """The GB 3095-2012 class II hourly limit of an air pollutant."""
    upper = AIR_HOURLY_LIMITS.get(code)
    return None if upper is None else Limit(code, Bound(upper=upper), "GB 3095-2012 class II (1 h)")


def alarm_limit(code: str, upper: float) -> Limit:
    """A limit set at registration for a parameter no standard covers."""
    return Limit(code, Bound(upper=upper), "alarm limit set at registration")


def permit_basis(permit_number: str) -> str:
    """How an exceedance names the permit whose limit it broke."""
    return f"permit {permit_number}"


def permit_limit(code: str, upper: float, floor: float, permit_number: str) -> Limit:
    """A permit's concentration limit (with its floor where the permit sets a range, as for pH)."""
    return Limit(code, Bound(upper=upper, lower=floor or None), permit_basis(permit_number))
