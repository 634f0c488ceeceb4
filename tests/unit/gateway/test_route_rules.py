"""The route table (gateway.roles) covers every route of the app, agrees with the roles routes name
themselves, and its area rules fit the routes they are put on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from gateway import access, config, operators, roles
from gateway.app import create_app
from tests.unit.gateway.support import gateway_env


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return create_app(config.load(gateway_env(tmp_path_factory.mktemp("rules"))))


def _routes(app: FastAPI) -> Iterator[tuple[str, str, APIRoute]]:
    for route in access.api_routes(app.routes):
        for method in sorted(route.methods or ()):
            yield method, route.path, route


def _declared(dependant: Dependant) -> Iterator[tuple[str, ...]]:
    for sub in dependant.dependencies:
        found = operators.declared_roles(sub.call)
        if found:
            yield found
        yield from _declared(sub)


def test_the_routes_walked_are_those_the_openapi_document_lists(app: FastAPI) -> None:
    walked = {p for _, p, r in _routes(app) if r.include_in_schema}
    assert walked == set(app.openapi()["paths"])


def test_every_route_has_a_rule(app: FastAPI) -> None:
    """A route in no table is for administrators only; a router added without its rule fails here."""
    missing = [
        f"{m} {p}"
        for m, p, r in _routes(app)
        if roles.find(m, p, r.tags) is None and not access.declared_roles(r)
    ]
    assert not missing, "routes without a rule in gateway/roles.py (ROUTES or TAGS):\n" + "\n".join(missing)


def test_every_rule_names_a_route_the_app_serves(app: FastAPI) -> None:
    served = {("GET" if m == "HEAD" else m, p) for m, p, _ in _routes(app)}
    stale = sorted(f"{m} {p}" for m, p in roles.ROUTES if (m, p) not in served)
    assert not stale, f"rules for routes the app does not serve: {stale}"


def test_roles_a_route_names_itself_admit_everyone_the_table_admits(app: FastAPI) -> None:
    """`operators.require(...)` may only repeat the table: a narrower list would refuse a role the
    table (and so the documentation of who may call what) admits."""
    disagree = []
    for method, path, route in _routes(app):
        rule = access.route_rule(route, method)
        for named in _declared(route.dependant):
            if not rule.roles <= set(named):
                disagree.append(f"{method} {path}: table {sorted(rule.roles)}, route {sorted(named)}")
    assert not disagree, "\n".join(disagree)


def test_area_rules_fit_their_routes(app: FastAPI) -> None:
    misfits = []
    for method, path, route in _routes(app):
        rule = access.route_rule(route, method)
        query = {p.alias for p in route.dependant.query_params}
        if rule.scope is roles.Scope.FILTER and "town" not in query:
            misfits.append(f"{method} {path}: FILTER without a town parameter")
        if rule.scope is roles.Scope.ENTERPRISE and "{uscc}" not in path:
            misfits.append(f"{method} {path}: ENTERPRISE without {{uscc}}")
        if rule.scope is roles.Scope.STATION and "{station_id}" not in path:
            misfits.append(f"{method} {path}: STATION without {{station_id}}")
    assert not misfits, "\n".join(misfits)


def test_a_rule_admitting_grid_commissioners_must_say_how_their_area_applies() -> None:
    with pytest.raises(ValueError, match="area"):
        roles.rule(roles.ADMIN, roles.GRID_COMMISSIONER)
    with pytest.raises(ValueError, match="no role"):
        roles.rule("chief")
    assert roles.rule("officer").roles == {roles.DISPATCHER}  # a first-release name
