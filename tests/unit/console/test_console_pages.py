"""The operators' console pages: sign-in first, then thin pages that load only the platform's own
scripts (Leaflet from gateway/static/vendor) under the page's CSP nonce."""

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from eco.v1 import common_pb2, enforcement_pb2
from gateway import config, operators
from gateway.app import STATIC_DIR, create_app
from gateway.routers import grids
from shared.settings import SettingsError
from shared.vocabulary import CREDIT_LEVELS, TOWNS

TOKEN = "tok-console-officer"
PASSWORD = "console-officer-passphrase"
PAGES = [
    "/console",
    "/console/map",
    "/console/dashboard",
    "/console/search",
    "/console/enterprises/91330282MA2AAAAA1X",
]


def _client(tmp_path: Path, **extra: str) -> Iterator[TestClient]:
    env = {
        "ECO_RUN_DIR": str(tmp_path),
        "ECO_GATEWAY_INDEXER": "0",
        "ECO_GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.db'}",
        **extra,
    }
    with TestClient(create_app(config.load(env))) as client:
        engine = client.app.state.engine  # type: ignore[attr-defined]
        operators.create(
            engine, username="zhou.li", display_name="周丽", role="dispatcher", token=TOKEN, password=PASSWORD
        )
        yield client


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """The gateway on SQLite with its indexer off (the pages themselves need no servers)."""
    yield from _client(tmp_path)


def _page_config(page: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="console-config">(.*?)</script>', page, re.S)
    assert found, "the page's data block"
    return json.loads(found.group(1))  # type: ignore[no-any-return]


@pytest.mark.parametrize("path", PAGES)
def test_an_anonymous_visitor_is_sent_to_sign_in(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={path}"


def test_a_wrong_bearer_token_is_not_let_in(client: TestClient) -> None:
    response = client.get("/console/map", headers={"Authorization": "Bearer nope"}, follow_redirects=False)
    assert response.status_code == 303


@pytest.mark.parametrize("path", PAGES)
def test_every_page_loads_only_its_own_scripts_with_the_nonce(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    nonce = re.search(r"'nonce-([^']+)'", response.headers["content-security-policy"])
    assert nonce and "img-src 'self' data:;" in response.headers["content-security-policy"]
    page = response.text
    # Nothing loaded from elsewhere (no CDN, no tiles): the bureau's machines have no internet.
    assert not re.search(r"(src|href)=\"?(https?:)?//|url\(|@import", page)
    # No inline code: every script is a file of the platform's or a JSON data block, with the nonce.
    for tag in re.findall(r"<script[^>]*>", page):
        assert 'type="application/json"' in tag or (
            f'nonce="{nonce.group(1)}"' in tag and 'src="/static/' in tag
        )
    assert response.headers["cache-control"] == "no-store"


def test_the_map_page_has_every_layer_toggle_and_the_city_in_its_data(client: TestClient) -> None:
    signed_in = client.post(
        "/login",
        data={"username": "zhou.li", "password": PASSWORD, "next": "/console/map"},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/console/map"
    page = client.get("/console/map").text  # the client carries the session cookie now
    assert '<div id="map"' in page and 'src="/static/vendor/leaflet/leaflet.js"' in page
    assert 'src="/static/vendor/leaflet.markercluster/leaflet.markercluster.js"' in page
    for layer in (
        "grids",
        "enterprises",
        "stations",
        "alarms",
        "problems",
        "hazards",
        "emergencies",
        "depots",
    ):
        assert f'data-layer="{layer}"' in page and f'id="count-{layer}"' in page
    data = _page_config(page)
    assert {t["name"] for t in data["towns"]} == set(TOWNS)
    assert data["credit"]["red"]["colour"] == CREDIT_LEVELS["red"].colour
    assert data["tiles"] == {"url": "", "attribution": ""}


def test_a_configured_tile_server_is_the_one_origin_the_map_may_load_images_from(tmp_path: Path) -> None:
    tiles = "https://tiles.bureau.example/{z}/{x}/{y}.png"
    for client in _client(tmp_path, ECO_CONSOLE_TILE_URL=tiles):
        response = client.get("/console/map", headers={"Authorization": f"Bearer {TOKEN}"})
        policy = response.headers["content-security-policy"]
        assert "img-src 'self' data: https://tiles.bureau.example;" in policy
        assert re.search(r"script-src 'nonce-[^']+';", policy)  # scripts still only the page's own
        assert _page_config(response.text)["tiles"]["url"] == tiles


def test_a_tile_url_without_its_placeholders_stops_the_gateway() -> None:
    with pytest.raises(SettingsError, match="ECO_CONSOLE_TILE_URL"):
        config.load({"ECO_CONSOLE_TILE_URL": "https://tiles.example/tile.png"})


def test_the_record_page_puts_the_uscc_in_its_data_escaped(client: TestClient) -> None:
    response = client.get("/console/enterprises/%3Cscript%3E", headers={"Authorization": f"Bearer {TOKEN}"})
    assert "<script>alert" not in response.text and '<script>"' not in response.text
    assert _page_config(response.text)["uscc"] == "<script>"
    assert "\\u003cscript\\u003e" in response.text  # tojson escapes < and > inside the data block


def test_the_vendored_libraries_are_served_from_the_platform(client: TestClient) -> None:
    vendor = STATIC_DIR / "vendor" / "leaflet" / "leaflet.js"
    assert vendor.exists(), "run `make web-vendor` (make test-unit does) to fetch Leaflet"
    for path in (
        "/static/vendor/leaflet/leaflet.js",
        "/static/vendor/leaflet.markercluster/leaflet.markercluster.js",
    ):
        response = client.get(path)
        assert response.status_code == 200 and "javascript" in response.headers["content-type"]
    assert client.get("/static/console/map.js").status_code == 200
    assert client.get("/static/../app.py").status_code == 404


def test_a_grid_becomes_a_closed_polygon_with_longitude_first() -> None:
    grid = enforcement_pb2.Grid(
        grid_id="G-ZH",
        name="宗汉街道",
        town="宗汉",
        level=2,
        boundary=[
            common_pb2.GeoPoint(lat=lat, lon=lon)
            for lat, lon in ((30.2, 121.3), (30.2, 121.4), (30.3, 121.4))
        ],
    )
    feature = grids.feature(grid)
    assert feature is not None
    ring = feature["geometry"]["coordinates"][0]
    assert ring[0] == [121.3, 30.2] and ring[-1] == ring[0] and len(ring) == 4
    assert feature["properties"]["level"] == 2
    assert grids.feature(enforcement_pb2.Grid(grid_id="G-0")) is None
