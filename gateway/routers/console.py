"""GET /console and /console/map: the operators' pages, the map (一图) drawn in the browser.

The machine serving the bureau has no internet, so the map loads nothing from outside: an inline SVG
of Cixi's extent (REFERENCE.md: about 121.0–121.55° E, 30.0–30.4° N) with the town centres placed
here, and a small inline script that fetches the operator's layers from /api/v1/map with the
session cookie and plots them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.templating import Jinja2Templates

from gateway import operators
from shared.vocabulary import CREDIT_LEVELS, TOWNS

router = APIRouter(tags=["console"], include_in_schema=False)
TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")


@dataclass(frozen=True)
class Extent:
    """The map's window in WGS 84 degrees and the SVG user units it is drawn in."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float
    width: int = 1000

    @property
    def x_scale(self) -> float:
        """SVG units per degree of longitude."""
        return self.width / (self.max_lon - self.min_lon)

    @property
    def y_scale(self) -> float:
        """SVG units per degree of latitude: a degree of longitude is cos(lat) as long as one of
        latitude, so north–south is stretched by 1/cos(mid-latitude) to keep shapes true."""
        return self.x_scale / math.cos(math.radians((self.min_lat + self.max_lat) / 2))

    @property
    def height(self) -> int:
        """The SVG height that keeps the aspect ratio."""
        return round((self.max_lat - self.min_lat) * self.y_scale)

    def project(self, lat: float, lon: float) -> tuple[float, float]:
        """SVG (x, y) of a point; y grows southwards."""
        return (
            round((lon - self.min_lon) * self.x_scale, 1),
            round((self.max_lat - lat) * self.y_scale, 1),
        )


# Cixi's extent (REFERENCE.md, demo city).
CIXI = Extent(min_lon=121.0, min_lat=30.0, max_lon=121.55, max_lat=30.4)
GRID_STEP = 0.05  # degrees between graticule lines

# The layers drawn, bottom to top, with the legend's words and colours.
LAYERS: tuple[dict[str, str], ...] = (
    {"name": "enterprises", "label": "企业 Enterprises", "colour": "#8a8f98", "shape": "circle"},
    {"name": "stations", "label": "监测站 Stations", "colour": "#1f5fbf", "shape": "square"},
    {"name": "alarms", "label": "报警 Open alarms", "colour": "#d7191c", "shape": "triangle"},
)
# Enterprise credit colours and legend words: the platform's one table (shared.vocabulary), the same
# colours as the printed code frames. An enterprise not rated yet is drawn in the layer's grey.
RATED = [level for level in CREDIT_LEVELS if level != "unrated"]
CREDIT_COLOURS = {level: CREDIT_LEVELS[level].colour for level in RATED}
CREDIT_LABELS = {level: CREDIT_LEVELS[level].short for level in RATED}


def _grid(extent: Extent) -> dict[str, list[dict[str, Any]]]:
    steps_lon = round((extent.max_lon - extent.min_lon) / GRID_STEP)
    steps_lat = round((extent.max_lat - extent.min_lat) / GRID_STEP)
    lons = [round(extent.min_lon + i * GRID_STEP, 2) for i in range(steps_lon + 1)]
    lats = [round(extent.min_lat + i * GRID_STEP, 2) for i in range(steps_lat + 1)]
    return {
        "lons": [{"value": lon, "x": extent.project(extent.min_lat, lon)[0]} for lon in lons],
        "lats": [{"value": lat, "y": extent.project(lat, extent.min_lon)[1]} for lat in lats],
    }


def _towns(extent: Extent) -> list[dict[str, Any]]:
    towns = []
    for name, (lat, lon) in TOWNS.items():
        x, y = extent.project(lat, lon)
        towns.append({"name": name, "lat": lat, "lon": lon, "x": x, "y": y})
    return towns


def _sign_in_first(path: str) -> Response:
    # 303: the browser follows with a GET to the form, which sends it back here once signed in.
    return RedirectResponse(f"/login?next={quote(path, safe='/')}", status_code=303)


def _page(request: Request, template: str, context: dict[str, Any]) -> Response:
    response = TEMPLATES.TemplateResponse(request, template, context)
    response.headers["Cache-Control"] = "no-store"  # an operator's page: never kept by a shared cache
    return response


@router.get("/console", response_model=None)
def console_index(request: Request) -> Response:
    """The operators' start page: links to the map, the API docs and the health check."""
    operator = operators.optional(request)
    if operator is None:
        return _sign_in_first("/console")
    return _page(request, "console/index.html", {"operator": operator})


@router.get("/console/map", response_model=None)
def console_map(request: Request) -> Response:
    """The map page: Cixi's towns in SVG, the layers fetched and plotted by an inline script."""
    operator = operators.optional(request)
    if operator is None:
        return _sign_in_first("/console/map")
    extent = CIXI
    context = {
        "operator": operator,
        "extent": extent,
        "bbox": f"{extent.min_lon},{extent.min_lat},{extent.max_lon},{extent.max_lat}",
        "grid": _grid(extent),
        "towns": _towns(extent),
        "layers": LAYERS,
        "credit_colours": CREDIT_COLOURS,
        "credit_labels": CREDIT_LABELS,
    }
    return _page(request, "console/map.html", context)
