"""GET /api/v1/search answered before routing, for the plain searches that are nearly all of them
(issue 16).

Profiled under wrk with a new query on every request (README "Benchmarks"), routing the request
and solving FastAPI's dependencies (the route rule, the operator, fourteen query parameters each
validated) with Starlette's request plumbing cost about as much gateway CPU as the search itself,
and the gateway shares its two cores with Elasticsearch. So a search whose caller and parameters
need nothing of that machinery is answered here, inside every edge middleware (security headers,
size limits, URL text rule, trace id), by the route's own functions
(`gateway.routers.search.plan` and `answer`: the same role-hidden kinds, checks, cache and answer):

- a GET of the route's exact path with an `Authorization` header whose value the gateway admitted
  in the last seconds (`gateway.operators.remembered_bearer`, the route's own dependency's look-up);
- a role the route's rule (gateway.roles) admits with nothing to scope (a grid commissioner's
  search is limited to their town by gateway.access: that goes to the route);
- each of the route's parameters given at most once, numbers as plain digits, and the checks of
  `plan` passed.

Anything else (no or an unknown credential, a cookie, another role, a parameter FastAPI would read
or refuse in its own way, bad input) goes on to the route unchanged, which answers or refuses it
exactly as before: this adds no way in and no answer of its own.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from starlette._utils import get_route_path

from gateway import operators, roles
from gateway.edge.limits import ASGIApp, Receive, Scope, Send
from gateway.routers import search
from shared.errors import DomainError

PATH = "/api/v1/search"
# The route's query parameters (by the names callers send) and Asked's fields they fill.
TEXT = {
    "q": "q",
    "kind": "kind",
    "town": "town",
    "grid": "grid",
    "status": "status",
    "since": "since",
    "until": "until",
    "bbox": "bbox",
    "page_token": "page_token",
}
NUMBERS = {"size": "size", "page_size": "page_size", "from": "start"}
# What pydantic reads as the same integer in any mode; anything else goes to FastAPI to judge.
_DIGITS = re.compile(r"[0-9]{1,9}")


def asked(query_string: bytes) -> search.Asked | None:
    """The route's parameters from a query string, or None when any is missing, repeated or not
    plainly what the route takes (the route then reads it, and answers or refuses it)."""
    values: dict[str, str | int] = {}
    # As FastAPI reads them (starlette.datastructures.QueryParams, without building its multidict).
    for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        field = TEXT.get(name) or NUMBERS.get(name)
        if field is None:
            continue  # not the route's: FastAPI ignores it too
        if field in values:
            return None
        if name in NUMBERS:
            if not _DIGITS.fullmatch(value):
                return None
            values[field] = int(value)
        else:
            values[field] = value
    if "q" not in values:
        return None
    return search.Asked(**values)  # type: ignore[arg-type]


def _authorization(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            return str(value.decode("latin-1"))
    return None


class EarlySearch:
    """ASGI middleware answering plain searches of known operators without routing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.rule = roles.find("GET", PATH)

    def _role(self, scope: Scope) -> str | None:
        """The caller's role when it may search unscoped and is known without a database read."""
        header = _authorization(scope)
        if header is None or self.rule is None or self.rule.public:
            return None
        operator = operators.remembered_bearer(scope["app"].state.engine, header)
        if operator is None or operator.role == roles.GRID_COMMISSIONER:
            return None
        if operator.role not in self.rule.roles:
            return None
        return operator.role

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and get_route_path(scope) == PATH:
            role = self._role(scope)
            given = asked(scope.get("query_string", b"")) if role is not None else None
            if role is not None and given is not None:
                try:
                    planned = search.plan(role, given)
                except DomainError:
                    planned = None  # the route refuses it, naming the parameter in its own words
                if planned is not None:
                    response = await search.answer(scope["app"].state, planned)
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)
