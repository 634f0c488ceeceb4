"""GET /api/v1/search answered before routing, for the plain searches that are nearly all of them
(issue 16).

Profiled under wrk with a new query on every request (README "Benchmarks"), routing the request
and solving FastAPI's dependencies (the route rule, the operator, fourteen query parameters each
validated) with Starlette's request plumbing cost about as much gateway CPU as the search itself,
and the gateway shares its two cores with Elasticsearch. So a search whose caller and parameters
need nothing of that machinery is answered here, by the route's own functions
(`gateway.routers.search.plan` and `answer`: the same role-hidden kinds, checks, cache and answer).

This sits in front of the whole middleware stack (`gateway.app.Gateway`): measured beside a bare
ASGI app calling the same functions, the stack's seven layers (FastAPI's error and telemetry
middlewares, the four edge middlewares, the forwarded headers) with the look-ups here cost the
gateway 0.3 ms of its 1.0 ms per new search (README "Benchmarks"). So the edge's rules are applied
here, through the edge's own functions: a request any of them would refuse (headers too large, a
body, a URL breaking the text rule) goes on to the stack, which refuses it; an answered one carries
the same trace id and security headers, has its forwarded client address read as the stack would,
and a bug in it is answered as TraceIds answers one. It is answered early when it is

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
from typing import Any, cast
from urllib.parse import parse_qsl

from starlette._utils import get_route_path
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from gateway import operators, roles
from gateway.edge import headers, limits, text, trace
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


def _without_body(headers: list[tuple[bytes, bytes]]) -> bool:
    """No body declared: nothing for the edge's body limit to count (a GET with one goes on)."""
    for name, value in headers:
        if name == b"transfer-encoding" or (name == b"content-length" and value != b"0"):
            return False
    return True


async def _no_app(scope: Scope, receive: Receive, send: Send) -> None:
    """The end of the forwarded-header rewrite the early answer borrows (it only changes `scope`)."""


class EarlySearch:
    """ASGI app in front of the gateway's middleware stack: answers plain searches of known operators
    with the edge's rules applied here, and passes everything else to the stack unchanged."""

    def __init__(self, app: ASGIApp, *, trusted_proxies: tuple[str, ...] = ()) -> None:
        self.app = app
        self.rule = roles.find("GET", PATH)
        # The client's address and scheme as the stack's ProxyHeadersMiddleware makes them (for the
        # access log), done to the answered requests alone.
        self._forwarded: ASGIApp | None = None
        if trusted_proxies:
            # uvicorn types its middleware with its own ASGI types; Starlette's are the same protocol.
            self._forwarded = cast(
                ASGIApp, ProxyHeadersMiddleware(cast(Any, _no_app), trusted_hosts=list(trusted_proxies))
            )

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

    def _planned(self, scope: Scope) -> search.Planned | None:
        """The checked search of a request the stack would pass through its edge unchanged and hand
        to the route, or None for anything else (the stack then answers or refuses it)."""
        sent: list[tuple[bytes, bytes]] = scope["headers"]
        if limits.headers_too_large(sent) or not _without_body(sent):
            return None  # the edge refuses these, in its words
        if text.request_url_problem(scope) is not None:
            return None
        role = self._role(scope)
        given = asked(scope.get("query_string", b"")) if role is not None else None
        if role is None or given is None:
            return None
        try:
            return search.plan(role, given)
        except DomainError:
            return None  # the route refuses it, naming the parameter in its own words

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        planned = None
        if scope["type"] == "http" and scope["method"] == "GET" and get_route_path(scope) == PATH:
            planned = self._planned(scope)
        if planned is None:
            await self.app(scope, receive, send)
            return
        # What the edge middlewares do to every answer, as they do it: the security headers (from the
        # scheme as received, before the forwarded headers are read), then the trace id.
        added = headers.security_headers(scope)
        if self._forwarded is not None:
            await self._forwarded(scope, receive, send)

        async def answer(scope: Scope, receive: Receive, send: Send) -> None:
            response = await search.answer(scope["app"].state, planned)
            await response(scope, receive, send)

        await trace.traced(answer, scope, receive, headers.adding(added, send))
