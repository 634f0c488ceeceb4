"""Open, idle streams can neither starve a service nor live for ever.

With two workers a service gives request streams one slot: an idle stream holds it, a second
stream is refused with RESOURCE_EXHAUSTED, health checks and other calls are still answered, and
when the idle stream's connection reaches its age the server ends it and the slot is free again.
"""

import threading
from collections.abc import Callable, Iterator

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from eco.v1 import monitoring_pb2, monitoring_pb2_grpc
from services.monitoring import bootstrap
from shared.grpc.client import call_metadata
from shared.runtime import RunningService
from tests.support import infra

pytestmark = pytest.mark.integration

_MAX_AGE = 4.0  # seconds before the server recycles a connection (and ends its streams)


def _health(address: str, timeout: float) -> grpc.StatusCode:
    with grpc.insecure_channel(address) as channel:
        try:
            health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=timeout)
            return grpc.StatusCode.OK
        except grpc.RpcError as exc:
            return exc.code()  # type: ignore[no-any-return, attr-defined]


def _empty_stream(address: str) -> grpc.StatusCode:
    """The status of a stream that sends nothing and closes (OK whenever a slot is free)."""
    with grpc.insecure_channel(address) as channel:
        stub = monitoring_pb2_grpc.MonitoringServiceStub(channel)
        try:
            stub.StreamReadings(iter(()), metadata=call_metadata(infra.BUREAU_TOKEN), timeout=5)
            return grpc.StatusCode.OK
        except grpc.RpcError as exc:
            return exc.code()  # type: ignore[no-any-return, attr-defined]


def test_an_idle_stream_holds_the_only_slot_until_its_connection_is_recycled(
    pg_url: str, start_service: Callable[..., RunningService]
) -> None:
    service = start_service(
        "monitoring",
        bootstrap.build,
        pg_url,
        consume_permits=False,
        extra_env={"ECO_GRPC_WORKERS": "2", "ECO_GRPC_MAX_CONNECTION_AGE_SECONDS": str(_MAX_AGE)},
    )
    assert service.app.settings.grpc_stream_slots == 1
    release = threading.Event()

    def idle() -> Iterator[monitoring_pb2.ReadingBatch]:
        release.wait(60)  # sends nothing: an open, idle stream
        return
        yield

    channel = grpc.insecure_channel(service.address)
    stub = monitoring_pb2_grpc.MonitoringServiceStub(channel)
    held = stub.StreamReadings.future(idle(), metadata=call_metadata(infra.BUREAU_TOKEN))
    try:
        infra.wait_for(
            lambda: _empty_stream(service.address) == grpc.StatusCode.RESOURCE_EXHAUSTED,
            timeout=_MAX_AGE - 1,
            what="a second stream to be refused while the idle one holds the slot",
        )
        assert _health(service.address, timeout=2) == grpc.StatusCode.OK  # the other worker answers
        # After the connection's age and grace (a tenth of the age) the server ends the idle stream.
        infra.wait_for(held.done, timeout=_MAX_AGE * 3, what="the idle stream to be ended by the server")
        assert held.exception() is not None
        infra.wait_for(
            lambda: _empty_stream(service.address) == grpc.StatusCode.OK,
            timeout=10,
            what="the slot to be free again",
        )
    finally:
        release.set()
        held.cancel()
        channel.close()
