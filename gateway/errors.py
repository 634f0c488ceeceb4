"""One mapping from gRPC status and domain errors to HTTP, with the same message (DESIGN.md, Contracts)."""

from __future__ import annotations

from typing import Any

import grpc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.errors import DomainError
from shared.tracing import TRACE_METADATA_KEY, current_trace_id, trace_scope

TRACE_HEADER = "X-Trace-Id"

HTTP_STATUS_OF = {
    "INVALID_ARGUMENT": 400,
    "OUT_OF_RANGE": 400,
    "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "ALREADY_EXISTS": 409,
    "FAILED_PRECONDITION": 409,
    "ABORTED": 409,
    "RESOURCE_EXHAUSTED": 429,
    "UNIMPLEMENTED": 501,
    "UNAVAILABLE": 503,
    "DEADLINE_EXCEEDED": 504,
}


# The error code of a refusal the web framework makes itself (no route, wrong method, too large).
CODE_OF_HTTP_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "FAILED_PRECONDITION",
    410: "GONE",
    413: "PAYLOAD_TOO_LARGE",
    429: "RESOURCE_EXHAUSTED",
    431: "HEADERS_TOO_LARGE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


class ErrorOut(BaseModel):
    """Every refusal of the platform: the gRPC status name (or the HTTP refusal's name), the field and
    reason, and the trace id that finds the call in the logs and the audit."""

    model_config = ConfigDict(extra="forbid")

    error: str = Field(examples=["INVALID_ARGUMENT"])
    message: str = Field(examples=["uscc: must be 18 characters"])
    trace_id: str


# The refusals every operators' route may answer, documented once (OpenAPI `responses`).
API_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "Bad input: the field and the reason"},
    401: {"model": ErrorOut, "description": "No or an unknown operator token or session"},
    403: {"model": ErrorOut, "description": "The operator's role may not do this"},
    404: {"model": ErrorOut, "description": "No such resource"},
    409: {"model": ErrorOut, "description": "Already exists, or not possible in the current state"},
    413: {"model": ErrorOut, "description": "The body is larger than this route accepts"},
    503: {"model": ErrorOut, "description": "The service that owns the data does not answer"},
}


# The refusals the edge makes before any route runs (gateway.edge): every operation can answer them.
EDGE_REFUSALS = {
    "400": "A NUL or bidirectional control in the URL (the parameter and the reason)",
    "413": "The body is larger than this route accepts",
    "431": "The request's headers are too large",
}
ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}


def document_edge_refusals(document: dict[str, Any]) -> None:
    """Add the edge's refusals to every operation of an OpenAPI document: as ErrorOut where the
    operation documents no such status, as a second JSON shape where it documents its own."""
    for item in document.get("paths", {}).values():
        for operation in item.values():
            responses = operation.get("responses", {})
            for status, description in EDGE_REFUSALS.items():
                documented = responses.setdefault(status, {"description": description})
                content = documented.setdefault("content", {})
                schema = content.setdefault("application/json", {}).get("schema")
                if schema is None:
                    content["application/json"]["schema"] = ERROR_REF
                elif schema != ERROR_REF and ERROR_REF not in schema.get("anyOf", []):
                    content["application/json"]["schema"] = {"anyOf": [schema, ERROR_REF]}


def _body(code: str, message: str) -> dict[str, str]:
    return {"error": code, "message": message, "trace_id": current_trace_id()}


def internal_error() -> JSONResponse:
    """The answer to a bug: the API's error shape and the trace id, never a traceback."""
    return JSONResponse(
        _body("INTERNAL", "internal error; quote the trace id when reporting it"), status_code=500
    )


def http_error(exc: HTTPException) -> JSONResponse:
    """A framework refusal (404, 405, 413, ...) in the platform's error shape, keeping its headers."""
    code = CODE_OF_HTTP_STATUS.get(
        exc.status_code, "INVALID_ARGUMENT" if exc.status_code < 500 else "INTERNAL"
    )
    message = exc.detail if isinstance(exc.detail, str) else code
    return JSONResponse(_body(code, message), status_code=exc.status_code, headers=exc.headers)


def edge_refusal(exc: HTTPException) -> ASGIApp:
    """An ASGI app answering a refusal made before any route runs (size limits, the URL's text),
    under the caller's trace id like every other answer."""

    async def respond(scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        with trace_scope(headers.get(TRACE_HEADER) or headers.get(TRACE_METADATA_KEY)) as trace_id:
            response = http_error(exc)
        response.headers[TRACE_HEADER] = trace_id
        await response(scope, receive, send)

    return respond


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app fully answers at this path (each method is tried against
    the app's routes, included routers too, as the router itself would match it)."""
    routes = request.app.router.routes
    return [
        method
        for method in METHODS
        if any(route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes)
    ]


def install(app: FastAPI) -> None:
    """Register the handlers that turn gRPC and domain errors into HTTP responses."""

    @app.exception_handler(grpc.RpcError)
    async def _grpc_error(_request: Request, exc: grpc.RpcError) -> JSONResponse:
        code = exc.code().name  # type: ignore[attr-defined]
        status = HTTP_STATUS_OF.get(code, 502)
        return JSONResponse(_body(code, exc.details() or code), status_code=status)  # type: ignore[attr-defined]

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 405:
            # Starlette names only the first route matching the path; a path may have several.
            allow = ", ".join(allowed_methods(request))
            message = f"method {request.method} is not allowed here; allowed: {allow}"
            return http_error(HTTPException(405, message, headers={"Allow": allow}))
        if exc.status_code == 404 and exc.detail == "Not Found":
            return http_error(HTTPException(404, f"no route {request.url.path}"))
        return http_error(exc)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own 422 shape would be a second error dialect; say it like every other refusal.
        first = exc.errors()[0] if exc.errors() else {"loc": ("request",), "msg": "invalid"}
        field = ".".join(str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path"))
        reason = str(first.get("msg", "invalid"))
        if first.get("type") == "value_error":
            # Our own validators' reasons, without the prefix pydantic puts before them.
            reason = reason.removeprefix("Value error, ")
        message = f"{field or 'request'}: {reason}"
        return JSONResponse(_body("INVALID_ARGUMENT", message), status_code=400)

    @app.exception_handler(DomainError)
    async def _domain_error(_request: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(_body(exc.code, exc.message), status_code=HTTP_STATUS_OF.get(exc.code, 400))
