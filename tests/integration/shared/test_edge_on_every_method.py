"""Every method of every service, found through reflection, guards its input at the edge the same way
(issue 10, points 1 and 8), on PostgreSQL:

- bytes that are not the method's request message: UNAUTHENTICATED without a token, INVALID_ARGUMENT
  with one, and both audited (the request is decoded after authentication, not before);
- a NUL in any string field, at any depth: INVALID_ARGUMENT naming that field, never INTERNAL (the
  PostgreSQL driver refuses NUL, so a filter reaching a query would crash);
- a negative `nanos` in any timestamp: INVALID_ARGUMENT naming the timestamp.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any

import grpc
import pytest
import sqlalchemy as sa
from google.protobuf import message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor, MethodDescriptor
from google.protobuf.descriptor_pool import DescriptorPool
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

from shared.grpc.client import channel
from shared.runtime import RunningService
from shared.schema import audit_log
from shared.topology import GRPC_SERVICE_NAMES
from shared.tracing import TRACE_METADATA_KEY, new_trace_id
from tests.integration.skeletons.test_every_service import _existing_services
from tests.support import infra

pytestmark = pytest.mark.integration

CORRUPT = b"\x0a\x80"
TIMEOUT = 10.0
MAX_DEPTH = 4


@pytest.fixture(params=_existing_services())
def served(
    request: pytest.FixtureRequest, pg_url: str, start_service: Callable[..., RunningService]
) -> Iterator[tuple[RunningService, grpc.Channel, list[MethodDescriptor]]]:
    """One service on a fresh PostgreSQL database, a channel, and its methods as reflection serves them.

    `pg_url` comes before `start_service`, so the service stops (flushing its audit) before its
    database is dropped."""
    name = request.param
    running = start_service(name, importlib.import_module(f"services.{name}.bootstrap").build, pg_url)
    ch = channel(f"127.0.0.1:{running.port}")
    pool = DescriptorPool(ProtoReflectionDescriptorDatabase(ch))
    methods = list(pool.FindServiceByName(GRPC_SERVICE_NAMES[name]).methods)
    assert methods
    yield running, ch, methods
    ch.close()


def _invoke(ch: grpc.Channel, method: MethodDescriptor, raw: bytes, metadata: Any) -> grpc.StatusCode:
    """Call any method with a raw request (a one-message stream for a client stream); its status."""
    path = f"/{method.containing_service.full_name}/{method.name}"
    try:
        if method.client_streaming:
            ch.stream_unary(path)(iter([raw]), metadata=metadata, timeout=TIMEOUT)
        elif method.server_streaming:
            for _ in ch.unary_stream(path)(raw, metadata=metadata, timeout=TIMEOUT):
                pass
        else:
            ch.unary_unary(path)(raw, metadata=metadata, timeout=TIMEOUT)
    except grpc.RpcError as exc:
        _invoke.details = exc.details()  # type: ignore[attr-defined]
        return exc.code()  # type: ignore[no-any-return,attr-defined]
    _invoke.details = ""  # type: ignore[attr-defined]
    return grpc.StatusCode.OK


def _bureau(trace: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {infra.BUREAU_TOKEN}"), (TRACE_METADATA_KEY, trace))


def test_bytes_that_are_not_the_request_are_refused_after_authentication_and_audited(
    served: tuple[RunningService, grpc.Channel, list[MethodDescriptor]],
) -> None:
    running, ch, methods = served
    traces: dict[str, tuple[str, str]] = {}
    for method in methods:
        anonymous, bureau = new_trace_id(), new_trace_id()
        assert _invoke(ch, method, CORRUPT, ((TRACE_METADATA_KEY, anonymous),)) == (
            grpc.StatusCode.UNAUTHENTICATED
        ), method.full_name
        code = _invoke(ch, method, CORRUPT, _bureau(bureau))
        assert code == grpc.StatusCode.INVALID_ARGUMENT, f"{method.full_name}: {code} {_invoke.details}"  # type: ignore[attr-defined]
        assert f"not a valid {method.input_type.full_name} message" in _invoke.details  # type: ignore[attr-defined]
        traces[anonymous] = ("-", "UNAUTHENTICATED")
        traces[bureau] = ("bureau", "INVALID_ARGUMENT")

    engine = sa.create_engine(running.app.settings.database_url)
    try:

        def audited() -> dict[str, tuple[str, str]]:
            query = sa.select(audit_log.c.trace_id, audit_log.c.department, audit_log.c.status)
            with engine.connect() as conn:
                rows = conn.execute(query.where(audit_log.c.trace_id.in_(list(traces)))).all()
            found = {row.trace_id: (row.department, row.status) for row in rows}
            return found if len(found) == len(traces) else {}

        assert infra.wait_for(audited, timeout=15, what="an audit row per refused call") == traces
    finally:
        engine.dispose()


def _string_paths(descriptor: Descriptor, depth: int = 0) -> Iterator[tuple[list[FieldDescriptor], str]]:
    """Every string field reachable from a message type (to MAX_DEPTH), as the chain of fields to it
    and the path the refusal names (`readings[0].station_id`)."""
    if depth >= MAX_DEPTH:
        return
    for field in descriptor.fields:
        shown = f"{field.name}[0]" if field.is_repeated else field.name
        if field.type == FieldDescriptor.TYPE_STRING:
            yield [field], shown
        elif (target := field.message_type) is not None and not target.GetOptions().map_entry:
            for chain, path in _string_paths(target, depth + 1):
                yield [field, *chain], f"{shown}.{path}"


def _with_value(descriptor: Descriptor, chain: list[FieldDescriptor], value: Any) -> bytes:
    """A request of this type with only the field at the end of `chain` set (through its parents)."""
    request = message_factory.GetMessageClass(descriptor)()
    target = request
    for field in chain[:-1]:
        target = getattr(target, field.name).add() if field.is_repeated else getattr(target, field.name)
    last = chain[-1]
    if last.is_repeated:
        getattr(target, last.name).append(value)
    else:
        setattr(target, last.name, value)
    return request.SerializeToString()  # type: ignore[no-any-return]


def test_a_nul_in_any_string_field_of_any_method_is_invalid_argument_naming_it(
    served: tuple[RunningService, grpc.Channel, list[MethodDescriptor]],
) -> None:
    _, ch, methods = served
    checked = 0
    failures = []
    for method in methods:
        for chain, path in _string_paths(method.input_type):
            raw = _with_value(method.input_type, chain, "a\x00b")
            code = _invoke(ch, method, raw, _bureau(new_trace_id()))
            details: str = _invoke.details  # type: ignore[attr-defined]
            if code != grpc.StatusCode.INVALID_ARGUMENT or not details.startswith(
                f"{path}: must not contain control characters"
            ):
                failures.append(f"{method.full_name} {path}: {code} {details}")
            checked += 1
    assert not failures, "\n".join(failures)
    assert checked > 0


def _timestamp_chains(descriptor: Descriptor, depth: int = 0) -> Iterator[list[FieldDescriptor]]:
    if depth >= MAX_DEPTH:
        return
    for field in descriptor.fields:
        if (target := field.message_type) is not None and not target.GetOptions().map_entry:
            if target.full_name == "google.protobuf.Timestamp":
                yield [field, target.fields_by_name["nanos"]]
            else:
                for chain in _timestamp_chains(target, depth + 1):
                    yield [field, *chain]


def test_a_negative_nanos_in_any_timestamp_of_any_method_is_invalid_argument(
    served: tuple[RunningService, grpc.Channel, list[MethodDescriptor]],
) -> None:
    _, ch, methods = served
    failures = []
    for method in methods:
        for chain in _timestamp_chains(method.input_type):
            code = _invoke(ch, method, _with_value(method.input_type, chain, -1), _bureau(new_trace_id()))
            details: str = _invoke.details  # type: ignore[attr-defined]
            if code != grpc.StatusCode.INVALID_ARGUMENT or "nanos must be from 0" not in details:
                failures.append(f"{method.full_name} {[f.name for f in chain]}: {code} {details}")
    assert not failures, "\n".join(failures)
