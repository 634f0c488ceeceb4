"""Running a query against Elasticsearch, turning its absence into a clear 503 for the routes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import elastic_transport
from elasticsearch import ApiError
from fastapi.responses import JSONResponse

from shared.tracing import current_trace_id

log = logging.getLogger(__name__)


def run(query: Callable[[], Any]) -> Any | JSONResponse:
    """The query's result, or a 503 answer when Elasticsearch cannot be reached or is overloaded."""
    try:
        return query()
    except (elastic_transport.ConnectionError, elastic_transport.ConnectionTimeout) as exc:
        reason = f"cannot reach Elasticsearch ({type(exc).__name__})"
    except ApiError as exc:
        if exc.meta.status not in (429, 502, 503, 504):
            raise
        reason = f"Elasticsearch answered {exc.meta.status}"
    log.warning("search unavailable: %s", reason)
    body = {"error": "UNAVAILABLE", "message": f"search is unavailable: {reason}; try again shortly"}
    return JSONResponse({**body, "trace_id": current_trace_id()}, status_code=503)
