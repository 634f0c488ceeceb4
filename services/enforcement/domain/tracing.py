"""Source tracing for a river section (精准溯源): the wastewater outlets on the same river upstream of
the section, within a distance measured along the river, permitted for the exceeded pollutant, ranked
by how their own readings moved just before the exceedance.

Distances along a river are chainages on the river's centre line (data/rivers.json, drawn from the
source to the mouth), in metres on a local equirectangular projection around the city's latitude,
which is exact to well under 1 % across a county. An outlet is upstream when its chainage is smaller
than the section's; a downstream outlet cannot have caused the reading and is never suggested.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from shapely import LineString, Point

from services.enforcement.domain.case import Candidate
from services.enforcement.domain.values import GeoPoint

METHOD = "upstream-movement-v1"
# Metres per degree at the city's latitude (about 30.2° N).
_LAT0 = 30.2
_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(_LAT0))
# Distance halving a candidate's score: a rise 5 km upstream counts half as much as one at the section.
HALF_SCORE_M = 5_000.0


def _xy(lon: float, lat: float) -> tuple[float, float]:
    return (lon * _M_PER_DEG_LON, lat * _M_PER_DEG_LAT)


@dataclass(frozen=True)
class River:
    """A river's centre line from source to mouth, as (lon, lat) vertices."""

    name: str
    line: tuple[tuple[float, float], ...]

    def chainage(self, point: GeoPoint) -> tuple[float, float]:
        """(metres along the river to the point's projection, metres from the point to the river)."""
        line = LineString([_xy(lon, lat) for lon, lat in self.line])
        where = Point(_xy(point.lon, point.lat))
        return line.project(where), line.distance(where)


@dataclass(frozen=True)
class OutletSite:
    """A wastewater outlet as tracing sees it: where, into which river, what it is permitted for."""

    outlet_id: str
    uscc: str
    river: str
    location: GeoPoint
    permitted: frozenset[str]
    station_id: str = ""


@dataclass(frozen=True)
class Movement:
    """An outlet's mean reading of the pollutant in the window before the alarm and the one before it."""

    baseline_mean: float | None
    recent_mean: float | None

    @property
    def rise(self) -> float | None:
        """Relative rise of the recent mean over the baseline (None without both)."""
        if self.recent_mean is None or self.baseline_mean is None:
            return None
        if self.baseline_mean <= 0:
            return 1.0 if self.recent_mean > 0 else 0.0
        return (self.recent_mean - self.baseline_mean) / self.baseline_mean


def upstream(
    section: GeoPoint, river: River, outlets: Iterable[OutletSite], parameter: str, max_distance_m: float
) -> list[tuple[OutletSite, float]]:
    """Outlets into `river` upstream of the section within `max_distance_m` along it, permitted for
    `parameter`, with their distance along the river, nearest first."""
    at, _ = river.chainage(section)
    found = []
    for outlet in outlets:
        if outlet.river != river.name or parameter not in outlet.permitted:
            continue
        own, _ = river.chainage(outlet.location)
        distance = at - own
        if 0 < distance <= max_distance_m:
            found.append((outlet, distance))
    return sorted(found, key=lambda pair: (pair[1], pair[0].outlet_id))


def rank(
    found: Sequence[tuple[OutletSite, float]],
    movements: Mapping[str, Movement | None],
    *,
    parameter: str,
    river: str,
    window_hours: int,
) -> list[Candidate]:
    """Candidates, likeliest first: score = the rise of the outlet's readings (0 if they fell or are
    unknown), halved every HALF_SCORE_M along the river; ties go to the nearer outlet."""
    candidates = []
    for outlet, distance in found:
        movement = movements.get(outlet.outlet_id)
        rise = movement.rise if movement else None
        score = max(rise or 0.0, 0.0) * 0.5 ** (distance / HALF_SCORE_M)
        where = f"{distance:.0f} m upstream on {river}"
        if movement is None or rise is None:
            why = f"{where}; no {parameter} readings of the outlet in the last {2 * window_hours} h"
        else:
            why = (
                f"{where}; {parameter} mean {movement.baseline_mean:.4g} → {movement.recent_mean:.4g} "
                f"({rise:+.0%}) in the {window_hours} h before the alarm against the {window_hours} h before"
            )
        candidates.append(
            Candidate(
                outlet.uscc,
                outlet.outlet_id,
                round(score, 6),
                round(distance, 1),
                why,
                METHOD,
                parameter,
                movement.baseline_mean if movement else None,
                movement.recent_mean if movement else None,
            )
        )
    return sorted(candidates, key=lambda c: (-c.score, c.distance_m, c.outlet_id))
