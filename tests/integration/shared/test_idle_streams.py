"""Open, idle streams hold no worker: the server is grpc.aio, and a stream is a coroutine.

With two workers, five idle client streams leave every other call (health checks, unary methods)
answering at once; the server still ends forgotten streams when their connection is recycled.
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

_WORKERS = 2
_MAX_AGE = 4.0  # seconds before the server recycles a connection (and ends its streams)


def _health(address: str, timeout: float) -> grpc.StatusCode:
    with grpc.insecure_channel(address) as channel:
        try:
            health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=timeout)
            return grpc.StatusCode.OK
        except grpc.RpcError as exc:
            return exc.code()  # type: ignore[no-any-return, attr-defined]


def test_idle_streams_hold_no_worker_and_are_ended_when_their_connection_ages(
    pg_url: str, start_service: Callable[..., RunningService]
) -> None:
    service = start_service(
        "monitoring",
        bootstrap.build,
        pg_url,
        consume_permits=False,
        extra_env={"ECO_GRPC_WORKERS": str(_WORKERS), "ECO_GRPC_MAX_CONNECTION_AGE_SECONDS": str(_MAX_AGE)},
    )
    release = threading.Event()

    def idle() -> Iterator[monitoring_pb2.ReadingBatch]:
        release.wait(60)  # sends nothing: an open, idle stream
        return
        yield

    channel = grpc.insecure_channel(service.address)
    stub = monitoring_pb2_grpc.MonitoringServiceStub(channel)
    metadata = call_metadata(infra.BUREAU_TOKEN)
    streams = [stub.StreamReadings.future(idle(), metadata=metadata) for _ in range(_WORKERS + 3)]
    try:
        infra.wait_for(
            lambda: _health(service.address, timeout=2) == grpc.StatusCode.OK,
            timeout=10,
            what="a health answer while the idle streams are open",
        )
        assert not any(stream.done() for stream in streams)  # they really are open
        # Unary methods run in the worker pool: more calls than workers all answer.
        for _ in range(_WORKERS + 2):
            stub.ListStations(monitoring_pb2.ListStationsRequest(), metadata=metadata, timeout=5)
        infra.wait_for(
            lambda: all(stream.done() for stream in streams),
            timeout=_MAX_AGE * 3,
            what="the idle streams to be ended when their connection is recycled",
        )
        assert all(stream.exception() is not None for stream in streams)
    finally:
        release.set()
        for stream in streams:
            stream.cancel()
        channel.close()
