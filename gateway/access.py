"""The one dependency every route runs first: the route's rule from gateway.roles, applied.

Public routes pass. Others need an operator (401 without one) whose role the rule admits (403
otherwise); a grid commissioner is then held to their area as the rule's scope says: a list's `town`
filter is set to their town (another town asked for: 403), and a route naming one enterprise or
station answers only if it is in their area (403 otherwise).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from urllib.parse import urlencode

import grpc
from fastapi import Request
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.routing import BaseRoute

from eco.v1 import monitoring_pb2, permits_pb2
from gateway import operators, roles
from gateway.clients import clients_of
from shared.errors import PermissionDenied

AREA_TIMEOUT = 5.0
AREA_TTL_SECONDS = 60.0  # an enterprise or station seldom moves town; a minute of staleness is harmless


def api_routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    """Every API route of an app's route list, routers included (their routes keep their full path:
    routers take their prefix when made, never when included)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)  # FastAPI's included-router branch
        if included is not None:
            yield from api_routes(included.routes)


def declared_roles(route: BaseRoute | None) -> frozenset[str]:
    """The roles a route's own `operators.require(...)` dependencies name (empty: none named)."""
    found: set[str] = set()
    stack = list(getattr(getattr(route, "dependant", None), "dependencies", []))
    while stack:
        sub = stack.pop()
        named = operators.declared_roles(sub.call)
        if named:
            found.update(named)
        stack.extend(sub.dependencies)
    return frozenset(found)


def route_rule(route: BaseRoute | None, method: str) -> roles.Rule:
    """The rule of a matched route: the table's (gateway.roles); for a route in no table, the roles it
    names itself with `operators.require(...)` (it then checks a commissioner's area itself); else
    administrators only."""
    path = getattr(route, "path", "")
    tags = getattr(route, "tags", None) or ()
    found = roles.find(method, path, tags)
    if found is not None:
        return found
    declared = declared_roles(route)
    if declared:
        scope = roles.Scope.ROUTE if roles.GRID_COMMISSIONER in declared else roles.Scope.CITY
        return roles.Rule(declared, scope)
    return roles.ADMIN_ONLY


def outside(operator: operators.Operator, *, town: str, grid: str = "") -> bool:
    """Whether a place (its town, and grid where known) is outside a grid commissioner's area."""
    if operator.role != roles.GRID_COMMISSIONER:
        return False
    if town != operator.town:
        return True
    return bool(operator.grid and grid and grid != operator.grid)


def check_area(operator: operators.Operator, *, town: str, grid: str = "", what: str = "this record") -> None:
    """PermissionDenied when `what` lies outside a grid commissioner's area (routes checking a record
    they have read themselves call this)."""
    if outside(operator, town=town, grid=grid):
        raise PermissionDenied(f"{what} is outside your area ({_area_name(operator)})")


def _area_name(operator: operators.Operator) -> str:
    return operator.town + (f" / {operator.grid}" if operator.grid else "")


def _limit_list(request: Request, operator: operators.Operator, route: BaseRoute | None) -> None:
    names = {p.alias or p.name for p in getattr(getattr(route, "dependant", None), "query_params", [])}
    if "town" not in names:
        raise PermissionDenied("this list cannot be limited to your area; ask the bureau")
    asked = request.query_params.get("town", "")
    if asked and asked != operator.town:
        raise PermissionDenied(f"town {asked!r} is outside your area ({_area_name(operator)})")
    if asked:
        return
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k != "town"]
    pairs.append(("town", operator.town))
    query = urlencode(pairs)
    # The route's own parameters are read after this dependency, from these (FastAPI solves the
    # dependencies first); the scope too, for anything reading the raw query string.
    request.scope["query_string"] = query.encode()
    request._query_params = QueryParams(query)


_areas_lock = threading.Lock()


def _areas(request: Request) -> dict[tuple[str, str], tuple[float, tuple[str, str] | None]]:
    state = request.app.state
    with _areas_lock:
        if not hasattr(state, "areas"):
            state.areas = {}
        found: dict[tuple[str, str], tuple[float, tuple[str, str] | None]] = state.areas
    return found


def _area_of(request: Request, kind: str, key: str) -> tuple[str, str] | None:
    """The (town, grid) of an enterprise or station, None when it does not exist (the route says 404)."""
    cache = _areas(request)
    with _areas_lock:
        hit = cache.get((kind, key))
    if hit is not None and time.monotonic() - hit[0] < AREA_TTL_SECONDS:
        return hit[1]
    clients = clients_of(request.app.state)
    call = {"metadata": clients.metadata(), "timeout": AREA_TIMEOUT}
    found: tuple[str, str] | None
    try:
        if kind == "enterprise":
            enterprise = clients.permits.GetEnterprise(permits_pb2.GetEnterpriseRequest(uscc=key), **call)
            found = (enterprise.fields.town, enterprise.fields.grid)
        else:
            station = clients.monitoring.GetStation(monitoring_pb2.GetStationRequest(station_id=key), **call)
            found = (station.town, "")
    except grpc.RpcError as error:
        if error.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):  # type: ignore[attr-defined]
            return None
        raise  # the service is down: 503 through the usual mapping, never an unchecked answer
    with _areas_lock:
        if len(cache) > 50_000:
            cache.clear()
        cache[(kind, key)] = (time.monotonic(), found)
    return found


def _check_record(request: Request, operator: operators.Operator, kind: str, param: str) -> None:
    key = str(request.path_params.get(param, ""))
    area = _area_of(request, kind, key.strip().upper() if kind == "enterprise" else key)
    if area is not None:
        check_area(operator, town=area[0], grid=area[1], what=f"{kind} {key}")


async def authorize(request: Request) -> None:
    """Apply the matched route's rule (registered on the app, so it runs before every route)."""
    route = request.scope.get("route")
    rule = route_rule(route, request.method)
    if rule.public:
        return
    operator = operators.admit(await operators.current_on_loop(request), rule.roles)
    if operator.role != roles.GRID_COMMISSIONER:
        return
    if rule.scope is roles.Scope.FILTER:
        _limit_list(request, operator, route)
    elif rule.scope is roles.Scope.ENTERPRISE:
        await run_in_threadpool(_check_record, request, operator, "enterprise", "uscc")
    elif rule.scope is roles.Scope.STATION:
        await run_in_threadpool(_check_record, request, operator, "station", "station_id")
    elif rule.scope not in (roles.Scope.OWN, roles.Scope.ROUTE):
        raise PermissionDenied("grid commissioners may not do this")
