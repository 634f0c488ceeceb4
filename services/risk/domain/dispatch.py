"""Nearest-first dispatch (DESIGN.md flow 6): for each needed item, take from the depots that hold it,
nearest first, until the need is met; what no depot within reach holds is unmet. Pure: the service
layer runs it twice, once on a snapshot (the preview) and once on the rows it has locked.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from services.risk.domain.supplies import Amount
from services.risk.domain.values import GeoPoint, distance_m

DEFAULT_REACH_M = 50_000.0
# Straight-line distance understates the road: a detour factor and an average emergency speed give
# the estimated arrival; loading takes a fixed time at the depot. Local planning figures.
ROAD_FACTOR = 1.3
SPEED_KMH = 40.0
LOADING_MINUTES = 15
# Quantities below this are rounding noise, never a line of their own.
EPSILON = 1e-9


@dataclass(frozen=True)
class DepotStock:
    """A depot as the planner sees it: where it is and what it holds now."""

    depot_id: str
    name: str
    location: GeoPoint
    stock: Mapping[str, float]


@dataclass(frozen=True)
class Line:
    """Supplies to take from one depot."""

    depot_id: str
    depot_name: str
    item_code: str
    quantity: float
    distance_m: float
    eta_minutes: int


@dataclass(frozen=True)
class Plan:
    """What a dispatch takes, nearest depots first, and what stays unmet."""

    lines: tuple[Line, ...]
    unmet: tuple[Amount, ...]

    def taken(self) -> dict[tuple[str, str], float]:
        """(depot, item) -> quantity taken."""
        out: dict[tuple[str, str], float] = {}
        for line in self.lines:
            key = (line.depot_id, line.item_code)
            out[key] = out.get(key, 0) + line.quantity
        return out


def eta_minutes(distance: float) -> int:
    """Estimated minutes from dispatch to arrival: loading plus the road at the planning speed."""
    return LOADING_MINUTES + math.ceil(distance * ROAD_FACTOR / (SPEED_KMH * 1000 / 60))


def plan(
    at: GeoPoint, needs: Sequence[Amount], depots: Sequence[DepotStock], *, reach_m: float = DEFAULT_REACH_M
) -> Plan:
    """Take each need from the nearest depots holding it (ties by depot id) until met."""
    ranked = sorted(
        ((distance_m(at, d.location), d) for d in depots),
        key=lambda pair: (pair[0], pair[1].depot_id),
    )
    within = [(dist, d) for dist, d in ranked if dist <= reach_m]
    lines: list[Line] = []
    unmet: list[Amount] = []
    for need in needs:
        remaining = need.quantity
        for dist, depot in within:
            if remaining <= EPSILON:
                break
            held = depot.stock.get(need.item_code, 0.0)
            take = min(held, remaining)
            if take <= EPSILON:
                continue
            lines.append(Line(depot.depot_id, depot.name, need.item_code, take, dist, eta_minutes(dist)))
            remaining -= take
        if remaining > EPSILON:
            unmet.append(Amount(need.item_code, remaining))
    return Plan(tuple(lines), tuple(unmet))
