"""The operators' console (一图一库): the map, the dashboard, the enterprise record and search pages.

The pages are thin HTML shells; their scripts (gateway/static/console/*.js, loaded with the page's
CSP nonce) read the same /api/v1 routes an API client does, with the session cookie, and put every
value on the page as text, never as markup. The map is Leaflet, served from the platform's own static
files (`make web-vendor`); with no tile server configured (the default) the grid polygons from the
enforcement service and the towns are its base, so it reads without tiles and without internet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.templating import Jinja2Templates

from gateway import operators
from gateway.edge.headers import content_security_policy
from gateway.search import query
from gateway.search.index import KINDS
from shared.vocabulary import CREDIT_LEVELS, TOWNS

router = APIRouter(tags=["console"], include_in_schema=False)
TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")

# Cixi's land (REFERENCE.md, demo city): west, south, east, north.
CIXI_BOUNDS = (121.0, 30.0, 121.55, 30.4)

# The map's point layers, bottom to top: the API layer, the legend's words, the marker's colour (an
# enterprise takes its credit colour, a station its status colour) and whether it starts switched on.
LAYERS: tuple[dict[str, Any], ...] = (
    {
        "name": "enterprises",
        "label": "企业 Enterprises",
        "colour": CREDIT_LEVELS["unrated"].colour,
        "on": True,
    },
    {"name": "stations", "label": "监测站 Stations", "colour": "#1f5fbf", "on": 0},
    {"name": "alarms", "label": "报警 Open alarms", "colour": "#d7191c", "on": 1},
    {"name": "problems", "label": "问题 Open problems", "colour": "#9c27b0", "on": 0},
    {"name": "hazards", "label": "隐患 Hazards", "colour": "#ef6c00", "on": 0},
    {"name": "emergencies", "label": "突发事件 Emergencies", "colour": "#b71c1c", "on": 0},
    {"name": "depots", "label": "物资库 Supply depots", "colour": "#00796b", "on": 0},
    {"name": "petitions", "label": "信访 Open petitions", "colour": "#6d4c41", "on": 0},
)
# Enterprise credit colours: the platform's one table (shared.vocabulary), the same colours as the
# printed code frames; an enterprise not rated yet is drawn in the unrated grey.
CREDIT_COLOURS = {level: look.colour for level, look in CREDIT_LEVELS.items() if level != "unrated"}
STATION_COLOURS = {"normal": "#1f5fbf", "alarm": "#d7191c", "fault": "#ef6c00"}

# Where the dashboard reads KPIs against their targets (evaluation's gateway route,
# gateway/routers/evaluation.py: every KPI as evaluation_out.KpiOut).
KPI_ROUTE = "/api/v1/kpis"


def _sign_in_first(path: str) -> Response:
    # 303: the browser follows with a GET to the form, which sends it back here once signed in.
    return RedirectResponse(f"/login?next={quote(path, safe='/')}", status_code=303)


def _tile_origin(url: str) -> str:
    """The origin a tile URL loads from ("" for the platform's own /path)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _page(request: Request, template: str, context: dict[str, Any]) -> Response:
    response = TEMPLATES.TemplateResponse(request, template, context)
    response.headers["Cache-Control"] = "no-store"  # an operator's page: never kept by a shared cache
    origin = _tile_origin(request.app.state.settings.console_tile_url)
    if origin:  # the configured tile server, and only it, may send images to the map
        nonce = request.state.csp_nonce
        response.headers["Content-Security-Policy"] = content_security_policy(
            request.url.path, nonce, image_origins=origin
        )
    return response


def _signed_in(request: Request, path: str, template: str, config: dict[str, Any]) -> Response:
    operator = operators.optional(request)
    if operator is None:
        return _sign_in_first(path)
    return _page(request, template, {"operator": operator, "config": config})


@router.get("/console", response_model=None)
def console_index(request: Request) -> Response:
    """The operators' start page: the map, the dashboard, search, the API docs and the health check."""
    return _signed_in(request, "/console", "console/index.html", {})


@router.get("/console/map", response_model=None)
def console_map(request: Request) -> Response:
    """The map (一图): grids as the base, the point layers with toggles, popups and clusters."""
    settings = request.app.state.settings
    config = {
        "bounds": CIXI_BOUNDS,
        "towns": [{"name": name, "lat": lat, "lon": lon} for name, (lat, lon) in TOWNS.items()],
        "layers": LAYERS,
        "pending": list(query.PENDING_LAYERS),
        "credit": {
            level: {"colour": look.colour, "label": look.short} for level, look in CREDIT_LEVELS.items()
        },
        "station_colours": STATION_COLOURS,
        "tiles": {"url": settings.console_tile_url, "attribution": settings.console_tile_attribution},
    }
    return _signed_in(request, "/console/map", "console/map.html", config)


@router.get("/console/dashboard", response_model=None)
def console_dashboard(request: Request) -> Response:
    """KPIs against their targets, from the evaluation service's route (a panel says when it is away)."""
    return _signed_in(request, "/console/dashboard", "console/dashboard.html", {"kpis": KPI_ROUTE})


@router.get("/console/search", response_model=None)
def console_search(request: Request) -> Response:
    """Search (一库) with facets by kind, town and status."""
    config = {"kinds": list(KINDS), "towns": list(TOWNS)}
    return _signed_in(request, "/console/search", "console/search.html", config)


@router.get("/console/enterprises/{uscc}", response_model=None)
def console_enterprise(request: Request, uscc: str) -> Response:
    """The enterprise record (一企一档) page: every section the record route answers."""
    path = f"/console/enterprises/{quote(uscc, safe='')}"
    return _signed_in(request, path, "console/enterprise.html", {"uscc": uscc})
