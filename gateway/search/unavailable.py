"""Running a query against Elasticsearch, turning its absence into a clear 503 for the routes."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import elastic_transport
from elasticsearch import ApiError
from fastapi.responses import JSONResponse

from gateway.search.direct import Unavailable
from shared.tracing import current_trace_id

log = logging.getLogger(__name__)


def run(query: Callable[[], Any]) -> Any | JSONResponse:
    """The query's result, or a 503 answer when Elasticsearch cannot be reached or is overloaded."""
    try:
        return query()
    except (elastic_transport.ConnectionError, elastic_transport.ConnectionTimeout, ApiError) as exc:
        return _unavailable(exc)


async def run_async(query: Callable[[], Awaitable[Any]]) -> Any | JSONResponse:
    """`run` for gateway.search.direct (routes that answer on the event loop)."""
    try:
        return await query()
    except Unavailable as exc:
        return _answer(exc.reason)


def _unavailable(exc: Exception) -> JSONResponse:
    """A 503 for Elasticsearch's absence or overload; any other error goes on as the bug it is."""
    if isinstance(exc, ApiError):
        if exc.meta.status not in (429, 502, 503, 504):
            raise exc
        reason = f"Elasticsearch answered {exc.meta.status}"
    else:
        reason = f"cannot reach Elasticsearch ({type(exc).__name__})"
    return _answer(reason)


def _answer(reason: str) -> JSONResponse:
    log.warning("search unavailable: %s", reason)
    body = {"error": "UNAVAILABLE", "message": f"search is unavailable: {reason}; try again shortly"}
    return JSONResponse({**body, "trace_id": current_trace_id()}, status_code=503)
