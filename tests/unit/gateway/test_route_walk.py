"""The route walk (issue 15): every route of the OpenAPI document, without credentials -> 401, with
each role the route's rule does not admit -> 403, with each role it admits -> neither; a grid
commissioner out of their area -> 403 (a list asked for another town, a record elsewhere) or the
list filtered to their town. Public routes are the only ones answering without credentials.

The services behind are fakes (tests/unit/gateway/fakes.py): the permits and monitoring stubs say
where an enterprise or station is; every other call answers UNAVAILABLE, which is neither 401 nor 403.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from eco.v1 import monitoring_pb2, permits_pb2
from gateway import access, operators, roles
from gateway.routers.petitions import READERS as PETITION_READERS
from tests.unit.gateway.fakes import FakeStub
from tests.unit.gateway.support import gateway

HOME, ELSEWHERE = "浒山街道", "周巷镇"
HOME_GRID = "hushan-03"
PLACEHOLDERS = {"uscc": "91330100716105852F", "station_id": "st-walk-1", "layer": "enterprises"}
# Enough for a route's own parameters, so that what it answers is about who calls it.
PARAMS = {"q": "x", "from": "2026-01-01", "to": "2026-01-02", "key_id": "k1"}


def _token(role: str) -> str:
    return f"tok-walk-{role}"


class Places:
    """Where the fake services say the walk's enterprise and station are."""

    town = HOME
    grid = HOME_GRID


@pytest.fixture(scope="module")
def walk(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[TestClient, Places, dict[str, FakeStub]]]:
    places = Places()
    with gateway(tmp_path_factory.mktemp("walk")) as client:
        app: Any = client.app
        for role in roles.ROLES:
            area = {"town": HOME, "grid": HOME_GRID} if role == roles.GRID_COMMISSIONER else {}
            operators.create(
                app.state.engine,
                username=f"walk.{role}".replace("_", "-"),
                display_name=role,
                role=role,
                token=_token(role),
                **area,
            )
        stubs = {
            "permits": FakeStub(
                "permits",
                GetEnterprise=lambda r: permits_pb2.Enterprise(
                    uscc=r.uscc, fields=permits_pb2.EnterpriseFields(town=places.town, grid=places.grid)
                ),
            ),
            "monitoring": FakeStub(
                "monitoring",
                GetStation=lambda r: monitoring_pb2.Station(station_id=r.station_id, town=places.town),
            ),
            "codes": FakeStub("codes"),
            "enforcement": FakeStub("enforcement"),
        }
        for name, stub in stubs.items():
            setattr(app.state.clients, name, stub)
        yield client, places, stubs


def _forget_areas(client: TestClient) -> None:
    # The gateway keeps where a record is for a minute (gateway.access); the fakes just moved it.
    state = client.app.state  # type: ignore[attr-defined]
    state.__dict__.get("_state", {}).get("areas", {}).clear()


def _operations(client: TestClient) -> list[tuple[str, str, roles.Rule]]:
    """Every operation of the OpenAPI document with the rule its route is held to."""
    served = {
        (m, r.path): access.route_rule(r, m)
        for r in access.api_routes(client.app.routes)  # type: ignore[attr-defined]
        for m in r.methods or ()
    }
    found = []
    for path, item in client.get("/openapi.json").json()["paths"].items():
        for method in item:
            if method in ("get", "post", "put", "patch", "delete"):
                found.append((method.upper(), path, served[(method.upper(), path)]))
    return found


def _url(path: str) -> str:
    return re.sub(r"\{([^}]+)\}", lambda m: PLACEHOLDERS.get(m.group(1), "walk"), path)


def _call(client: TestClient, method: str, path: str, role: str | None, **params: str) -> int:
    headers = {"Authorization": f"Bearer {_token(role)}"} if role else {}
    answer = client.request(
        method, _url(path), params={**PARAMS, **params}, headers=headers, follow_redirects=False
    )
    return answer.status_code


def test_the_walk_covers_every_operators_route(walk: tuple[TestClient, Places, dict[str, FakeStub]]) -> None:
    operations = _operations(walk[0])
    guarded = [o for o in operations if not o[2].public]
    assert len(guarded) >= 25
    public = {(m, p) for m, p, r in operations if r.public}
    # The only routes open to anyone: the code page and a petition from it, tracking a petition,
    # the published inspection draws and results (双随机、一公开), health, signing in.
    assert public == {
        ("GET", "/healthz"),
        ("GET", "/c/{token}"),
        ("POST", "/c/{token}/petitions"),
        ("GET", "/petitions/track/{tracking_code}"),
        ("GET", "/public/inspections/draws"),
        ("GET", "/public/inspections/draws/{draw_id}"),
        ("GET", "/public/inspections/results"),
        ("GET", "/login"),
        ("POST", "/login"),
        ("POST", "/logout"),
        ("POST", "/api/v1/session"),
    }


