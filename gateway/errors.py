"""One mapping from gRPC status and domain errors to HTTP, with the same message (DESIGN.md, Contracts)."""

from __future__ import annotations

import grpc
from fastapi import FastAPI, Request
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


def install(app: FastAPI) -> None:
    """Register the handlers that turn gRPC and domain errors into HTTP responses."""

    @app.exception_handler(grpc.RpcError)
    async def _grpc_error(_request: Request, exc: grpc.RpcError) -> JSONResponse:
        code = exc.code().name  # type: ignore[attr-defined]
        status = HTTP_STATUS_OF.get(code, 502)
        return JSONResponse(_body(code, exc.details() or code), status_code=status)  # type: ignore[attr-defined]

    @app.exception_handler(DomainError)
    async def _domain_error(_request: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(_body(exc.code, exc.message), status_code=HTTP_STATUS_OF.get(exc.code, 400))
