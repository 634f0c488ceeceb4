"""One server interceptor for every call: trace id, authentication, grants, decoding, error mapping, audit.

The server is a grpc.aio server: plain (sync) servicer methods run in its worker pool, `async def`
ones (the streams) on its event loop. The guard around each call has a sync and an async form;
everything they decide is shared in `_Call`.

Requests reach the guard as bytes: the interceptor registers each method with no deserializer and
decodes inside the guard, after authentication. So bytes that are not the method's message are
refused as INVALID_ARGUMENT and audited like any other refusal (grpc would otherwise answer
UNKNOWN before anyone is authenticated), and every decoded message passes the edge rules of
`shared.grpc.validation` (the text rule, valid timestamps) before the servicer sees it.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import grpc

from shared.errors import DomainError, InvalidArgument
from shared.grpc.audit import AuditRecord, AuditWriter
from shared.grpc.auth import Grants, is_open, reset_current_department, set_current_department
from shared.grpc.validation import check_message
from shared.tracing import TRACE_METADATA_KEY, trace_scope

log = logging.getLogger(__name__)

STATUS_OF_DOMAIN_ERROR = {
    "INVALID_ARGUMENT": grpc.StatusCode.INVALID_ARGUMENT,
    "NOT_FOUND": grpc.StatusCode.NOT_FOUND,
    "ALREADY_EXISTS": grpc.StatusCode.ALREADY_EXISTS,
    "FAILED_PRECONDITION": grpc.StatusCode.FAILED_PRECONDITION,
    "PERMISSION_DENIED": grpc.StatusCode.PERMISSION_DENIED,
    "UNAUTHENTICATED": grpc.StatusCode.UNAUTHENTICATED,
}

Behaviour = Callable[[Any, Any], Any]
Decode = Callable[[Any], Any]


def _no_decoding(request: Any) -> Any:
    return request


class PlatformInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, grants: Grants, audit: AuditWriter | None) -> None:
        self.grants = grants
        self.audit = audit

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        method = handler_call_details.method.lstrip("/")  # type: ignore[attr-defined]
        if is_open(method):
            return handler
        metadata = {key: value for key, value in handler_call_details.invocation_metadata or ()}  # type: ignore[attr-defined]
        if handler is None:
            # No such method: still authenticate and audit the attempt (probing is worth a record).
            def unknown(_request: Any, context: grpc.ServicerContext) -> None:
                context.abort(grpc.StatusCode.UNIMPLEMENTED, f"no method {method}")

            return grpc.unary_unary_rpc_method_handler(
                self._guard(unknown, method, metadata, False, _no_decoding)
            )
        return _wrap_handler(
            handler,
            lambda behaviour, streaming, decode: self._guard(behaviour, method, metadata, streaming, decode),
        )

    def _guard(
        self, behaviour: Behaviour, method: str, metadata: dict[str, Any], streaming: bool, decode: Decode
    ) -> Behaviour:
        """`behaviour` run under the call's guard; `decode` turns the raw request (or stream of raw
        requests) into what the servicer expects, once the caller is authenticated."""

        def open_call(context: Any, trace_id: str) -> _Call:
            return _Call(self, method, metadata, trace_id, _RecordingContext(context))

        if inspect.isasyncgenfunction(behaviour):

            async def guarded_async_stream(request: Any, context: Any) -> AsyncIterator[Any]:
                with trace_scope(metadata.get(TRACE_METADATA_KEY)) as trace_id:
                    call = open_call(context, trace_id)
                    try:
                        call.begin()
                        async for response in behaviour(decode(request), call.context):
                            yield response
                        call.ended()
                    except asyncio.CancelledError:
                        call.cancelled()
                        raise
                    except Exception as exc:
                        await call.context.abort(*call.failed(exc))
                    finally:
                        call.close()

            return guarded_async_stream

        if inspect.iscoroutinefunction(behaviour):

            async def guarded_async(request: Any, context: Any) -> Any:
                with trace_scope(metadata.get(TRACE_METADATA_KEY)) as trace_id:
                    call = open_call(context, trace_id)
                    try:
                        call.begin()
                        response = await behaviour(decode(request), call.context)
                        call.ended()
                        return response
                    except asyncio.CancelledError:
                        call.cancelled()
                        raise
                    except Exception as exc:
                        await call.context.abort(*call.failed(exc))
                    finally:
                        call.close()

            return guarded_async

        if streaming:
            # A sync streaming response runs after the handler returns: guard the iteration itself.
            def guarded_stream(request: Any, context: Any) -> Iterator[Any]:
                with trace_scope(metadata.get(TRACE_METADATA_KEY)) as trace_id:
                    call = open_call(context, trace_id)
                    try:
                        call.begin()
                        yield from behaviour(decode(request), call.context)
                        call.ended()
                    except Exception as exc:
                        call.context.abort(*call.failed(exc))
                    finally:
                        call.close()

            return guarded_stream

        def guarded(request: Any, context: Any) -> Any:
            with trace_scope(metadata.get(TRACE_METADATA_KEY)) as trace_id:
                call = open_call(context, trace_id)
                try:
                    call.begin()
                    response = behaviour(decode(request), call.context)
                    call.ended()
                    return response
                except Exception as exc:
                    call.context.abort(*call.failed(exc))
                finally:
                    call.close()

        return guarded


class _Call:
    """One call's authentication, outcome and audit record, the same for sync and async servicers."""

    def __init__(
        self,
        interceptor: PlatformInterceptor,
        method: str,
        metadata: dict[str, Any],
        trace_id: str,
        context: _RecordingContext,
    ) -> None:
        self.grants = interceptor.grants
        self.audit = interceptor.audit
        self.method = method
        self.metadata = metadata
        self.context = context
        self.started = time.perf_counter()
        self.trace_id = trace_id
        self.department = "-"
        self.status = "OK"
        self.detail: str | None = None
        self._token: object | None = None

    def begin(self) -> None:
        """Authenticate and authorise (raising the domain error that refuses the call)."""
        self.context.set_trailing_metadata(((TRACE_METADATA_KEY, self.trace_id),))
        department = self.grants.authenticate(self.metadata.get("authorization"))
        self.department = department.name
        self.grants.authorize(department, self.method)
        self._token = set_current_department(department.name)

    def ended(self) -> None:
        """The servicer returned; it may still have set a status without raising."""
        if self.context.recorded_code not in (None, grpc.StatusCode.OK):
            self.status = self.context.recorded_code.name  # type: ignore[union-attr]

    def cancelled(self) -> None:
        """The client went away (or the server is stopping) while the call was at work."""
        self.status = "CANCELLED"

    def failed(self, exc: Exception) -> tuple[grpc.StatusCode, str]:
        """The status and message to end a failed call with, recorded for the audit (an abort the
        servicer already made is re-raised as it is)."""
        recorded = self.context.recorded_code
        if isinstance(exc, grpc.aio.AbortError):
            # The servicer aborted: its status is already on its way to the client; let it go on.
            self.status = recorded.name if recorded is not None else "UNKNOWN"
            raise exc
        if isinstance(exc, DomainError):
            self.status, self.detail = exc.code, exc.message
            return STATUS_OF_DOMAIN_ERROR[exc.code], exc.message
        if recorded not in (None, grpc.StatusCode.OK):
            # The servicer set a status on purpose (abort, or UNIMPLEMENTED from a generated base
            # method): end the call with it cleanly rather than as a crash.
            self.status = recorded.name  # type: ignore[union-attr]
            return recorded, self.context.recorded_details or self.status  # type: ignore[return-value]
        self.status, self.detail = "INTERNAL", f"{type(exc).__name__}: {exc}"
        log.exception("%s failed", self.method)
        return grpc.StatusCode.INTERNAL, f"internal error (trace id {self.trace_id})"

    def close(self) -> None:
        if self._token is not None:
            reset_current_department(self._token)
        if self.audit is not None:
            self.audit.record(
                AuditRecord(
                    at=datetime.now(UTC),
                    department=self.department,
                    method=self.method,
                    status=self.status,
                    duration_ms=(time.perf_counter() - self.started) * 1000,
                    trace_id=self.trace_id,
                    peer=self.context.peer() or "",
                    detail=self.detail,
                )
            )


