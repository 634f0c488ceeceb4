"""One mapping from gRPC status and domain errors to HTTP, with the same message (DESIGN.md, Contracts)."""

from __future__ import annotations

import grpc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from shared.errors import DomainError
from shared.tracing import current_trace_id

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


def _body(code: str, message: str) -> dict[str, str]:
    return {"error": code, "message": message, "trace_id": current_trace_id()}


def internal_error() -> JSONResponse:
    """The answer to a bug: the API's error shape and the trace id, never a traceback."""
    return JSONResponse(
        _body("INTERNAL", "internal error; quote the trace id when reporting it"), status_code=500
    )


def install(app: FastAPI) -> None:
    """Register the handlers that turn gRPC and domain errors into HTTP responses."""

    @app.exception_handler(grpc.RpcError)
    async def _grpc_error(_request: Request, exc: grpc.RpcError) -> JSONResponse:
        code = exc.code().name  # type: ignore[attr-defined]
        status = HTTP_STATUS_OF.get(code, 502)
        return JSONResponse(_body(code, exc.details() or code), status_code=status)  # type: ignore[attr-defined]

    @app.exception_handler(RequestValidationError)
    async def _bad_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own 422 shape would be a second error dialect; say it like every other refusal.
        first = exc.errors()[0] if exc.errors() else {"loc": ("request",), "msg": "invalid"}
        field = ".".join(str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path"))
        message = f"{field or 'request'}: {first.get('msg', 'invalid')}"
        return JSONResponse(_body("INVALID_ARGUMENT", message), status_code=400)

    @app.exception_handler(DomainError)
    async def _domain_error(_request: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(_body(exc.code, exc.message), status_code=HTTP_STATUS_OF.get(exc.code, 400))
