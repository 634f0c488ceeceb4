"""Grids (网格) as polygons, and routing a point to exactly one grid.

Geometry is done with shapely in plain WGS84 degrees (x = longitude, y = latitude): only containment
and overlap are asked, which degrees answer exactly; areas and distances are never read from them.

Border rule (documented in services/enforcement/README.md): a point goes to the deepest level whose
grids cover it (boundary included). If several grids of that level cover it, it lies on a shared
border: it goes to the one containing the point nudged 1e-9° north-east (a border running north-south
belongs to the grid east of it, one running east-west to the grid north of it); if the nudged point
is in none or several of them (the outer edge, or a border running exactly south-west to north-east),
to the smallest grid id. Every point inside some grid therefore has exactly one grid, whatever
order the grids are read in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shapely import Point, Polygon
from shapely.validation import explain_validity

from services.enforcement.domain.values import GeoPoint, text
from shared.errors import InvalidArgument

# The city's extent (REFERENCE.md "The demo city": Cixi's land area 121.0–121.55° E, 30.0–30.4° N).
CITY_BBOX = (121.0, 30.0, 121.55, 30.4)  # min_lon, min_lat, max_lon, max_lat
CITY, TOWN, VILLAGE = 1, 2, 3
NUDGE = 1e-9
# Siblings may touch along borders; an overlap of more than this (square degrees, ~1 m²) is refused.
OVERLAP_TOLERANCE = 1e-10
# Collinear points leave a rounding-error area; anything under ~1 m² is no polygon.
MIN_AREA = 1e-10


@dataclass(frozen=True)
class Grid:
    """A grid of the city → town → village hierarchy."""

    grid_id: str
    name: str
    town: str
    parent_grid_id: str
    level: int
    boundary: tuple[GeoPoint, ...]
    commissioner_ids: tuple[str, ...] = ()

    @property
    def polygon(self) -> Polygon:
        """The boundary as a shapely polygon (lon, lat)."""
        return Polygon([(p.lon, p.lat) for p in self.boundary])


def boundary(field: str, points: Sequence[GeoPoint]) -> tuple[GeoPoint, ...]:
    """A boundary checked: a closed ring of at least three points, not self-intersecting, inside the city.

    The contract gives the ring open (first point not repeated); a repeated closing point is dropped.
    """
    ring = list(points)
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring = ring[:-1]
    if len(set(ring)) < 3:
        raise InvalidArgument(field, f"a polygon needs at least 3 distinct points, got {len(set(ring))}")
    min_lon, min_lat, max_lon, max_lat = CITY_BBOX
    for i, p in enumerate(ring):
        if not (min_lon <= p.lon <= max_lon and min_lat <= p.lat <= max_lat):
            raise InvalidArgument(
                f"{field}[{i}]",
                f"({p.lat}, {p.lon}) is outside the city ({min_lat}–{max_lat}° N, {min_lon}–{max_lon}° E)",
            )
    polygon = Polygon([(p.lon, p.lat) for p in ring])
    if not polygon.is_valid:
        raise InvalidArgument(field, f"the polygon is not simple: {explain_validity(polygon)}")
    if polygon.area < MIN_AREA:
        raise InvalidArgument(field, "the points enclose no area (all on one line)")
    return tuple(ring)


def grid(
    *,
    grid_id: str,
    name: str,
    town: str,
    parent_grid_id: str,
    level: int,
    points: Sequence[GeoPoint],
    commissioner_ids: Sequence[str] = (),
) -> Grid:
    """A grid's fields checked (its place among the others is checked by `fits`)."""
    if level not in (CITY, TOWN, VILLAGE):
        raise InvalidArgument(
            "grid.level", f"must be 1 (city), 2 (town) or 3 (village/community), got {level}"
        )
    if level > CITY and not parent_grid_id.strip():
        raise InvalidArgument("grid.parent_grid_id", "required below the city level")
    if level == CITY and parent_grid_id.strip():
        raise InvalidArgument("grid.parent_grid_id", "the city grid has no parent")
    return Grid(
        grid_id=text("grid.grid_id", grid_id, max_len=64),
        name=text("grid.name", name, max_len=200),
        town=text("grid.town", town, required=level > CITY, max_len=100),
        parent_grid_id=text("grid.parent_grid_id", parent_grid_id, required=False, max_len=64),
        level=level,
        boundary=boundary("grid.boundary", points),
        commissioner_ids=tuple(text("grid.commissioner_ids", c, max_len=64) for c in commissioner_ids),
    )


def fits(g: Grid, parent: Grid | None, siblings: Sequence[Grid]) -> None:
    """A grid lies inside its parent, one level below it, and overlaps none of its siblings."""
    if parent is not None:
        if parent.level != g.level - 1:
            raise InvalidArgument(
                "grid.parent_grid_id", f"{parent.grid_id} is level {parent.level}, not {g.level - 1}"
            )
        if not parent.polygon.buffer(1e-12).covers(g.polygon):
            raise InvalidArgument("grid.boundary", f"must lie inside its parent grid {parent.grid_id}")
    shape = g.polygon
    for other in siblings:
        if other.grid_id == g.grid_id or other.level != g.level:
            continue
        if shape.intersection(other.polygon).area > OVERLAP_TOLERANCE:
            raise InvalidArgument(
                "grid.boundary", f"overlaps grid {other.grid_id} (grids may only share borders)"
            )


def locate(point: GeoPoint, grids: Sequence[Grid]) -> Grid | None:
    """The one grid a point is routed to, by the border rule above (None outside every grid)."""
    where = Point(point.lon, point.lat)
    covering = [g for g in grids if g.polygon.covers(where)]
    if not covering:
        return None
    deepest = max(g.level for g in covering)
    tied = sorted((g for g in covering if g.level == deepest), key=lambda g: g.grid_id)
    if len(tied) == 1:
        return tied[0]
    nudged = Point(point.lon + NUDGE, point.lat + NUDGE)
    return next((g for g in tied if g.polygon.covers(nudged)), tied[0])