class _RecordingContext:
    """The servicer's context, remembering the status it sets.

    An aio server's context for sync methods cannot report the code back, so the status a servicer
    sets (`abort`, `set_code`) is noted on the way through."""

    def __init__(self, context: Any) -> None:
        self._context = context
        self.recorded_code: grpc.StatusCode | None = None
        self.recorded_details: str = ""

    def abort(self, code: grpc.StatusCode, details: str = "", *args: Any) -> Any:
        # Sync contexts raise from here; async ones return the coroutine the caller awaits.
        self.recorded_code, self.recorded_details = code, details
        return self._context.abort(code, details, *args)

    def set_code(self, code: grpc.StatusCode) -> None:
        self.recorded_code = code
        self._context.set_code(code)

    def set_details(self, details: str) -> None:
        self.recorded_details = details
        self._context.set_details(details)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


def _wrap_handler(
    handler: grpc.RpcMethodHandler, wrap: Callable[[Behaviour, bool, Decode], Behaviour]
) -> grpc.RpcMethodHandler:
    """The handler with its behaviour guarded and its requests left as bytes for the guard to decode."""
    kinds = {
        "unary_unary": grpc.unary_unary_rpc_method_handler,
        "unary_stream": grpc.unary_stream_rpc_method_handler,
        "stream_unary": grpc.stream_unary_rpc_method_handler,
        "stream_stream": grpc.stream_stream_rpc_method_handler,
    }
    for attribute, factory in kinds.items():
        behaviour = getattr(handler, attribute)
        if behaviour is not None:
            decode_one = _message_decoder(handler.request_deserializer)
            if not attribute.startswith("stream_"):
                decode = decode_one
            elif inspect.iscoroutinefunction(behaviour) or inspect.isasyncgenfunction(behaviour):
                decode = _async_stream_decoder(decode_one)
            else:
                decode = _stream_decoder(decode_one)
            return factory(  # type: ignore[operator, no-any-return]
                wrap(behaviour, attribute.endswith("_stream"), decode),
                request_deserializer=None,  # the guard decodes, after authentication
                response_serializer=handler.response_serializer,
            )
    return handler


