"""Streams left open and idle cannot hold a service's workers for ever: connections are recycled.

With two workers, two idle client streams starve every other call (health checks included) until
the server recycles their connection; after that the service answers again.
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


def _health(address: str, timeout: float) -> grpc.StatusCode:
    with grpc.insecure_channel(address) as channel:
        try:
            health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=timeout)
            return grpc.StatusCode.OK
        except grpc.RpcError as exc:
            return exc.code()  # type: ignore[no-any-return, attr-defined]


_MAX_AGE = 6.0  # seconds; long enough to see the starvation before the connection is recycled


def test_idle_streams_are_ended_and_the_service_answers_again(
    pg_url: str, start_service: Callable[..., RunningService]
) -> None:
    service = start_service(
        "monitoring",
        bootstrap.build,
        pg_url,
        consume_permits=False,
        extra_env={"ECO_GRPC_WORKERS": "2", "ECO_GRPC_MAX_CONNECTION_AGE_SECONDS": str(_MAX_AGE)},
    )
    assert _health(service.address, timeout=2) == grpc.StatusCode.OK
    release = threading.Event()

    def idle() -> Iterator[monitoring_pb2.ReadingBatch]:
        release.wait(60)  # sends nothing: an open, idle stream
        return
        yield

    channel = grpc.insecure_channel(service.address)
    stub = monitoring_pb2_grpc.MonitoringServiceStub(channel)
    streams = [
        stub.StreamReadings.future(idle(), metadata=call_metadata(infra.BUREAU_TOKEN)) for _ in range(2)
    ]
    try:
        # The streams reach the server a moment after the futures are made; until both hold a
        # worker a health check can still slip through, so wait to see the starvation first.
        infra.wait_for(
            lambda: _health(service.address, timeout=0.5) == grpc.StatusCode.DEADLINE_EXCEEDED,
            timeout=_MAX_AGE - 1,
            every=0.1,
            what="both workers to be held by the idle streams",
        )
        # After the connection's age and grace (a tenth of the age) the server ends the idle streams.
        infra.wait_for(
            lambda: _health(service.address, timeout=1) == grpc.StatusCode.OK,
            timeout=20,
            every=0.5,
            what="the service to answer once the idle streams' connection was recycled",
        )
        infra.wait_for(
            lambda: all(stream.done() for stream in streams),
            timeout=5,
            what="the idle streams to be ended by the server",
        )
        assert all(stream.exception() is not None for stream in streams)
    finally:
        release.set()
        for stream in streams:
            stream.cancel()
        channel.close()
