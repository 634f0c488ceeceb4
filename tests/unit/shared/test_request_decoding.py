"""Requests are decoded inside the interceptor's guard: authentication first, then bad bytes and
broken edge rules answer INVALID_ARGUMENT and are audited, on unary methods and inside streams."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import grpc
import pytest

from eco.v1 import monitoring_pb2
from shared.grpc.audit import AuditRecord
from shared.grpc.auth import Department, Grants, token_digest
from shared.tracing import TRACE_METADATA_KEY
from tests.unit.shared.served import RecordedAudit, serving

SERVICE = "test.Decoding"
GRANTS = Grants([Department("bureau", token_digest("t-bureau"), ("*",))])
CORRUPT = b"\x0a\x80"  # field 1, length-delimited, then a varint length that never ends
CORRUPT_BATCH = b"\x0a\x80\x80\x80\x08\x41\x42"  # a length of 2**24 with two bytes behind it
SEEN_BATCHES: list[int] = []


def get_station(request: monitoring_pb2.GetStationRequest, context: Any) -> monitoring_pb2.Station:
    return monitoring_pb2.Station(station_id=request.station_id)


async def stream_readings(
    requests: AsyncIterator[monitoring_pb2.ReadingBatch], context: Any
) -> monitoring_pb2.IngestSummary:
    accepted = 0
    async for batch in requests:
        SEEN_BATCHES.append(len(batch.readings))
        accepted += len(batch.readings)
    return monitoring_pb2.IngestSummary(accepted=accepted)


def sync_stream_readings(
    requests: Iterator[monitoring_pb2.ReadingBatch], context: Any
) -> monitoring_pb2.IngestSummary:
    return monitoring_pb2.IngestSummary(accepted=sum(len(batch.readings) for batch in requests))


def _register(server: grpc.aio.Server) -> None:
    station_in = monitoring_pb2.GetStationRequest.FromString
    batch_in = monitoring_pb2.ReadingBatch.FromString
    server.add_generic_rpc_handlers(
        (
            grpc.method_handlers_generic_handler(
                SERVICE,
                {
                    "Get": grpc.unary_unary_rpc_method_handler(
                        get_station, station_in, monitoring_pb2.Station.SerializeToString
                    ),
                    "Stream": grpc.stream_unary_rpc_method_handler(
                        stream_readings, batch_in, monitoring_pb2.IngestSummary.SerializeToString
                    ),
                    "SyncStream": grpc.stream_unary_rpc_method_handler(
                        sync_stream_readings, batch_in, monitoring_pb2.IngestSummary.SerializeToString
                    ),
                },
            ),
        )
    )


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[grpc.Channel, RecordedAudit]]:
    with serving(_register, SERVICE, GRANTS) as served:
        yield served


def _metadata(trace: str, token: str | None = "t-bureau") -> list[tuple[str, str]]:
    return [(TRACE_METADATA_KEY, trace)] + ([("authorization", f"Bearer {token}")] if token else [])


def _audited(audit: RecordedAudit, trace: str) -> AuditRecord:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        mine = [r for r in audit.records if r.trace_id == trace]
        if mine:
            return mine[0]
        time.sleep(0.01)
    raise AssertionError(f"no audit record for {trace}")


def _refusal(call: Any, *args: Any, **kwargs: Any) -> Any:
    with pytest.raises(grpc.RpcError) as raised:
        call(*args, **kwargs)
    return raised.value


def test_bytes_that_are_not_the_message_are_unauthenticated_without_a_token(
    served: tuple[grpc.Channel, RecordedAudit],
) -> None:
    channel, audit = served
    error = _refusal(
        channel.unary_unary(f"/{SERVICE}/Get"), CORRUPT, metadata=_metadata("t-anon", None), timeout=5
    )
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    assert _audited(audit, "t-anon").status == "UNAUTHENTICATED"


def test_bytes_that_are_not_the_message_are_invalid_argument_and_audited(
    served: tuple[grpc.Channel, RecordedAudit],
) -> None:
    channel, audit = served
    error = _refusal(
        channel.unary_unary(f"/{SERVICE}/Get"), CORRUPT, metadata=_metadata("t-corrupt"), timeout=5
    )
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "not a valid eco.v1.GetStationRequest message" in error.details()
    record = _audited(audit, "t-corrupt")
    assert (record.department, record.status) == ("bureau", "INVALID_ARGUMENT")


def test_a_nul_in_a_string_field_is_refused_naming_the_field(
    served: tuple[grpc.Channel, RecordedAudit],
) -> None:
    channel, audit = served
    raw = monitoring_pb2.GetStationRequest(station_id="s\x00").SerializeToString()
    error = _refusal(channel.unary_unary(f"/{SERVICE}/Get"), raw, metadata=_metadata("t-nul"), timeout=5)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error.details().startswith("station_id: must not contain control characters")
    assert _audited(audit, "t-nul").status == "INVALID_ARGUMENT"
    ok = channel.unary_unary(f"/{SERVICE}/Get")(
        monitoring_pb2.GetStationRequest(station_id="s-1").SerializeToString(),
        metadata=_metadata("t-ok"),
        timeout=5,
    )
    assert monitoring_pb2.Station.FromString(ok).station_id == "s-1"


def _batch(n: int) -> bytes:
    return monitoring_pb2.ReadingBatch(
        readings=[monitoring_pb2.Reading(station_id="s", parameter="cod") for _ in range(n)]
    ).SerializeToString()


@pytest.mark.parametrize("method", ["Stream", "SyncStream"])
def test_a_corrupt_batch_inside_a_stream_is_invalid_argument(
    served: tuple[grpc.Channel, RecordedAudit], method: str
) -> None:
    channel, audit = served
    SEEN_BATCHES.clear()
    call = channel.stream_unary(f"/{SERVICE}/{method}")
    error = _refusal(
        call, iter([_batch(2), CORRUPT_BATCH, _batch(3)]), metadata=_metadata(f"t-{method}"), timeout=5
    )
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "eco.v1.ReadingBatch" in error.details()
    assert _audited(audit, f"t-{method}").status == "INVALID_ARGUMENT"
    if method == "Stream":
        assert SEEN_BATCHES == [2]  # the batch before the corrupt one was read, none after it


def test_a_negative_nanos_inside_a_stream_is_invalid_argument(
    served: tuple[grpc.Channel, RecordedAudit],
) -> None:
    channel, _ = served
    batch = monitoring_pb2.ReadingBatch(readings=[monitoring_pb2.Reading(station_id="s", parameter="cod")])
    batch.readings[0].time.nanos = -5
    call = channel.stream_unary(f"/{SERVICE}/Stream")
    error = _refusal(call, iter([batch.SerializeToString()]), metadata=_metadata("t-nanos"), timeout=5)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error.details().startswith("readings[0].time: nanos must be from 0")


def test_good_streams_still_work(served: tuple[grpc.Channel, RecordedAudit]) -> None:
    channel, _ = served
    for method in ("Stream", "SyncStream"):
        raw = channel.stream_unary(f"/{SERVICE}/{method}")(
            iter([_batch(2), _batch(3)]), metadata=_metadata(f"t-good-{method}"), timeout=5
        )
        assert monitoring_pb2.IngestSummary.FromString(raw).accepted == 5
