"""GET /api/v1/map/grids.geojson: the grid polygons (city, towns, villages) as GeoJSON, from the
enforcement service over gRPC, for the map's base layer and its grid toggle.

Mounted before the map router, whose /api/v1/map/{layer}.geojson would otherwise take the path.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field

from eco.v1 import common_pb2, enforcement_pb2
from gateway import operators
from gateway.clients import clients_of
from gateway.contract import Out
from gateway.errors import API_ERRORS
from shared.errors import InvalidArgument

router = APIRouter(tags=["map"], responses=API_ERRORS)
AnyOperator = Annotated[operators.Operator, Depends(operators.require())]
CALL_TIMEOUT = 5.0
# The city has a few hundred grids at most; more pages than this is a loop, not a city.
MAX_PAGES = 20
PAGE_SIZE = 500


class GridProperties(Out):
    """What the map shows of a grid (no commissioner's personal data)."""

    grid_id: str
    name: str
    town: str
    level: int = Field(description="1 city, 2 town or subdistrict, 3 village or community")
    parent_grid_id: str


class Polygon(Out):
    """An RFC 7946 polygon: one closed ring of [lon, lat]."""

    type: Literal["Polygon"] = "Polygon"
    coordinates: list[list[list[float]]]


class GridFeature(Out):
    """One grid."""

    type: Literal["Feature"] = "Feature"
    id: str
    geometry: Polygon
    properties: GridProperties


class GridCollection(Out):
    """Every grid of the level asked for (all levels by default), city first."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    layer: Literal["grids"] = "grids"
    features: list[GridFeature]
    next_page_token: str = Field("", description="Always empty: the grids come in one answer")


def feature(grid: enforcement_pb2.Grid) -> dict[str, Any] | None:
    """A grid as a GeoJSON feature (the ring closed, as RFC 7946 section 3.1.6 asks); None without one."""
    if len(grid.boundary) < 3:
        return None
    ring = [[p.lon, p.lat] for p in grid.boundary]
    ring.append(ring[0])
    return {
        "type": "Feature",
        "id": grid.grid_id,
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {
            "grid_id": grid.grid_id,
            "name": grid.name,
            "town": grid.town,
            "level": grid.level,
            "parent_grid_id": grid.parent_grid_id,
        },
    }


@router.get("/api/v1/map/grids.geojson", response_model=GridCollection)
def grids_geojson(
    request: Request,
    _operator: AnyOperator,
    level: int = Query(0, description="Only this level (1 city, 2 town, 3 village); 0: every level"),
    town: str = Query("", description="Only this town or subdistrict's grids"),
) -> dict[str, Any]:
    """The grid polygons, coordinates [lon, lat], from the enforcement service."""
    if level not in (0, 1, 2, 3):
        raise InvalidArgument("level", f"must be 0, 1, 2 or 3, got {level}")
    clients = clients_of(request.app.state)
    features: list[dict[str, Any]] = []
    token = ""
    for _ in range(MAX_PAGES):
        reply = clients.enforcement.ListGrids(
            enforcement_pb2.ListGridsRequest(
                town=town, page=common_pb2.PageRequest(page_size=PAGE_SIZE, page_token=token)
            ),
            metadata=clients.metadata(),
            timeout=CALL_TIMEOUT,
        )
        for grid in reply.grids:
            drawn = feature(grid) if level in (0, grid.level) else None
            if drawn is not None:
                features.append(drawn)
        token = reply.page.next_page_token
        if not token:
            break
    features.sort(key=lambda f: (f["properties"]["level"], f["id"]))
    return {"type": "FeatureCollection", "layer": "grids", "features": features, "next_page_token": ""}
