"""One server interceptor for every call: trace id, authentication, grants, error mapping, audit."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import grpc

from shared.errors import DomainError, ResourceExhausted
from shared.grpc.audit import AuditRecord, AuditWriter
from shared.grpc.auth import Grants, is_open, reset_current_department, set_current_department
from shared.tracing import TRACE_METADATA_KEY, trace_scope

log = logging.getLogger(__name__)

STATUS_OF_DOMAIN_ERROR = {
    "INVALID_ARGUMENT": grpc.StatusCode.INVALID_ARGUMENT,
    "NOT_FOUND": grpc.StatusCode.NOT_FOUND,
    "ALREADY_EXISTS": grpc.StatusCode.ALREADY_EXISTS,
    "FAILED_PRECONDITION": grpc.StatusCode.FAILED_PRECONDITION,
    "PERMISSION_DENIED": grpc.StatusCode.PERMISSION_DENIED,
    "UNAUTHENTICATED": grpc.StatusCode.UNAUTHENTICATED,
    "RESOURCE_EXHAUSTED": grpc.StatusCode.RESOURCE_EXHAUSTED,
}


class PlatformInterceptor(grpc.ServerInterceptor):
    """`stream_slots` caps the calls that stream requests (each holds a worker thread for as long as
    its client keeps it open), so that streams can never take every worker: beyond the cap a new
    stream is refused with RESOURCE_EXHAUSTED while every other call keeps being answered."""

    def __init__(self, grants: Grants, audit: AuditWriter | None, stream_slots: int | None = None) -> None:
        self.grants = grants
        self.audit = audit
        self.stream_slots = stream_slots
        self._free_stream_slots = threading.BoundedSemaphore(stream_slots) if stream_slots else None

    def intercept_service(self, continuation, handler_call_details):  # type: ignore[no-untyped-def]
        handler = continuation(handler_call_details)
        method = handler_call_details.method.lstrip("/")
        if is_open(method):
            return handler
        metadata = dict(handler_call_details.invocation_metadata or ())
        if handler is None:
            # No such method: still authenticate and audit the attempt (probing is worth a record).
            def unknown(_request: Any, context: grpc.ServicerContext) -> None:
                context.abort(grpc.StatusCode.UNIMPLEMENTED, f"no method {method}")

            return grpc.unary_unary_rpc_method_handler(self._guard(unknown, method, metadata, False))
        holds_a_slot = handler.request_streaming and self._free_stream_slots is not None
        return _wrap_handler(
            handler,
            lambda behaviour, streaming: self._guard(
                self._in_a_stream_slot(behaviour, streaming) if holds_a_slot else behaviour,
                method,
                metadata,
                streaming,
            ),
        )

    def _in_a_stream_slot(self, behaviour: Callable[..., Any], streaming: bool) -> Callable[..., Any]:
        """The behaviour, run only if a stream slot is free (refused at once otherwise)."""
        slots = self._free_stream_slots
        assert slots is not None

        def take_a_slot() -> None:
            if not slots.acquire(blocking=False):
                raise ResourceExhausted(
                    f"all {self.stream_slots} stream slots of this service are in use; "
                    "retry later with backoff (calls that are not streams are unaffected)"
                )

        if streaming:

            def slotted_stream(request_iterator: Any, context: grpc.ServicerContext) -> Iterator[Any]:
                take_a_slot()
                try:
                    yield from behaviour(request_iterator, context)
                finally:
                    slots.release()

            return slotted_stream

        def slotted(request_iterator: Any, context: grpc.ServicerContext) -> Any:
            take_a_slot()
            try:
                return behaviour(request_iterator, context)
            finally:
                slots.release()

        return slotted

    def _guard(
        self, behaviour: Callable[..., Any], method: str, metadata: dict[str, str], streaming: bool
    ) -> Callable[..., Any]:
        if streaming:
            # A streaming response runs after the handler returns: guard the iteration itself.
            def guarded_stream(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
                with self._call(method, metadata, context):
                    yield from behaviour(request, context)

            return guarded_stream

        def guarded(request: Any, context: grpc.ServicerContext) -> Any:
            with self._call(method, metadata, context):
                return behaviour(request, context)

        return guarded

    @contextmanager
    def _call(self, method: str, metadata: dict[str, str], context: grpc.ServicerContext) -> Iterator[None]:
        started = time.perf_counter()
        with trace_scope(metadata.get(TRACE_METADATA_KEY)) as trace_id:
            context.set_trailing_metadata(((TRACE_METADATA_KEY, trace_id),))
            department_name, status, detail = "-", "OK", None
            token = None
            try:
                department = self.grants.authenticate(metadata.get("authorization"))
                department_name = department.name
                self.grants.authorize(department, method)
                token = set_current_department(department.name)
                yield
                if _is_abort(context):  # a status set without raising still ends the call with it
                    status = context.code().name  # type: ignore[union-attr]
                elif not context.is_active():  # a cancelled client's request stream may just end
                    status = "CANCELLED"
            except DomainError as exc:
                status, detail = exc.code, exc.message
                context.abort(STATUS_OF_DOMAIN_ERROR[exc.code], exc.message)
            except Exception as exc:
                if not context.is_active():
                    # The client left, or its connection was recycled, mid-call: there is no one to
                    # answer and nothing crashed (grpc ends the call; the exception is its own).
                    status = "CANCELLED"
                    raise
                if _is_abort(context):
                    # The servicer set a status on purpose (abort, or UNIMPLEMENTED from a generated
                    # base method): end the call with it cleanly rather than as a crash.
                    code = context.code()
                    status = code.name  # type: ignore[union-attr]
                    context.abort(code, _details(context) or status)  # type: ignore[arg-type]
                status, detail = "INTERNAL", f"{type(exc).__name__}: {exc}"
                log.exception("%s failed", method)
                context.abort(grpc.StatusCode.INTERNAL, f"internal error (trace id {trace_id})")
            finally:
                if token is not None:
                    reset_current_department(token)
                if self.audit is not None:
                    self.audit.record(
                        AuditRecord(
                            at=datetime.now(UTC),
                            department=department_name,
                            method=method,
                            status=status,
                            duration_ms=(time.perf_counter() - started) * 1000,
                            trace_id=trace_id,
                            peer=context.peer() or "",
                            detail=detail,
                        )
                    )


def _details(context: grpc.ServicerContext) -> str:
    details = getattr(context, "details", lambda: "")()
    return details.decode() if isinstance(details, bytes) else (details or "")


def _is_abort(context: grpc.ServicerContext) -> bool:
    code = getattr(context, "code", lambda: None)()
    return code is not None and code != grpc.StatusCode.OK


def _wrap_handler(
    handler: grpc.RpcMethodHandler, wrap: Callable[[Callable[..., Any], bool], Callable[..., Any]]
):  # type: ignore[no-untyped-def]
    kinds = {
        "unary_unary": grpc.unary_unary_rpc_method_handler,
        "unary_stream": grpc.unary_stream_rpc_method_handler,
        "stream_unary": grpc.stream_unary_rpc_method_handler,
        "stream_stream": grpc.stream_stream_rpc_method_handler,
    }
    for attribute, factory in kinds.items():
        behaviour = getattr(handler, attribute)
        if behaviour is not None:
            return factory(
                wrap(behaviour, attribute.endswith("_stream")),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
    return handler
