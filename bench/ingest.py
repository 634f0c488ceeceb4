"""Ingestion through StreamReadings, next to a no-op server and Kafka's own producer.

All run on the same machine in the same run. For the real service a reading counts once it is
stored (committed), judged, and every event it raised is published to Kafka: the clock runs from the
first batch sent until the last summary is back and the outbox is drained.
"""

from __future__ import annotations

import io
import os
import pstats
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import client
from bench.servers import ProfiledStreams, start_monitoring, start_noop
from bench.workload import Workload, reading_size, stations
from eco.v1 import monitoring_pb2, monitoring_pb2_grpc
from shared.grpc.client import call_metadata, channel
from shared.kafka import reliable_producer
from shared.outbox import pending_count
from tests.support import infra

SETTLE_SECONDS = float(os.environ.get("BENCH_SETTLE_SECONDS", "10"))


@dataclass
class Figure:
    """One measured line of the results table."""

    name: str
    count: int
    seconds: float
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        """Items per second."""
        return self.count / self.seconds if self.seconds else 0.0


def progress(message: str) -> None:
    """One line of progress while the benchmark runs."""
    print(f"  .. {message}", flush=True)


def _profile_text(stats: pstats.Stats | None, top: int = 25) -> str:
    if stats is None:
        return ""
    buffer = io.StringIO()
    stats.stream = buffer  # type: ignore[attr-defined]
    stats.sort_stats("tottime").print_stats(top)
    return buffer.getvalue()


def monitoring_run(workload: Workload, run_dir: Path, *, profile: bool) -> tuple[Figure, str]:
    """Stream the workload into the real service on a fresh database; returns the figure and a profile."""
    # The servicer's methods are bound when the server starts, so profiling is switched on before.
    profiler = ProfiledStreams() if profile else None
    if profiler:
        profiler.__enter__()
    with infra.fresh_postgres_database() as url:
        service = start_monitoring(url, run_dir)
        try:
            stub = monitoring_pb2_grpc.MonitoringServiceStub(channel(service.address))
            meta = call_metadata(infra.BUREAU_TOKEN)
            for s in stations(workload.stations):
                stub.RegisterStation(monitoring_pb2.RegisterStationRequest(station=s), metadata=meta)
            progress(
                f"registered {workload.stations} stations; {workload.streams} clients building their batches"
            )
            try:
                streamed, summaries = client.stream_all(
                    service.address, infra.BUREAU_TOKEN, workload, int(time.time()) - 60
                )
                stream_end = time.perf_counter()
                engine = service.app.engine
                infra.wait_for(
                    lambda: pending_count(engine) == 0, timeout=300, every=0.02, what="the outbox to drain"
                )
                tail = time.perf_counter() - stream_end
            finally:
                if profiler:
                    profiler.__exit__()
            accepted = sum(s.accepted for s in summaries)
            alarms = sum(len(s.alarms) for s in summaries)
            rejected = sum(s.rejected for s in summaries)
            figure = Figure(
                "monitoring StreamReadings: stored + judged + events published"
                + (" [under cProfile]" if profile else ""),
                accepted,
                streamed + tail,
                note=f"{alarms} alarms, {rejected} rejected, outbox drained {tail:.2f}s after the last ack",
                extra={
                    "stream_seconds": streamed,
                    "drain_seconds": tail,
                    "alarms": alarms,
                    "rejected": rejected,
                },
            )
            return figure, _profile_text(profiler.stats() if profiler else None)
        finally:
            service.stop(grace=1)


def noop_run(workload: Workload) -> Figure:
    """The same streams into a server that only counts."""
    server, address = start_noop()
    try:
        streamed, summaries = client.stream_all(address, infra.BUREAU_TOKEN, workload, int(time.time()) - 60)
    finally:
        server.stop(grace=1)
    return Figure(
        "no-op servicer, same streams (gRPC + protobuf only)", sum(s.received for s in summaries), streamed
    )


def kafka_run(count: int) -> Figure:
    """kafka-python's producer (acks=all, idempotent, as the outbox relay) with reading-sized messages."""
    size = reading_size()
    topic = infra.unique("bench.kafka.")
    producer = reliable_producer(infra.KAFKA, client_id="bench")
    payload = os.urandom(size)
    try:
        producer.send(topic, b"warm-up").get(timeout=30)
        started = time.perf_counter()
        for i in range(count):
            producer.send(topic, key=b"BENCH-WS-%04d" % (i % 100), value=payload)
        producer.flush(timeout=300)
        seconds = time.perf_counter() - started
    finally:
        producer.close(timeout=5)
    return Figure(f"Kafka producer alone, {size}-byte messages (kafka-python, acks=all)", count, seconds)
