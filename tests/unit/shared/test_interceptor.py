"""The platform interceptor on a real in-process grpc.aio server, for sync and async servicer methods.

Every kind of method gets the same treatment: a token and a grant are required, domain errors become
their status with the message, a servicer's own abort passes through, a crash becomes INTERNAL with
the trace id, the caller's trace id comes back, and every call leaves one audit record.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import grpc
import pytest

from shared.errors import InvalidArgument
from shared.grpc.audit import AuditRecord
from shared.grpc.auth import Department, Grants, current_department, token_digest
from shared.tracing import TRACE_METADATA_KEY, current_trace_id
from tests.unit.shared.served import RecordedAudit, serving

SERVICE = "test.Probe"
CANCEL_TRACE = "t-cancelled-stream"
IN_CANCELLED_CALL = threading.Event()
GRANTS = Grants(
    [
        Department("bureau", token_digest("t-bureau"), ("*",)),
        Department("water", token_digest("t-water"), ("eco.v1.MonitoringService/*",)),
    ]
)


def _outcome(request: bytes, context: Any) -> bytes:
    """What every probe method does with its request (the abort is done by the caller)."""
    if request == b"invalid":
        raise InvalidArgument("station_id", "must not be empty")
    if request == b"crash":
        raise RuntimeError("boom")
    return f"{current_department()}|{current_trace_id()}".encode()


def sync_unary(request: bytes, context: Any) -> bytes:
    if request == b"abort":
        context.abort(grpc.StatusCode.FAILED_PRECONDITION, "not now")
    return _outcome(request, context)


def sync_stream(request: bytes, context: Any) -> Iterator[bytes]:
    if request == b"abort":
        context.abort(grpc.StatusCode.FAILED_PRECONDITION, "not now")
    yield _outcome(request, context)


async def async_unary(requests: AsyncIterator[bytes], context: Any) -> bytes:
    if current_trace_id() == CANCEL_TRACE:  # a call at work when its client goes away
        IN_CANCELLED_CALL.set()
        await asyncio.sleep(10)
    request = await anext(aiter(requests), b"")
    if request == b"abort":
        await context.abort(grpc.StatusCode.FAILED_PRECONDITION, "not now")
    return _outcome(request, context)


async def async_stream(request: bytes, context: Any) -> AsyncIterator[bytes]:
    if request == b"abort":
        await context.abort(grpc.StatusCode.FAILED_PRECONDITION, "not now")
    yield _outcome(request, context)


def _register(server: grpc.aio.Server) -> None:
    server.add_generic_rpc_handlers(
        (
            grpc.method_handlers_generic_handler(
                SERVICE,
                {
                    "SyncUnary": grpc.unary_unary_rpc_method_handler(sync_unary),
                    "SyncStream": grpc.unary_stream_rpc_method_handler(sync_stream),
                    "AsyncUnary": grpc.stream_unary_rpc_method_handler(async_unary),
                    "AsyncStream": grpc.unary_stream_rpc_method_handler(async_stream),
                },
            ),
        )
    )


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[grpc.Channel, RecordedAudit]]:
    with serving(_register, SERVICE, GRANTS) as served:
        yield served


def _call(
    channel: grpc.Channel, method: str, request: bytes, token: str | None, trace: str
) -> tuple[bytes, Any]:
    """One call of a probe method; the response and the call (for its code and trailing metadata)."""
    metadata = [(TRACE_METADATA_KEY, trace)] + ([("authorization", f"Bearer {token}")] if token else [])
    path = f"/{SERVICE}/{method}"
    if method == "AsyncUnary":
        return channel.stream_unary(path).with_call(iter([request]), metadata=metadata, timeout=5)  # type: ignore[no-any-return]
    if method == "SyncUnary":
        return channel.unary_unary(path).with_call(request, metadata=metadata, timeout=5)  # type: ignore[no-any-return]
    responses = channel.unary_stream(path)(request, metadata=metadata, timeout=5)
    return b"".join(responses), responses


METHODS = ["SyncUnary", "SyncStream", "AsyncUnary", "AsyncStream"]


@pytest.mark.parametrize("method", METHODS)
def test_a_granted_call_runs_as_its_department_under_the_callers_trace(
    served: tuple[grpc.Channel, RecordedAudit], method: str
) -> None:
    channel, audit = served
    response, call = _call(channel, method, b"ok", "t-bureau", f"trace-{method}")
    assert response == f"bureau|trace-{method}".encode()
    assert (TRACE_METADATA_KEY, f"trace-{method}") in tuple(call.trailing_metadata())
    record = _audited(audit, f"trace-{method}")
    assert (record.department, record.method, record.status) == ("bureau", f"{SERVICE}/{method}", "OK")


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    ("request_body", "token", "code", "message", "audited_status"),
    [
        (b"ok", None, grpc.StatusCode.UNAUTHENTICATED, "missing 'authorization", "UNAUTHENTICATED"),
        (b"ok", "t-stranger", grpc.StatusCode.UNAUTHENTICATED, "unknown or revoked token", "UNAUTHENTICATED"),
        (b"ok", "t-water", grpc.StatusCode.PERMISSION_DENIED, "'water' is not granted", "PERMISSION_DENIED"),
        (b"invalid", "t-bureau", grpc.StatusCode.INVALID_ARGUMENT, "station_id", "INVALID_ARGUMENT"),
        (b"abort", "t-bureau", grpc.StatusCode.FAILED_PRECONDITION, "not now", "FAILED_PRECONDITION"),
        (b"crash", "t-bureau", grpc.StatusCode.INTERNAL, "internal error (trace id", "INTERNAL"),
    ],
)
def test_a_refused_or_failed_call_ends_with_its_status_and_is_audited(
    served: tuple[grpc.Channel, RecordedAudit],
    method: str,
    request_body: bytes,
    token: str | None,
    code: grpc.StatusCode,
    message: str,
    audited_status: str,
) -> None:
    channel, audit = served
    trace = f"t-{method}-{request_body.decode()}-{token}"
    with pytest.raises(grpc.RpcError) as raised:
        _call(channel, method, request_body, token, trace)
    error: Any = raised.value
    assert error.code() == code
    assert message in error.details()
    assert _audited(audit, trace).status == audited_status


def test_an_unknown_method_is_refused_and_audited(served: tuple[grpc.Channel, RecordedAudit]) -> None:
    channel, audit = served
    with pytest.raises(grpc.RpcError) as raised:
        channel.unary_unary(f"/{SERVICE}/Nope")(
            b"", metadata=[("authorization", "Bearer t-bureau"), (TRACE_METADATA_KEY, "t-unknown")], timeout=5
        )
    assert raised.value.code() == grpc.StatusCode.UNIMPLEMENTED  # type: ignore[attr-defined]
    assert _audited(audit, "t-unknown").status == "UNIMPLEMENTED"


def test_a_call_whose_client_leaves_while_it_works_is_audited_as_cancelled(
    served: tuple[grpc.Channel, RecordedAudit],
) -> None:
    channel, audit = served
    release = threading.Event()

    def silent() -> Iterator[bytes]:
        release.wait(10)
        return
        yield

    call = channel.stream_unary(f"/{SERVICE}/AsyncUnary").future(
        silent(), metadata=[("authorization", "Bearer t-bureau"), (TRACE_METADATA_KEY, CANCEL_TRACE)]
    )
    try:
        assert IN_CANCELLED_CALL.wait(5)
        call.cancel()
        assert _audited(audit, CANCEL_TRACE).status == "CANCELLED"
    finally:
        release.set()


def _audited(audit: RecordedAudit, trace: str) -> AuditRecord:
    """The one audit record of a call (written as the call ends, just after the client may see it)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        mine = [r for r in audit.records if r.trace_id == trace]
        if mine:
            assert len(mine) == 1
            return mine[0]
        time.sleep(0.01)
    raise AssertionError(f"no audit record for {trace}")
