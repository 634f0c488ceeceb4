"""The operators' console pages: sign-in first, then the map's SVG with the city's towns."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gateway import config, operators
from gateway.app import create_app
from gateway.routers.console import CIXI
from shared.vocabulary import TOWNS

TOKEN = "tok-console-officer"
PASSWORD = "console-officer-passphrase"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """The gateway on SQLite with its indexer off (the pages themselves need no servers)."""
    env = {
        "ECO_RUN_DIR": str(tmp_path),
        "ECO_GATEWAY_INDEXER": "0",
        "ECO_GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.db'}",
    }
    with TestClient(create_app(config.load(env))) as client:
        engine = client.app.state.engine  # type: ignore[attr-defined]
        operators.create(
            engine, username="zhou.li", display_name="周丽", role="dispatcher", token=TOKEN, password=PASSWORD
        )
        yield client


@pytest.mark.parametrize("path", ["/console/map", "/console"])
def test_an_anonymous_visitor_is_sent_to_sign_in(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={path}"


def test_a_wrong_bearer_token_is_not_let_in(client: TestClient) -> None:
    response = client.get("/console/map", headers={"Authorization": "Bearer nope"}, follow_redirects=False)
    assert response.status_code == 303


def test_a_signed_in_officer_gets_the_map_with_every_town_labelled(client: TestClient) -> None:
    signed_in = client.post(
        "/login",
        data={"username": "zhou.li", "password": PASSWORD, "next": "/console/map"},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/console/map"
    response = client.get("/console/map")  # the client carries the session cookie now
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<svg id="map"' in page
    for name in TOWNS:
        assert f">{name}</text>" in page
    for layer in ("enterprises", "stations", "alarms"):
        assert f'id="layer-{layer}"' in page and f'data-layer="{layer}"' in page
    assert 'credentials: "same-origin"' in page
    # Nothing loaded from elsewhere (no CDN, no tiles): the bureau's machines have no internet.
    assert not re.search(r"(src|href)=\"?(https?:)?//|url\(|@import", page)


def test_a_bearer_token_opens_the_index(client: TestClient) -> None:
    response = client.get("/console", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    for link in ('href="/console/map"', 'href="/docs"', 'href="/healthz"'):
        assert link in response.text


def test_towns_land_inside_the_drawing_and_north_is_up() -> None:
    width, height = CIXI.width, CIXI.height
    for lat, lon in TOWNS.values():
        x, y = CIXI.project(lat, lon)
        assert 0 < x < width and 0 < y < height
    # 庵东 lies north of 龙山, and 龙山 east of 周巷.
    assert CIXI.project(*TOWNS["庵东"])[1] < CIXI.project(*TOWNS["龙山"])[1]
    assert CIXI.project(*TOWNS["龙山"])[0] > CIXI.project(*TOWNS["周巷"])[0]
    # Equal distances in km look equal: at 30.2° N a degree of longitude is ~0.864 of one of latitude.
    assert CIXI.y_scale / CIXI.x_scale == pytest.approx(1 / 0.864, rel=0.01)
