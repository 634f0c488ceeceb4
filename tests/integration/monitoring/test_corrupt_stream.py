"""A corrupt batch inside a `StreamReadings` stream is INVALID_ARGUMENT, not INTERNAL (issue 10, point
2): the batches before it stay stored, nothing after it is read, and no ERROR is logged."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import grpc
import pytest

from eco.v1 import monitoring_pb2
from services.monitoring.bootstrap import build
from shared.grpc.client import call_metadata, channel
from shared.runtime import RunningService
from tests.integration.monitoring import support
from tests.integration.monitoring.support import HOUR
from tests.support import infra

pytestmark = pytest.mark.integration

CORRUPT_BATCH = b"\x0a\x80\x80\x80\x08\x41\x42"  # a reading of 2**24 bytes announced, two present


def test_a_corrupt_batch_ends_the_stream_with_invalid_argument_keeping_earlier_batches(
    pg_url: str, start_service: Callable[..., RunningService], caplog: pytest.LogCaptureFixture
) -> None:
    service = start_service("monitoring", build, pg_url, consume_permits=False)
    stub, meta = support.stub(service), call_metadata(infra.BUREAU_TOKEN)
    station_id = infra.unique("WS-")
    stub.RegisterStation(
        monitoring_pb2.RegisterStationRequest(station=support.section(station_id)), metadata=meta
    )
    start = int(time.time()) // HOUR * HOUR - 10 * HOUR
    before = support.batch(station_id, "NH3N", start, [0.4, 0.5]).SerializeToString()
    after = support.batch(station_id, "NH3N", start + 2 * HOUR, [0.6]).SerializeToString()

    with (
        caplog.at_level(logging.ERROR),
        channel(service.address) as ch,
        pytest.raises(grpc.RpcError) as refused,
    ):
        ch.stream_unary("/eco.v1.MonitoringService/StreamReadings")(
            iter([before, CORRUPT_BATCH, after]), metadata=meta, timeout=10
        )
    error: grpc.RpcError = refused.value
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    assert "not a valid eco.v1.ReadingBatch message" in (error.details() or "")  # type: ignore[attr-defined]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

    series = stub.GetTimeSeries(
        monitoring_pb2.GetTimeSeriesRequest(
            station_id=station_id,
            parameter="NH3N",
            interval=monitoring_pb2.INTERVAL_HOUR,
            **{"from": support.ts(start), "to": support.ts(start + 4 * HOUR)},
        ),
        metadata=meta,
    )
    assert [p.received for p in series.points if p.received] == [1, 1]  # the third reading never came in
