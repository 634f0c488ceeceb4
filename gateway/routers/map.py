"""GET /api/v1/map/{layer}.geojson: one layer of the map (一图) as GeoJSON, for operators."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from gateway import operators
from gateway.errors import API_ERRORS
from gateway.search import index, query, unavailable
from shared.errors import DomainError, NotFound

AnyOperator = Annotated[operators.Operator, Depends(operators.require())]
router = APIRouter(tags=["map"], responses=API_ERRORS)


class UnknownLayer(NotFound):
    """A layer the map does not have; the message lists those it has."""

    def __init__(self, layer: str) -> None:
        DomainError.__init__(self, f"map layer {layer!r} not found; the layers are {', '.join(query.LAYERS)}")
        self.kind, self.key = "map layer", layer


@router.get("/api/v1/map/{layer}.geojson", response_model=None)
def layer_geojson(
    request: Request,
    _operator: AnyOperator,
    layer: str,
    bbox: str | None = Query(None, description="min_lon,min_lat,max_lon,max_lat (WGS 84)"),
    town: str = Query("", description="Only this town or subdistrict"),
    status: str = Query(
        "",
        description=(
            "Only this status (alarms: open by default; hazards and emergencies: all but closed;"
            " depots: ok, low or inactive)"
        ),
    ),
) -> dict[str, Any] | JSONResponse:
    """An RFC 7946 FeatureCollection of the layer's features, coordinates [lon, lat]."""
    if layer not in query.LAYERS:
        raise UnknownLayer(layer)
    box = query.parse_bbox(bbox)
    if layer in query.PENDING_LAYERS:
        return query.feature_collection(layer, None)
    body = query.map_body(layer, bbox=box, town=town, status=status)
    es = request.app.state.search
    name = index.index_name(request.app.state.settings.search_index_prefix)
    answer = unavailable.run(lambda: es.search(index=name, ignore_unavailable=True, **body).body)
    if isinstance(answer, JSONResponse):
        return answer
    return query.feature_collection(layer, answer)