def _message_decoder(deserializer: Callable[[bytes], Any] | None) -> Decode:
    """Raw bytes to the method's request message, checked by the edge rules; InvalidArgument if the
    bytes are not that message. A method registered without a deserializer gets its bytes as they are."""
    if deserializer is None:
        return _no_decoding
    message_type = getattr(deserializer, "__self__", None)
    descriptor = getattr(message_type, "DESCRIPTOR", None)
    name = descriptor.full_name if descriptor is not None else "request"

    def decode(raw: bytes) -> Any:
        try:
            message = deserializer(raw)
        except Exception as exc:  # DecodeError, or invalid UTF-8 in a string field
            raise InvalidArgument("request", f"not a valid {name} message: {exc}") from None
        if descriptor is not None:
            check_message(message)
        return message

    return decode


def _stream_decoder(decode_one: Decode) -> Decode:
    """A sync request stream decoded message by message (as the servicer reads it)."""

    def decode(requests: Iterator[bytes]) -> Iterator[Any]:
        for raw in requests:
            yield decode_one(raw)

    return decode


def _async_stream_decoder(decode_one: Decode) -> Decode:
    """An async request stream decoded message by message (as the servicer reads it)."""

    async def decode(requests: AsyncIterator[bytes]) -> AsyncIterator[Any]:
        async for raw in requests:
            yield decode_one(raw)

    return decode
