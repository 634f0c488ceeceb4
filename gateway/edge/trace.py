"""Trace ids on every answer, and the API's error shape for a bug instead of a traceback.

Plain ASGI rather than Starlette's `BaseHTTPMiddleware`, which runs the app in a task of its own
and copies every response through a stream: measured with py-spy, that cost more than the search
route's own work on every request (issue 16).
"""

from __future__ import annotations

import logging

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway import errors
from shared.tracing import TRACE_METADATA_KEY, trace_scope

log = logging.getLogger(__name__)
# The API's header and the gRPC metadata key are one name: callers pass a trace on either way.
assert errors.TRACE_HEADER.lower() == TRACE_METADATA_KEY
TRACE_HEADER = TRACE_METADATA_KEY.encode("latin-1")  # as ASGI names it


def incoming_trace_id(scope: Scope) -> str | None:
    """The caller's trace id: the first X-Trace-Id, as Starlette's Headers.get finds it (ASGI header
    names are lower case)."""
    given = (value for name, value in scope["headers"] if name == TRACE_HEADER)
    return next((value.decode("latin-1") for value in given), None)


class TraceIds:
    """Runs each request under the caller's trace id (or a new one) and names it in the answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await traced(self.app, scope, receive, send)


async def traced(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """Run an HTTP request through `app` under the caller's trace id (or a new one), named in the
    answer; a bug is logged and answered in the API's shape with that id (TraceIds, and the searches
    answered in front of the stack, gateway.search.early)."""
    with trace_scope(incoming_trace_id(scope)) as trace_id:
        started = False
        value = trace_id.encode("latin-1")

        async def send_with_trace(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() != TRACE_HEADER]
                message["headers"] = [*kept, (TRACE_HEADER, value)]
            await send(message)

        try:
            await app(scope, receive, send_with_trace)
        except ClientDisconnect:
            raise  # not a bug: the client left, or a size limit cut the body off (gateway.edge)
        except Exception:
            if started:
                raise  # half an answer is out: nothing better to send than closing it
            # A bug, not the caller's fault: answer in the API's own shape, with the trace id that
            # finds the traceback in the logs.
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            await errors.internal_error()(scope, receive, send_with_trace)