def test_without_credentials_every_guarded_route_is_401(
    walk: tuple[TestClient, Places, dict[str, FakeStub]],
) -> None:
    client = walk[0]
    wrong = [
        f"{m} {p}: {status}"
        for m, p, rule in _operations(client)
        if not rule.public and (status := _call(client, m, p, None)) != 401
    ]
    assert not wrong, "\n".join(wrong)


def test_a_role_the_rule_does_not_admit_is_403_and_one_it_admits_is_let_through(
    walk: tuple[TestClient, Places, dict[str, FakeStub]],
) -> None:
    client = walk[0]
    wrong = []
    for method, path, rule in _operations(client):
        if rule.public:
            continue
        for role in roles.ROLES:
            status = _call(client, method, path, role)
            if role in rule.roles and status in (401, 403):
                wrong.append(f"{method} {path} as {role}: {status}, but the rule admits {role}")
            if role not in rule.roles and status != 403:
                wrong.append(f"{method} {path} as {role}: {status}, not 403")
    assert not wrong, "\n".join(wrong)


def test_a_grid_commissioner_is_held_to_their_area(
    walk: tuple[TestClient, Places, dict[str, FakeStub]],
) -> None:
    client, places, stubs = walk
    commissioner = roles.GRID_COMMISSIONER
    wrong = []
    for method, path, rule in _operations(client):
        if commissioner not in rule.roles or rule.scope is roles.Scope.ROUTE:
            continue  # not admitted, or the route checks the area itself (its own tests)
        if rule.scope is roles.Scope.FILTER:
            if (status := _call(client, method, path, commissioner, town=ELSEWHERE)) != 403:
                wrong.append(f"{method} {path} for town={ELSEWHERE}: {status}")
        elif rule.scope in (roles.Scope.ENTERPRISE, roles.Scope.STATION):
            places.town, places.grid = ELSEWHERE, "zhouxiang-01"
            _forget_areas(client)
            try:
                if (status := _call(client, method, path, commissioner)) != 403:
                    wrong.append(f"{method} {path} for a record in {ELSEWHERE}: {status}")
            finally:
                places.town, places.grid = HOME, HOME_GRID
                _forget_areas(client)
        # Their own area (or their own session) is theirs.
        if (status := _call(client, method, path, commissioner)) in (401, 403):
            wrong.append(f"{method} {path} in their own area: {status}")
    assert not wrong, "\n".join(wrong)
    # Another grid of their own town is outside a commissioner scoped to one grid.
    places.grid = "hushan-04"
    _forget_areas(client)
    try:
        assert _call(client, "GET", "/api/v1/enterprises/{uscc}", commissioner) == 403
    finally:
        places.grid = HOME_GRID
        _forget_areas(client)
    assert stubs["permits"].calls


def test_a_commissioners_list_is_filtered_to_their_town(
    walk: tuple[TestClient, Places, dict[str, FakeStub]],
) -> None:
    client, _, stubs = walk
    permits = stubs["permits"]
    permits.methods["ListEnterprises"] = lambda r: permits_pb2.ListEnterprisesResponse()
    try:
        for role, asked, seen in (
            (roles.GRID_COMMISSIONER, "", HOME),
            (roles.GRID_COMMISSIONER, HOME, HOME),
            (roles.INSPECTOR, "", ""),
            (roles.INSPECTOR, ELSEWHERE, ELSEWHERE),
        ):
            permits.calls.clear()
            params = {"town": asked} if asked else {}
            assert _call(client, "GET", "/api/v1/enterprises", role, **params) == 200
            assert [c[1].town for c in permits.calls if c[0] == "ListEnterprises"] == [seen], (role, asked)
    finally:
        del permits.methods["ListEnterprises"]


@pytest.mark.parametrize("role", roles.ROLES)
def test_the_petitions_layer_is_for_those_who_may_read_petitions(
    walk: tuple[TestClient, Places, dict[str, FakeStub]], role: str
) -> None:
    # As search hides the petition kind from them, the map hides the layer (a 403 naming the roles).
    client, _, _ = walk
    answer = client.get("/api/v1/map/petitions.geojson", headers={"Authorization": f"Bearer {_token(role)}"})
    if role in {roles.normalise(r) for r in PETITION_READERS}:
        assert answer.status_code != 403, answer.text
    else:
        assert answer.status_code == 403 and "needs one of" in answer.json()["message"], answer.text
