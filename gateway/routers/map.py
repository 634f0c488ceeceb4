"""GET /api/v1/map/{layer}.geojson: one layer of the map (一图) as GeoJSON, for operators."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import ConfigDict, Field

from gateway import operators, roles
from gateway.contract import Out
from gateway.errors import API_ERRORS
from gateway.routers.petitions import READERS as PETITION_READERS
from gateway.search import index, query, unavailable
from shared.errors import DomainError, NotFound

AnyOperator = Annotated[operators.Operator, Depends(operators.require())]
router = APIRouter(tags=["map"], responses=API_ERRORS)
# Layers only some roles may see, as search hides their kinds (gateway.routers.search.KIND_READERS).
LAYER_READERS = {"petitions": tuple(roles.normalise(r) for r in PETITION_READERS)}


class UnknownLayer(NotFound):
    """A layer the map does not have; the message lists those it has."""

    def __init__(self, layer: str) -> None:
        DomainError.__init__(self, f"map layer {layer!r} not found; the layers are {', '.join(query.LAYERS)}")
        self.kind, self.key = "map layer", layer


class PointGeometry(Out):
    """An RFC 7946 Point: coordinates [lon, lat]."""

    type: Literal["Point"]
    coordinates: list[float] = Field(min_length=2, max_length=2)


class FeatureProperties(Out):
    """What every feature says of itself; each kind adds its own facts (RFC 7946 properties are
    open: an outlet has `outlet_id`, a permit `permit_number`, ...)."""

    model_config = ConfigDict(extra="allow")

    kind: str
    id: str
    title: str
    town: str
    status: str


class Feature(Out):
    """One located thing on the map."""

    type: Literal["Feature"]
    id: str
    geometry: PointGeometry
    properties: FeatureProperties


class FeatureCollection(Out):
    """An RFC 7946 FeatureCollection of one layer; `note` says why a layer not fed yet is empty."""

    type: Literal["FeatureCollection"]
    layer: str
    features: list[Feature]
    truncated: bool | None = Field(None, description="More features match than were sent")
    note: str | None = Field(None, description="Only on a layer no source publishes yet")


@router.get(
    "/api/v1/map/{layer}.geojson", response_model=FeatureCollection, response_model_exclude_unset=True
)
def layer_geojson(
    request: Request,
    _operator: AnyOperator,
    layer: Annotated[str, Path(json_schema_extra={"enum": list(query.LAYERS)})],
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
    operators.admit(_operator, LAYER_READERS.get(layer, ()))
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
